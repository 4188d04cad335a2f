"""Every generated reproduction snippet runs natively and reproduces what the oracle recorded.

One interpreter per framework runs all of that framework's snippets (tests/snippet_runner.py);
each snippet's status, exception class, warning categories and named values are compared
with the column the oracle recorded for the case.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.diff import compare_arrays, tolerance
from oracle.outcome import Tensor
from oracle.report.snippets import FRAMEWORKS, make_snippet, snippet_supported
from oracle.runner import compile_cache_env

ROOT = Path(__file__).resolve().parent.parent


def _run_all(pipeline: dict[str, Any], framework: str, folder: Path) -> dict[str, dict[str, Any]]:
    for case in _with_snippets(pipeline, framework):
        snippet = make_snippet(case, framework)
        assert snippet is not None, f"{case['id']}: no {framework} snippet"
        (folder / f"{case['id']}.py").write_text(snippet.code)
        (folder / f"{case['id']}.names.json").write_text(json.dumps(snippet.names))
    # the JAX compilation cache the oracle's workers filled: the snippets' eager ops compile once per machine
    env = {**os.environ, **compile_cache_env(), "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
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
    """Every case with a generated snippet that the framework ran natively: literal inputs, several results,
    built layers and metrics and every gradient option included; not training loops (no snippet yet)."""
    cases = [c for c in pipeline["cases"] if snippet_supported(c)
             and c["columns"][framework]["status"] in ("ok", "error") and make_snippet(c, framework) is not None]
    assert len(cases) >= 250, len(cases)
    return cases


# The case-language cases that once fell back to `native_api`, and the columns with no native idiom for them.
CASE_LANGUAGE = ("literal-python-scalars", "several-outputs", "conversions-to-python", "batch-norm-train-then-eval",
                 "mean-metric-two-batches", "gradient-options")
NO_IDIOM = {("gradient-options[accumulate]", "tensorflow"), ("gradient-options[accumulate]", "jax"),
            ("gradient-options[value-and-grad]", "tensorflow")}


def test_case_language_cases_have_a_snippet_where_the_column_is_native(pipeline: dict[str, Any]) -> None:
    """Literals, several outputs, conversions, a stateful layer and metric and every gradient option have a
    snippet in each framework whose column is not `unsupported`. Only two options have no idiom, and their
    columns say so: accumulating into `.grad` (TensorFlow and JAX return gradients; only torch's backward()
    accumulates) and value_and_grad (TensorFlow's tape records the value as the forward runs)."""
    cases = [c for c in pipeline["cases"] if c["case"] in CASE_LANGUAGE or c["id"] in CASE_LANGUAGE]
    assert len(cases) == len(CASE_LANGUAGE) - 1 + 10, sorted(c["id"] for c in cases)  # gradient-options: 10 variants
    for case in cases:
        for framework in FRAMEWORKS:
            unsupported = case["columns"][framework]["status"] == "unsupported"
            assert unsupported == ((case["id"], framework) in NO_IDIOM), (case["id"], framework)
            assert (make_snippet(case, framework) is None) == unsupported, (case["id"], framework)


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


GRADIENT_CALLS = ("backward(", "GradientTape", "jax.grad", "jax.vjp", "jax.jacobian", "jax.value_and_grad",
                  "torch.autograd.", "torch.func.")


def _gradient_parts(api: str) -> set[str]:
    """What a recorded gradient call names, written in the adapter's generic names (target, inputs, f): the
    native functions (torch.autograd.grad, tape.jacobian, jax.vjp) and the options passed (retain_graph=True,
    unconnected_gradients=tf.UnconnectedGradients.ZERO); JAX's trailing notes are not calls."""
    api = api.split("; not in argnums")[0].split("; unconnected inputs")[0]
    return set(re.findall(r"\b(?:torch|tf|jax|jnp|tape|outer)\.[\w.]+(?=\()|\b\w+=[\w.]+", api))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_snippet_holds_the_call_that_was_executed(pipeline: dict[str, Any], framework: str) -> None:
    """Every native call a column recorded appears verbatim in that column's snippet (bindings render both);
    of the gradient call, its native functions and every option it passed."""
    checked = gradients = 0
    for case in _with_snippets(pipeline, framework):
        snippet = make_snippet(case, framework)
        assert snippet is not None, case["id"]
        tracked = [n for n in (case.get("grad") or {}).get("wrt", []) if case["inputs"][n].get("track", True)]
        for api in case["columns"][framework]["native_api"]:
            if any(call in api for call in GRADIENT_CALLS):
                if not tracked:
                    continue  # every input outside argnums: JAX is asked for no gradient, and no call is made
                missing = [part for part in _gradient_parts(api) if part not in snippet.code]
                assert not missing, f"{case['id']}: {missing} of {api!r} not in the {framework} snippet:\n" \
                                    f"{snippet.code}"
                gradients += 1
            elif "(" in api and "; " not in api and "gradient" not in api.lower():
                assert api in snippet.code, f"{case['id']}: {api!r} not in the {framework} snippet:\n{snippet.code}"
                checked += 1
    assert checked >= 20 and gradients >= 10, (checked, gradients)


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
