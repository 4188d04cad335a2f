"""A worker killed, hung or out of memory costs only its cell; the worker restarts; the rest is intact.

Faults are injected with ORACLE_FAULTS (read by oracle/worker.py, tests only). The `jax`
column keeps these runs cheap; every other cell is compared with a run without faults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oracle.cases import load_case, load_cases
from oracle.model import ResultsDocument
from oracle.results import execute
from oracle.runner import Column

DATA = Path(__file__).resolve().parent / "data" / "cases"
HANG_TIMEOUT_S = 4

FAULT_CASE = """\
id: {id}
title: "fault injection target: {fault}"
inputs:
  x: {{values: [0.5, 2.0]}}
steps:
  - y = log(x)
timeout_s: {timeout}
"""
FAULTS = {"f1-kill": "kill", "f2-hang": "hang", "f3-oom": "oom", "f4-raise": "raise"}


def _cases(tmp_path: Path) -> list[Any]:
    """The test cases with a fault target after each: a fault never sits at the end of the run."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for case_id, fault in FAULTS.items():
        timeout = HANG_TIMEOUT_S if fault == "hang" else 120
        (folder / f"{case_id}.yaml").write_text(FAULT_CASE.format(id=case_id, fault=fault, timeout=timeout))
    data = load_cases([DATA])
    faulty = [load_case(folder / f"{case_id}.yaml") for case_id in FAULTS]
    return [c for pair in zip(data, faulty) for c in pair]


def _cells(results: ResultsDocument) -> dict[str, dict[str, Any]]:
    cells = {}
    for case in results["cases"]:
        cell = dict(case["columns"]["jax"])
        cell.pop("elapsed_s")
        cells[case["id"]] = cell
    return cells


def test_each_fault_costs_only_its_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(tmp_path)
    clean = execute(cases, [Column("jax", "jax")], tmp_path / "clean-logs")
    monkeypatch.setenv("ORACLE_FAULTS", ",".join(f"{k}={v}" for k, v in FAULTS.items()))
    faulty = execute(cases, [Column("jax", "jax")], tmp_path / "logs")

    assert faulty["complete"] and faulty["environment"]["jax"]["available"]
    before, after = _cells(clean), _cells(faulty)
    assert list(after) == [c.id for c in cases]
    for case_id in FAULTS:
        assert before[case_id]["status"] == "ok"  # without the fault the case is fine
    reasons = {case_id: after[case_id]["notes"]["reason"] for case_id in FAULTS}
    assert after["f1-kill"]["status"] == "crash" and "killed by SIGKILL" in reasons["f1-kill"]
    assert after["f2-hang"]["status"] == "timeout" and f"within {HANG_TIMEOUT_S} s" in reasons["f2-hang"]
    assert after["f3-oom"]["status"] == "resource_exhausted" and "out of memory" in reasons["f3-oom"]
    assert after["f4-raise"]["status"] == "crash" and "injected adapter failure" in reasons["f4-raise"]
    for fault in ("f1-kill", "f2-hang", "f3-oom"):
        assert "worker restarted" in reasons[fault]
    for case_id, cell in after.items():
        if case_id not in FAULTS:
            assert cell == before[case_id], case_id  # every other cell: as in the run without faults

    log = (tmp_path / "logs" / "jax.log").read_text()
    for case_id, fault in FAULTS.items():
        assert f"oracle fault injection: {fault} in {case_id}" in log  # the fault really happened there

