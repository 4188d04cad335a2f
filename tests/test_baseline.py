"""Baselines: the committed snapshot matches this session's run; planted changes are found, exactly.

The fresh outcomes come from the session's `pipeline` run (tests/conftest.py), so this
file adds no second run of every case. The planted changes are made in a copy of the
committed baseline, the way an upgrade would make the run differ from it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, cast

import pytest

from oracle.baseline import (
    SIGNIFICANT_DIGITS,
    changes,
    check,
    dumps,
    format_report,
    load_baseline,
    native_snippet,
    snapshot_case,
    write_snapshot,
)
from oracle.cases import load_cases
from oracle.cli import main
from oracle.model import ResultsDocument
from oracle.outcome import Outcome, Tensor

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "baselines"


@pytest.fixture(scope="module")
def project(pipeline: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The session's results for the project's cases only (not the test-only ones) and those cases."""
    cases = load_cases([ROOT / "cases"])
    ids = {c.id for c in cases}
    return {**pipeline, "cases": [c for c in pipeline["cases"] if c["id"] in ids]}, cases


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(BASELINES, tmp_path / "baselines")
    return tmp_path / "baselines"


def edit(folder: Path, case_id: str, column: str, change: Any) -> None:
    path = folder / "cases" / f"{case_id}.json"
    data = json.loads(path.read_text())
    change(data["columns"][column])
    path.write_text(json.dumps(data))


def failed(report: Any) -> list[tuple[str, str, str]]:
    return [(i.case, i.column, i.kind) for i in report.items if i.failed]


def test_committed_baseline_matches_this_run(project: tuple[dict[str, Any], list[Any]]) -> None:
    results, cases = project
    report = check(cast(ResultsDocument, results), load_baseline(BASELINES), cases)
    assert report.exit_code == 0, "\n".join(format_report(report))
    assert not report.unused_baselines and not report.unused_expected
    assert report.count("expected") >= 1 and report.count("fixed") == 0


def test_unaltered_copy_passes(project: tuple[dict[str, Any], list[Any]], copy: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    results, _ = project
    path = copy.parent / "results.json"
    path.write_text(json.dumps({k: v for k, v in results.items() if not k.startswith("_")}))
    assert main(["check", str(ROOT / "cases"), "--results", str(path), "--against", str(copy)]) == 0
    assert "0 changed, 0 edited, 0 new" in capsys.readouterr().out


def first(results: dict[str, Any], want: Any) -> tuple[str, str]:
    """The first (case, column) whose outcome satisfies `want`, among columns not listed as expected."""
    listed = load_baseline(BASELINES).expected
    for record in results["cases"]:
        for column, outcome in record["columns"].items():
            if (column, record["id"]) not in listed and want(outcome):
                return record["id"], column
    raise AssertionError("no such outcome in the run")


def test_planted_status_change_is_the_only_change(project: tuple[dict[str, Any], list[Any]], copy: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    results, cases = project
    case_id, column = first(results, lambda o: o["status"] == "ok")
    edit(copy, case_id, column, lambda o: o.update(status="error", outputs={}, error={
        "type": "ValueError", "base": "ValueError", "message": "planted", "where": "step 1"}))
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    assert failed(report) == [(case_id, column, "silent_divergence")]
    path = copy.parent / "results.json"
    path.write_text(json.dumps({k: v for k, v in results.items() if not k.startswith("_")}))
    assert main(["check", str(ROOT / "cases"), "--results", str(path), "--against", str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"CHANGED silent_divergence: {case_id} [{column}]: status error -> ok" in out
    assert f"reproduce: oracle show {case_id}" in out


def test_planted_warning_is_reported_as_gone(project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    case_id, column = first(results, lambda o: o["status"] == "ok" and not o["warnings"])
    edit(copy, case_id, column, lambda o: o.update(warnings=[{"category": "FutureWarning", "message": "planted"}]))
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    assert failed(report) == [(case_id, column, "warning_only")]
    assert next(i for i in report.items if i.failed).explanation == "now: warning gone: FutureWarning: planted"


def scalable(t: dict[str, Any]) -> bool:
    """A finite float32 output large enough that 0.1% of it is beyond float32's tolerance."""
    values = Tensor.from_results(t).values
    return t["dtype"] == "float32" and not (t["nan"] or t["inf"]) and float(abs(values).max()) >= 1e-2  # type: ignore


def _scale(factor: float) -> Any:
    def change(o: dict[str, Any]) -> None:
        name = next(n for n, t in o["outputs"].items() if scalable(t))
        t = o["outputs"][name]
        t["values"] = (Tensor.from_results(t).values.astype("float64") * factor).tolist()  # type: ignore[union-attr]
    return change


def test_planted_value_beyond_tolerance_is_found_and_within_is_not(
        project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    listed = load_baseline(BASELINES).expected
    case_id, column = next((r["id"], c) for r in results["cases"] for c, o in r["columns"].items()
                           if o["status"] == "ok" and (c, r["id"]) not in listed and native_snippet(r, c)
                           and any(map(scalable, o["outputs"].values())))
    edit(copy, case_id, column, _scale(1 + 1e-6))  # float32 rtol is 1e-5: not a change
    assert failed(check(cast(ResultsDocument, results), load_baseline(copy), cases)) == []
    edit(copy, case_id, column, _scale(1 + 1e-3))
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    assert failed(report) == [(case_id, column, "value_mismatch")]
    item = next(i for i in report.items if i.failed)
    assert "values differ beyond rtol=" in item.explanation  # the dtype's, or the case's own tolerance
    assert item.snippet.startswith("import numpy as np") and item.snippet in "\n".join(
        line[6:] if line.startswith("    | ") else line for line in format_report(report)) + "\n"


def test_unused_baseline_is_reported(project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    shutil.copy(copy / "cases" / f"{cases[0].id}.json", copy / "cases" / "case-that-was-deleted.json")
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    assert report.unused_baselines == [copy / "cases" / "case-that-was-deleted.json"]
    assert report.exit_code == 0
    assert any("unused baseline" in line for line in format_report(report))


def test_case_without_baseline_fails_as_new(project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    (copy / "cases" / f"{cases[0].id}.json").unlink()
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    assert {(i.case, i.state) for i in report.items if i.failed} == {(cases[0].id, "new")}


def _listing(copy: Path, framework: str, case_id: str, kind: str) -> None:
    with open(copy / "expected" / f"{framework}.yaml", "a") as handle:
        handle.write(f"- case: {case_id}\n  kind: {kind}\n  reason: planted\n")


def test_listed_divergence_that_disappears_is_fixed_not_hidden(
        project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    agreeing = next(r for r in results["cases"] for v in r["verdicts"]
                    if v["columns"] == ["reference", "torch"] and v["kind"] == "agree")
    _listing(copy, "torch", agreeing["id"], "value_mismatch")
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    fixed = [(i.case, i.column) for i in report.items if i.state == "fixed"]
    assert fixed == [(agreeing["id"], "torch")] and report.exit_code == 0
    assert any(line.startswith(f"FIXED value_mismatch: {agreeing['id']} [torch]") for line in format_report(report))


def test_listed_divergence_of_another_kind_fails(project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    diverging = next((r, v["kind"]) for r in results["cases"] for v in r["verdicts"]
                     if v["columns"] == ["reference", "jax"] and v["kind"] not in ("agree", "dtype_mismatch")
                     and (("jax", r["id"]) not in load_baseline(BASELINES).expected))
    _listing(copy, "jax", diverging[0]["id"], "dtype_mismatch")
    found = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    assert failed(found) == [(diverging[0]["id"], "jax", diverging[1])]


def test_listed_divergence_still_there_does_not_fail_even_when_details_change(
        project: tuple[dict[str, Any], list[Any]], copy: Path) -> None:
    results, cases = project
    listed = next(iter(load_baseline(BASELINES).expected.items()))
    (framework, case_id), entry = listed
    edit(copy, case_id, framework, lambda o: o.update(warnings=[*o["warnings"], {"category": "X", "message": "y"}]))
    report = check(cast(ResultsDocument, results), load_baseline(copy), cases)
    item = next(i for i in report.items if (i.case, i.column) == (case_id, framework))
    assert item.state == "expected" and "changed since the baseline" in item.explanation and report.exit_code == 0


def test_a_listed_divergence_without_the_reference_is_judged_against_its_baseline(
        project: tuple[dict[str, Any], list[Any]]) -> None:
    """`oracle check --columns tensorflow` runs no reference: the listed divergence cannot be judged (it was
    reported CHANGED, verdict None); the column is compared with its baseline instead."""
    results, cases = project
    (framework, case_id), _ = next(iter(load_baseline(BASELINES).expected.items()))
    record = next(r for r in results["cases"] if r["id"] == case_id)
    alone = {**record, "columns": {framework: record["columns"][framework]}, "verdicts": []}
    report = check(cast(ResultsDocument, {**results, "cases": [alone]}), load_baseline(BASELINES),
                   [c for c in cases if c.id == case_id])
    assert [(i.case, i.column, i.state) for i in report.items] == [(case_id, framework, "same")]
    assert report.exit_code == 0


def test_snapshot_rounds_sorts_and_is_stable(project: tuple[dict[str, Any], list[Any]], tmp_path: Path) -> None:
    results, _ = project
    write_snapshot(cast(ResultsDocument, results), tmp_path / "a")
    write_snapshot(json.loads(json.dumps({k: v for k, v in results.items() if not k.startswith("_")})), tmp_path / "b")
    for path in sorted((tmp_path / "a").rglob("*.json")):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    record = snapshot_case(results["cases"][0])
    text = dumps(record)
    assert json.loads(text) == record and list(json.loads(text)) == sorted(record)
    scalars = [(t["dtype"], t["values"]) for r in results["cases"] for c in snapshot_case(r)["columns"].values()
               for t in c["outputs"].values() if t["shape"] == [] and isinstance(t["values"], float)]
    assert {"float32", "float64"} <= {d for d, _ in scalars}
    for dtype, value in scalars:  # each stored float is already rounded to its dtype's digits
        assert float(f"{value:.{SIGNIFICANT_DIGITS[dtype]}g}") == value


def test_changes_between_two_outcomes_in_order() -> None:
    import numpy as np

    before = Outcome("ok", outputs={"loss": Tensor(np.array(1.0, np.float32))})
    same = Outcome("ok", outputs={"loss": Tensor(np.array(1.0, np.float32))})
    assert changes(before, same) == ("", [])
    nan = Outcome("ok", outputs={"loss": Tensor(np.array(np.nan, np.float32))})
    kind, clauses = changes(before, nan)
    assert kind == "nan_inf_mismatch" and "NaN pattern differs" in clauses[0]
    wider = Outcome("ok", outputs={"loss": Tensor(np.array(1.0, np.float64))})
    assert changes(before, wider)[0] == "dtype_mismatch"
    assert changes(Outcome("unsupported"), Outcome("unsupported")) == ("", [])


def test_a_malformed_expected_file_names_file_entry_and_field(copy: Path) -> None:
    from oracle.baseline import BaselineError

    (copy / "expected" / "torch.yaml").write_text("- case: x\n  kind: agree\n  reason: r\n")
    with pytest.raises(BaselineError, match=r"torch.yaml: entry 1: kind: Input should be 'silent_divergence'"):
        load_baseline(copy)
    (copy / "expected" / "torch.yaml").write_text("case: x\n")
    with pytest.raises(BaselineError, match="expected a list of entries"):
        load_baseline(copy)


def _results(values: list[float], platform: str = "here", case_id: str = "c") -> dict[str, Any]:
    """A one-case, one-column results document, as oracle.results builds it."""
    import numpy as np

    outcome = Outcome("ok", "torch", "2.0", "cpu", outputs={"y": Tensor(np.array(values, np.float32))},
                      native_api=["torch.f"]).to_results()
    record = {"id": case_id, "file": f"cases/{case_id}.yaml", "steps": ["y = f(x)"], "grad": None, "summary": "s",
              "columns": {"torch": outcome}, "semantics": {}}
    return {"platform": platform, "environment": {"torch": {"framework": "torch", "version": "2.0"}},
            "cases": [record]}


def test_a_snapshot_rewrites_only_cells_changed_beyond_tolerance(tmp_path: Path) -> None:
    values = [float(i) / 7 for i in range(1024)]
    first = write_snapshot(cast(ResultsDocument, _results(values)), tmp_path)
    assert sorted(p.name for p in first) == ["c.json", "environment.json"]
    stored = (tmp_path / "cases" / "c.json").read_text()
    row = next(line for line in stored.splitlines() if "0.14285715" in line)
    assert len(row) < 400 and len(stored.splitlines()) > 1024 // 16  # a 1,024-value row is wrapped
    assert json.loads(stored)["columns"]["torch"]["outputs"]["y"]["values"][1] == pytest.approx(1 / 7)

    nearby = [v * (1 + 1e-7) for v in values]  # another CPU: the last digits move, within float32 tolerance
    assert write_snapshot(cast(ResultsDocument, _results(nearby)), tmp_path) == []
    assert (tmp_path / "cases" / "c.json").read_text() == stored

    moved = [v + 1.0 for v in values]
    assert write_snapshot(cast(ResultsDocument, _results(moved)), tmp_path) == [tmp_path / "cases" / "c.json"]
    assert json.loads((tmp_path / "cases" / "c.json").read_text())["columns"]["torch"]["outputs"]["y"]["values"][0] == 1


def test_a_snapshot_of_a_subset_keeps_the_recorded_platform(tmp_path: Path) -> None:
    write_snapshot(cast(ResultsDocument, _results([1.0], "first machine", "a")), tmp_path)
    write_snapshot(cast(ResultsDocument, _results([1.0], "first machine", "b")), tmp_path)
    # only case a: b's platform still stands
    write_snapshot(cast(ResultsDocument, _results([2.0], "second machine", "a")), tmp_path)
    assert json.loads((tmp_path / "environment.json").read_text())["platform"] == "first machine"
    both = _results([2.0], "second machine", "a")
    both["cases"] += _results([1.0], "second machine", "b")["cases"]
    # every case, nothing changed: not even the platform moves
    assert write_snapshot(cast(ResultsDocument, both), tmp_path) == []
    assert json.loads((tmp_path / "environment.json").read_text())["platform"] == "first machine"
    both["cases"][1] = _results([3.0], "second machine", "b")["cases"][0]
    write_snapshot(cast(ResultsDocument, both), tmp_path)  # every case, one changed: recorded on this platform
    assert json.loads((tmp_path / "environment.json").read_text())["platform"] == "second machine"
