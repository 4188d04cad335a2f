"""`make chaos`: kill the orchestrator or one of its workers at random points of real runs.

Each trial starts `oracle run` on the test cases, kills (SIGKILL) either the oracle process or
one of its workers after a random delay, then runs `oracle run --resume` until it exits 0. The
final results must equal a clean run's (timings aside), with every (case, column) cell present
exactly once. Not collected by `make test` (the file name is not test_*.py); run it with
`make chaos` (CHAOS_TRIALS, CHAOS_SEED).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "cases"
COLUMNS = "reference,jax"
TRIALS = int(os.environ.get("CHAOS_TRIALS", 12))
SEED = int(os.environ.get("CHAOS_SEED", time.time_ns() % 100_000))
MAX_RESUMES = 4


def _run(out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "oracle.cli", "run", str(DATA), "--columns", COLUMNS,
                             "--out", str(out), *extra], cwd=ROOT, text=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _cells(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    cells = {}
    for case in results["cases"]:
        for name, cell in case["columns"].items():
            assert (case["id"], name) not in cells, f"cell {case['id']}/{name} twice"
            cells[(case["id"], name)] = {k: v for k, v in cell.items() if k != "elapsed_s"}
    return cells


def _comparable(results: dict[str, Any]) -> dict[str, Any]:
    return {"complete": results["complete"], "missing": results["missing"], "environment": results["environment"],
            "cases": [{k: v for k, v in c.items() if k != "columns"} for c in results["cases"]],
            "cells": _cells(results)}


def test_chaos(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    started = time.monotonic()
    clean = _run(tmp_path / "clean")
    assert clean.wait(timeout=600) == 0
    duration = time.monotonic() - started  # kills land anywhere from interpreter start to the last write
    expected = _comparable(json.loads((tmp_path / "clean" / "results.json").read_text()))
    cases = len({c for c, _ in expected["cells"]})
    assert len(expected["cells"]) == cases * len(COLUMNS.split(","))
    failures, tally = [], {"orchestrator": 0, "worker": 0, "missed": 0, "resumes": 0}
    for trial in range(TRIALS):
        out = tmp_path / f"trial-{trial}"
        target = rng.choice(["orchestrator", "worker"])
        delay = rng.uniform(0.1, duration)
        process = _run(out)
        time.sleep(delay)
        victims = [process.pid] if target == "orchestrator" else _children(process.pid)
        if process.poll() is not None or not victims:
            tally["missed"] += 1  # the run ended (or had no worker) before the kill
        else:
            tally[target] += 1
            os.kill(rng.choice(victims), signal.SIGKILL)
        process.wait(timeout=600)
        if _alive_group(process.pid):  # orphaned workers see their pipes close and exit; never leave one behind
            time.sleep(1)
            if _alive_group(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
        code = None
        for _ in range(MAX_RESUMES):
            resumed = _run(out, "--resume")
            code = resumed.wait(timeout=600)
            tally["resumes"] += 1
            if code == 0:
                break
        try:
            assert code == 0, f"--resume exited {code}"
            got = _comparable(json.loads((out / "results.json").read_text()))
            assert got == expected, "results differ from a clean run's"
        except AssertionError as exc:
            failures.append(f"trial {trial} ({target} after {delay:.1f} s): {exc}")
    print(f"\nchaos (seed {SEED}): {TRIALS} trials, {tally['orchestrator']} orchestrator kills, "
          f"{tally['worker']} worker kills, {tally['missed']} runs ended before the kill, {tally['resumes']} resumes, "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures)


def _alive_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
