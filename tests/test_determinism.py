"""Two runs of the whole suite give the same results.json, timings aside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in ("elapsed_s", "date")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def test_two_runs_give_identical_results(pipeline: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    from oracle.cli import main

    out = tmp_path_factory.mktemp("second-run")
    assert main(["run", str(ROOT / "cases"), str(DATA / "cases"), "--out", str(out)]) == 0  # as the fixture runs it
    first = json.loads((pipeline["_out"] / "results.json").read_text())
    second = json.loads((out / "results.json").read_text())
    assert first["complete"] and len(first["cases"]) >= 30
    assert any(cell["elapsed_s"] > 0 for case in first["cases"] for cell in case["columns"].values())
    assert _without_timings(first) == _without_timings(second)
