"""Issue 24, items 2, 5, 12: a worker stopped while a large request is written, a worker killed mid-answer,
and the time such cells took. Faults are injected with ORACLE_FAULTS (oracle/worker.py); the `jax` column
keeps the runs cheap."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

import pytest

from oracle.cases import load_cases
from oracle.cli import EXIT_CELLS_FAILED, run_exit_code
from oracle.model import ResultsDocument
from oracle.results import execute
from oracle.runner import Column, kill_all_workers

CASE = """\
id: {id}
title: "worker fault target"
inputs:
  x: {{shape: {shape}, dtype: float32, init: {{normal: {{seed: 0}}}}}}
steps:
  - y = log(x)
  - m = mean(y)
observe: [m]
timeout_s: {timeout}
"""
TIMEOUT_S = 5
BIG = [4, 1 << 20]  # 16 MB of float32 inputs: far more than a pipe's buffer


def _cases(tmp_path: Path, specs: dict[str, list[int]]) -> list[Any]:
    folder = tmp_path / "cases"
    folder.mkdir()
    for case_id, shape in specs.items():
        (folder / f"{case_id}.yaml").write_text(CASE.format(id=case_id, shape=shape, timeout=TIMEOUT_S))
    return load_cases([folder])


def _execute_within(cases: list[Any], tmp_path: Path, seconds: float) -> ResultsDocument:
    """execute() on the jax column; fail the test (not hang it) if it has not returned within `seconds`."""
    done: list[ResultsDocument] = []
    runner = threading.Thread(target=lambda: done.append(execute(cases, [Column("jax", "jax")], tmp_path / "logs")),
                              daemon=True)
    runner.start()
    runner.join(seconds)
    if not done:
        kill_all_workers()
        pytest.fail(f"the run did not end within {seconds} s although every case's timeout_s is {TIMEOUT_S}")
    return done[0]


def test_a_worker_stopped_before_a_large_request_times_out_that_cell(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # a-freeze answers, then SIGSTOPs itself: the 16 MB request of b-big can never be written to its pipe
    cases = _cases(tmp_path, {"a-freeze": [2], "b-big": BIG, "c-after": [2]})
    monkeypatch.setenv("ORACLE_FAULTS", "a-freeze=freeze")
    results = _execute_within(cases, tmp_path, 150)
    cells = {c["id"]: c["columns"]["jax"] for c in results["cases"]}
    assert cells["a-freeze"]["status"] == "ok"
    assert cells["b-big"]["status"] == "timeout", cells["b-big"]
    assert "took no request" in cells["b-big"]["notes"]["reason"]
    assert cells["b-big"]["elapsed_s"] >= TIMEOUT_S * 0.9  # item 12: the cell took its whole timeout
    assert cells["c-after"]["status"] == "ok"  # a fresh worker ran the rest
    assert results["complete"]


def test_a_worker_killed_mid_answer_costs_only_that_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(tmp_path, {"a-before": [2], "b-torn": [2], "c-after": [2]})
    monkeypatch.setenv("ORACLE_FAULTS", "b-torn=torn")
    results = _execute_within(cases, tmp_path, 150)
    cells = {c["id"]: c["columns"]["jax"] for c in results["cases"]}
    assert results["complete"]  # not "interrupted": nothing was lost
    assert cells["a-before"]["status"] == "ok" and cells["c-after"]["status"] == "ok"
    assert cells["b-torn"]["status"] == "crash"
    assert "killed by SIGKILL during this case" in cells["b-torn"]["notes"]["reason"]
    assert cells["b-torn"]["elapsed_s"] > 0.0  # item 12: not 0.0
    assert run_exit_code(cast(ResultsDocument, results)) == EXIT_CELLS_FAILED


def test_a_timeout_records_the_time_it_took(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(tmp_path, {"a-hang": [2]})
    monkeypatch.setenv("ORACLE_FAULTS", "a-hang=hang")
    cell = _execute_within(cases, tmp_path, 150)["cases"][0]["columns"]["jax"]
    assert cell["status"] == "timeout" and cell["elapsed_s"] >= TIMEOUT_S * 0.9


def test_an_explore_worker_stopped_before_a_large_batch_is_replaced(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24 item 2 for exploration's pool: its batches are sent with a deadline too, so a worker stopped
    (SIGSTOP) after a batch cannot hang the next, large one; a fresh worker answers it."""
    from oracle.explore.pool import WarmPool
    from oracle.plan import plan

    cases = {c.case.id: plan(c) for c in _cases(tmp_path, {"a-freeze": [2], "b-big": BIG})}
    monkeypatch.setenv("ORACLE_FAULTS", "a-freeze=freeze")
    rows: list[Any] = []

    def explore() -> None:
        with WarmPool([Column("jax", "jax")], tmp_path / "logs") as pool:
            rows.extend(pool.run([cases["a-freeze"]]))
            rows.extend(pool.run([cases["b-big"]]))

    runner = threading.Thread(target=explore, daemon=True)
    runner.start()
    runner.join(150)
    if runner.is_alive():
        kill_all_workers()
        pytest.fail("the pool hung on a stopped worker")
    assert [row["jax"].status for row in rows] == ["ok", "ok"]


def test_an_explore_worker_has_the_memory_cap_and_its_out_of_memory_is_resource_exhausted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exploration's workers are capped as oracle run's are (ORACLE_WORKER_MEMORY, RLIMIT_DATA), and a worker
    that runs out of memory in a batch costs that example as `resource_exhausted`, not `crash`."""
    from oracle.explore.pool import WarmPool
    from oracle.plan import plan
    from oracle.protocol import MEMORY_ENV

    cap = 6 << 30
    cases = {c.case.id: plan(c) for c in _cases(tmp_path, {"a-oom": [2], "b-after": [2]})}
    monkeypatch.setenv("ORACLE_FAULTS", "a-oom=oom")
    monkeypatch.setenv(MEMORY_ENV, str(cap))
    with WarmPool([Column("jax", "jax")], tmp_path / "logs") as pool:
        worker = pool.slots[0].slot.worker
        assert worker is not None
        limits = Path(f"/proc/{worker.process.pid}/limits").read_text().splitlines()
        data = next(line for line in limits if line.startswith("Max data size")).split()
        assert data[3] == str(cap), data
        rows = pool.run([cases["a-oom"], cases["b-after"]])
    assert rows[0]["jax"].status == "resource_exhausted", rows[0]["jax"]
    assert "out of memory" in rows[0]["jax"].notes["reason"]
    assert rows[1]["jax"].status == "ok"
