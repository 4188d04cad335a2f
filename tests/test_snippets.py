"""Every generated reproduction snippet runs natively and reproduces what the oracle recorded.

One interpreter per framework runs all of that framework's snippets (tests/snippet_runner.py);
each snippet's status, exception class, warning categories and named values are compared
with the column the oracle recorded for the case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.diff import compare_arrays, tolerance
from oracle.outcome import Tensor
from oracle.report.snippets import FRAMEWORKS, make_snippet, snippet_supported

ROOT = Path(__file__).resolve().parent.parent


def _run_all(pipeline: dict[str, Any], framework: str, folder: Path) -> dict[str, dict[str, Any]]:
    for case in _with_snippets(pipeline, framework):
        snippet = make_snippet(case, framework)
        assert snippet is not None, f"{case['id']}: no {framework} snippet"
        (folder / f"{case['id']}.py").write_text(snippet.code)
        (folder / f"{case['id']}.names.json").write_text(json.dumps(snippet.names))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "snippet_runner.py"), str(folder)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = {}
    for case in _with_snippets(pipeline, framework):
        result = json.loads((folder / f"{case['id']}.result.json").read_text())
        with np.load(folder / f"{case['id']}.npz") as arrays:
            result["arrays"] = {name: arrays[f"a{i}"] for i, name in enumerate(result["order"])}
        found[case["id"]] = result
    return found


def _with_snippets(pipeline: dict[str, Any], framework: str) -> list[dict[str, Any]]:
    """Every case with a generated snippet (not training loops, literals, several outputs, stateful objects or
    gradient options yet) that the framework ran natively."""
    cases = [c for c in pipeline["cases"] if snippet_supported(c)
             and c["columns"][framework]["status"] in ("ok", "error") and make_snippet(c, framework) is not None]
    assert len(cases) >= 40, len(cases)
    return cases


def test_only_descriptive_custom_bindings_go_without_a_snippet(pipeline: dict[str, Any]) -> None:
    """A supported case lacks a snippet only where a custom binding's code is a description, not an expression."""
    from oracle.native import effective_attrs, select
    from oracle.ops import OPS
    from oracle.report.snippets import _runnable
    from oracle.steps import parse_step

    for case in pipeline["cases"]:
        for framework in FRAMEWORKS:
            if not snippet_supported(case) or case["columns"][framework]["status"] not in ("ok", "error") \
                    or make_snippet(case, framework) is not None:
                continue
            leaves = []
            for step in map(parse_step, case["steps"]):
                declared, attrs = OPS[step.op], effective_attrs(OPS[step.op], step.attrs)
                kinds = {a: "floating" for a in declared.arg_names}
                try:
                    leaves.append((select(declared.binding(framework), declared, kinds, attrs), declared, attrs))
                except Exception:  # noqa: BLE001 - a switch on an integer argument: the other leaves are checked
                    continue
            assert any(leaf.kind == "custom" and not _runnable(leaf, d.arg_names, a) for leaf, d, a in leaves), \
                f"{case['id']} [{framework}] has no snippet"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_snippet_holds_the_call_that_was_executed(pipeline: dict[str, Any], framework: str) -> None:
    """Every native call a column recorded appears verbatim in that column's snippet (bindings render both)."""
    checked = 0
    for case in _with_snippets(pipeline, framework):
        snippet = make_snippet(case, framework)
        assert snippet is not None, case["id"]
        for api in case["columns"][framework]["native_api"]:
            if "(" in api and "; " not in api and "gradient" not in api.lower() and ".backward()" not in api \
                    and "jax.grad" not in api:
                assert api in snippet.code, f"{case['id']}: {api!r} not in the {framework} snippet:\n{snippet.code}"
                checked += 1
    assert checked >= 20


def _mismatches(case: dict[str, Any], recorded: dict[str, Any], got: dict[str, Any]) -> list[str]:
    problems = []
    if got["status"] != recorded["status"]:
        problems.append(f"status {got['status']} ({got['error']}) vs recorded {recorded['status']}")
        return problems
    if recorded["error"] and got["error"]["type"] != recorded["error"]["type"]:
        problems.append(f"raised {got['error']['type']} vs recorded {recorded['error']['type']}")
    if got["warnings"] != sorted({w["category"] for w in recorded["warnings"]}):
        problems.append(f"warned {got['warnings']} vs recorded {recorded['warnings']}")
    for name, tensor in recorded["outputs"].items():
        if recorded["status"] == "error" and name not in got["present"]:
            continue  # the snippet stops at the exception; the oracle may have kept a forward value
        if tensor["shape"] is None:
            if name not in got.get("none", []):
                problems.append(f"{name} is None in the record but not in the snippet")
            continue
        if name not in got["arrays"]:
            problems.append(f"{name} missing from the snippet")
            continue
        want = Tensor.from_results(tensor).values
        assert want is not None
        value = got["arrays"][name]
        if value.dtype.kind == "V" and str(want.dtype) == "bfloat16":  # .npz stores bfloat16 as raw 2-byte voids
            value = value.view(want.dtype)
        if value.shape != want.shape or str(value.dtype) != str(want.dtype):
            problems.append(f"{name}: {value.shape} {value.dtype} vs recorded {want.shape} {want.dtype}")
        elif compare_arrays(value, want, *tolerance(str(value.dtype), str(want.dtype))):
            problems.append(f"{name}: values differ from the record")
    return problems


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_snippets_reproduce_the_recorded_outcome(pipeline: dict[str, Any], framework: str, tmp_path: Path) -> None:
    found = _run_all(pipeline, framework, tmp_path)
    problems = {case["id"]: p for case in _with_snippets(pipeline, framework)
                if (p := _mismatches(case, case["columns"][framework], found[case["id"]]))}
    assert not problems, json.dumps(problems, indent=1)
    assert {r["status"] for r in found.values()} == {"ok", "error"}  # both kinds are exercised
