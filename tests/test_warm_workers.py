"""Workers kept warm between runs of one process (oracle.worker_slot.Warm, on for the test session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oracle import worker_slot as runner
from oracle.cli import main

CASE = Path(__file__).resolve().parent / "data" / "cases" / "t-mse-broadcast.yaml"


def _run(out: Path) -> tuple[dict[str, Any], str]:
    assert main(["run", str(CASE), "--columns", "jax", "--out", str(out)]) == 0
    cells = {c["id"]: c["columns"]["jax"] for c in json.loads((out / "results.json").read_text())["cases"]}
    return {i: {k: v for k, v in cell.items() if k != "elapsed_s"} for i, cell in cells.items()}, \
        (out / "logs" / "jax.log").read_text()


def test_a_second_run_reuses_the_worker_and_records_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warm = runner.Warm()
    monkeypatch.setattr(runner, "WARM", warm)
    try:
        first, first_log = _run(tmp_path / "a")
        assert "kept warm" not in first_log
        [(worker, _)] = warm.idle.values()
        second, second_log = _run(tmp_path / "b")
        assert f"(worker pid {worker.process.pid} kept warm from an earlier run; its log: " \
               f"{tmp_path / 'a' / 'logs' / 'jax.log'})" in second_log
        assert second == first
        runner.kill_all_workers()  # an idle worker killed (as a stop does) is not handed out again
        third, third_log = _run(tmp_path / "c")
        assert "kept warm" not in third_log and third == first
        monkeypatch.setenv("ORACLE_FAULTS", "no-such-case=kill")  # a worker with injected faults is never kept
        _run(tmp_path / "d")
        assert all(dict(key[-1]).get("ORACLE_FAULTS") is None for key in warm.idle)
    finally:
        warm.close()
    assert not warm.idle
