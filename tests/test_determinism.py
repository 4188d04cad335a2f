"""Two runs give the same results.json, timings aside.

The second run covers a subset of the suite chosen to hold every binding kind of every framework,
every gradient option, a training case, a literal input and a case of every family folder (the first
case in file order that has each), and its records must equal the session's whole-suite run case for case: a case's outcome
depends neither on the run nor on which other cases share its workers. The second run starts fresh workers, while
the session's run used workers kept warm from earlier tests' runs, so reusing a worker changes no outcome either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k != "elapsed_s"}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def covering_files() -> tuple[list[Path], set[tuple[str, ...]]]:
    """The case files that first show each binding kind per framework, gradient option and case kind."""
    from oracle.cases import load_cases
    from oracle.ops import OPS
    from oracle.ops.spec import FRAMEWORKS

    chosen: dict[tuple[str, ...], Path] = {}
    for loaded in sorted(load_cases([ROOT / "cases"]), key=lambda c: (str(c.path), c.id)):
        case = loaded.case
        keys: list[tuple[str, ...]] = [("binding", framework, leaf.kind) for step in loaded.steps
                for framework in FRAMEWORKS for leaf in OPS[step.op].binding(framework).leaves()]
        if case.grad:
            grad = case.grad
            keys.append(("grad", grad.idiom, str(grad.unconnected), str(grad.calls), str(grad.accumulate),
                         str(grad.order)))
        keys += [("training",)] if case.model else []
        keys.append(("family", loaded.path.parent.name))
        keys += [("literal",)] if any(spec.literal is not None for spec in case.inputs.values()) else []
        for key in keys:
            chosen.setdefault(key, loaded.path)
    return sorted(set(chosen.values())), set(chosen)


def test_the_subset_covers_every_binding_kind_and_idiom() -> None:
    files, kinds = covering_files()
    assert {("training",), ("literal",)} <= kinds
    assert {k[2] for k in kinds if k[0] == "binding"} >= {"call", "construct", "method", "custom", "none"}
    assert len({k[1] for k in kinds if k[0] == "grad"}) >= 5  # every idiom
    assert len(files) < len(list((ROOT / "cases").rglob("*.yaml"))) / 2  # a subset, not the suite again


def test_two_runs_give_identical_results(pipeline: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from oracle import worker_slot as runner
    from oracle.cli import main

    monkeypatch.setattr(runner, "WARM", None)  # fresh workers: the session's run was made by warm ones
    files, _ = covering_files()
    out = tmp_path_factory.mktemp("second-run")
    assert main(["run", *map(str, files), str(DATA / "cases"), "--out", str(out)]) == 0  # as the fixture runs it
    first = json.loads((pipeline["_out"] / "results.json").read_text())
    second = json.loads((out / "results.json").read_text())
    assert first["complete"] and second["complete"] and len(second["cases"]) >= 30
    assert any(cell["elapsed_s"] > 0 for case in first["cases"] for cell in case["columns"].values())
    again = {case["id"]: case for case in second["cases"]}
    assert set(again) < {case["id"] for case in first["cases"]}
    for case in first["cases"]:
        if case["id"] in again:
            assert _without_timings(case) == _without_timings(again[case["id"]]), case["id"]
    assert _without_timings(first["environment"]) == _without_timings(second["environment"])
