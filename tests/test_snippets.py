"""Every generated reproduction snippet runs natively and reproduces what the oracle recorded.

One interpreter per framework runs all of that framework's snippets (oracle/snippet_runner.py, as
`oracle verify` runs them);
each snippet's status, exception class, warning categories and named values are compared
with the column the oracle recorded for the case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest

from oracle.gradidioms import STEPS_ABOVE, one_line
from oracle.model import ColumnOutcome, ResultsDocument
from oracle.snippets import FRAMEWORKS, make_snippet, snippet_supported
from oracle.verify import cells_with_snippets, mismatches, run_snippets

ROOT = Path(__file__).resolve().parent.parent


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
    from oracle.snippets import _runnable
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
    """Every native call a column recorded appears verbatim in that column's snippet (bindings render both,
    and the gradient idiom's lines are what the adapter executed, with the case's names)."""
    checked = gradients = 0
    cells = cells_with_snippets(cast(ResultsDocument, pipeline), framework, framework)
    assert len(cells) >= 250, len(cells)
    for case, snippet in cells:
        idiom = len(case["columns"][framework]["native_api"]) - 1 if case.get("grad") else -1
        for i, api in enumerate(case["columns"][framework]["native_api"]):
            if i == idiom and case["columns"][framework]["status"] == "ok":  # the gradient, recorded last
                written = one_line(snippet.code.splitlines())  # the forward and loss_fn's body are STEPS_ABOVE in api
                missing = [call for call in api.split("; ") if STEPS_ABOVE not in call and call not in written]
                assert not missing, f"{case['id']}: {missing} of {api!r} not in the {framework} snippet:\n" \
                                    f"{snippet.code}"
                gradients += 1
            elif "(" in api and "; " not in api and "gradient" not in api.lower():
                assert api in snippet.code, f"{case['id']}: {api!r} not in the {framework} snippet:\n{snippet.code}"
                checked += 1
    assert checked >= 20 and gradients >= 10, (checked, gradients)


@pytest.mark.parametrize("every", [pytest.param(False, id="covering"), pytest.param(True, id="all", marks=pytest.mark.slow)])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_snippets_reproduce_the_recorded_outcome(pipeline: dict[str, Any], framework: str, every: bool,
                                                 tmp_path: Path) -> None:
    """oracle verify's own functions: the snippet runner in a fresh interpreter, compared by its rules. `make test`
    runs the snippets of the cases in the determinism test's covering files (every binding kind per framework,
    gradient option and family); `make test-all` and `make verify` run every snippet."""
    from test_determinism import covering_files

    cells = cells_with_snippets(cast(ResultsDocument, pipeline), framework, framework)
    assert len(cells) >= 250, len(cells)
    if not every:
        covering = {str(path) for path in covering_files()[0]}
        cells = [(case, snippet) for case, snippet in cells if case["file"] in covering]
        assert len(cells) >= 30, len(cells)
    found = run_snippets(cells, tmp_path)
    problems = {case["id"]: p for case, _ in cells if (p := mismatches(case["columns"][framework], found[case["id"]]))}
    assert not problems, json.dumps(problems, indent=1)
    assert {r["status"] for r in found.values()} == {"ok", "error"}  # both kinds are exercised


def test_verify_tells_a_snippet_that_does_not_reproduce_its_cell(pipeline: dict[str, Any], tmp_path: Path) -> None:
    """The comparison can fail: a recorded value nudged beyond float32's tolerance, a recorded status flipped,
    and a warning the record lacks are each named."""
    case, snippet = next((c, s) for c, s in cells_with_snippets(cast(ResultsDocument, pipeline), "torch", "torch")
                         if c["columns"]["torch"]["status"] == "ok" and not c["columns"]["torch"]["warnings"]
                         and any(t["shape"] == [] and t["dtype"] == "float32"
                                 for t in c["columns"]["torch"]["outputs"].values()))
    got = run_snippets([(case, snippet)], tmp_path)[case["id"]]
    recorded = case["columns"]["torch"]
    assert mismatches(recorded, got) == []
    name = next(n for n, t in recorded["outputs"].items() if t["shape"] == [] and t["dtype"] == "float32")
    value = recorded["outputs"][name]["values"]
    nudged = {**recorded, "outputs": {**recorded["outputs"], name: {
        **recorded["outputs"][name], "values": (value if isinstance(value, float) else 0.0) * 1.001 + 1e-3}}}
    assert mismatches(cast(ColumnOutcome, nudged), got) == [f"{name}: values differ from the record"]
    errored = cast(ColumnOutcome, {**recorded, "status": "error", "error": {"type": "ValueError"}})
    assert mismatches(errored, got)[0].startswith("status ok")
    warned = {**recorded, "warnings": [{"category": "UserWarning", "message": "m"}]}
    assert mismatches(cast(ColumnOutcome, warned), got) == [
        "warned [] vs recorded [{'category': 'UserWarning', 'message': 'm'}]"]


def test_oracle_verify_exits_1_naming_the_cell_it_does_not_reproduce(pipeline: dict[str, Any], tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from oracle.cli import main

    case = next(c for c, _ in cells_with_snippets(cast(ResultsDocument, pipeline), "torch", "torch")
                if c["columns"]["torch"]["status"] == "ok" and not c["columns"]["torch"]["warnings"])
    document = {k: v for k, v in pipeline.items() if not k.startswith("_")}  # as results.json holds it
    (tmp_path / "good.json").write_text(json.dumps({**document, "cases": [case]}))
    assert main(["verify", "--results", str(tmp_path / "good.json"), "--columns", "torch"]) == 0
    assert "1 of 1 cells with a snippet reproduced; 0 of 1 cells without a snippet" in capsys.readouterr().out
    flipped = {**case, "columns": {**case["columns"], "torch": {**case["columns"]["torch"], "status": "error",
                                                                "error": {"type": "ValueError", "base": "ValueError",
                                                                          "message": "m"}}}}
    (tmp_path / "bad.json").write_text(json.dumps({**document, "cases": [flipped]}))
    assert main(["verify", "--results", str(tmp_path / "bad.json"), "--columns", "torch"]) == 1
    captured = capsys.readouterr()
    assert f"not reproduced {case['id']}:torch: status ok" in captured.err
    assert "0 of 1 cells with a snippet reproduced" in captured.out
