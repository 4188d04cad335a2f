"""Run every op's sample case through each of its forms in one framework, in this process; print JSON.

Used by tests/test_forms.py in a subprocess per framework (one framework import per process):
`python -m tests.forms_probe torch` -> {"op/form": [status, error type or "", default's status, ...]}.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_registry import sample_case, sampled  # tests/ is on sys.path: pytest's rootdir-relative imports

from oracle.cases import load_case
from oracle.ops import OPS
from oracle.plan import plan


def probe(framework: str) -> dict[str, list[str]]:
    adapter = importlib.import_module(f"adapters.{framework}").load("cpu")
    found: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for declared in OPS.values():
            forms = declared.forms_of(framework)
            if len(forms) < 2 or not sampled(declared):
                continue
            path = Path(folder) / f"{declared.name}.yaml"
            path.write_text(yaml.safe_dump(sample_case(declared), sort_keys=False), encoding="utf-8")
            request = plan(load_case(path))
            default = adapter.run(request)
            for form in forms:
                got = adapter.run(dataclasses.replace(request, forms={framework: form}))
                found[f"{declared.name}/{form}"] = [
                    got.status, got.error.type if got.error else "", default.status,
                    default.error.type if default.error else "", "; ".join(got.native_api),
                    str(got.notes.get("form", "")), got.error.message if got.error else ""]
    return found


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1])))
