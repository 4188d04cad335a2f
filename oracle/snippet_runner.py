"""Run every reproduction snippet in a folder inside this one interpreter, each in a fresh namespace.

`python -m oracle.snippet_runner DIR` (oracle/verify.py starts it): for each DIR/<name>.py (with DIR/<name>.names.json
mapping outputs to variables, to `parts[0]`, an item of a list, or to `len(parts)`) writes
DIR/<name>.result.json (status, error type, warning categories) and DIR/<name>.npz (the
named values). One interpreter per framework keeps verification fast; a module of its own per
snippet keeps them independent. A snippet is Python that oracle/snippets.py generated from
the registry's bindings (a case's values enter it only as literals written by repr); no text of a
case file or results file is run. It imports only the framework the snippets import, numpy,
oracle.execute's error_info (how the oracle names an exception) and, for torch snippets, the worker's
pay_once (adapters/torch_idioms.py: torch's first-call warnings, paid as the worker pays them).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from oracle.execute import error_info


def to_numpy(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    if type(value).__name__ == "IndexedSlices":  # TensorFlow's sparse gradient of a gather: its dense value
        import tensorflow as tf

        value = tf.convert_to_tensor(value)
    if hasattr(value, "detach"):
        value = value.detach().cpu().resolve_conj().resolve_neg()  # torch.conj's lazy view: .numpy() refuses it
        if str(value.dtype) == "torch.bfloat16":  # through float32 (exact) to ml_dtypes' bfloat16
            import ml_dtypes

            return value.float().numpy().astype(ml_dtypes.bfloat16)
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def lookup(namespace: dict[str, Any], where: str) -> Any:
    """A variable, `name[i]` (an item of a list result) or `len(name)`; KeyError or IndexError where absent."""
    if where.startswith("len("):
        return len(namespace[where[4:-1]])
    name, _, index = where.partition("[")
    return namespace[name][int(index[:-1])] if index else namespace[name]


def run(path: Path) -> None:
    names: dict[str, str] = json.loads(path.with_suffix(".names.json").read_text())
    # the snippet file runs as `python snippet.py` would run it, through the import machinery: a module of
    # its own, whose globals stay readable after an exception (the values computed before it)
    spec = importlib.util.spec_from_file_location("__main__", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    result: dict[str, Any] = {"status": "ok", "error": None}
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        try:
            spec.loader.exec_module(script)
        except Exception as exc:
            result.update(status="error", error=error_info(exc).__dict__)
    namespace = vars(script)
    result["warnings"] = sorted({w.category.__name__ for w in caught})
    arrays: dict[str, Any] = {}
    for name, where in names.items():
        try:
            found = to_numpy(lookup(namespace, where))
        except (KeyError, IndexError):  # the snippet stopped before it, or the list is shorter
            continue
        result.setdefault("none", []).extend([name] if found is None else [])
        if found is not None:
            arrays[name] = found
    result["present"] = sorted(arrays) + result.get("none", [])
    np.savez(path.with_suffix(".npz"), **{f"a{i}": a for i, a in enumerate(arrays.values())})
    result["order"] = list(arrays)
    path.with_suffix(".result.json").write_text(json.dumps(result))


def warm_up(snippets: list[Path]) -> None:
    """torch's first-call warnings are the process's, which the oracle's worker pays once with warnings
    ignored (adapters/torch_idioms.py pay_once); the runner pays the same ones, so that no snippet's result
    depends on its order."""
    texts = [s.read_text() for s in snippets]
    if not any("import torch" in t for t in texts):
        return
    from adapters.torch_idioms import pay_once

    if any("torch.compile" in t for t in texts):
        pay_once("torch.compile")
    if any("torch.func.jvp" in t or "torch.func.jacfwd" in t for t in texts):
        pay_once("torch.func.jvp")


if __name__ == "__main__":
    found = sorted(Path(sys.argv[1]).glob("*.py"))
    warm_up(found)
    for snippet in found:
        run(snippet)
