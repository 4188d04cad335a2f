"""`make chaos`: kill or stop the orchestrator or one of its workers at random points of real runs.

Each trial starts `oracle run` on the test cases (copied with `timeout_s: 10`) and, after a random
delay, does one of:
- kill (SIGKILL) the oracle process or one of its workers, then run `oracle run --resume` until it
  exits 0: the final results must equal a clean run's (timings aside), every (case, column) cell
  present exactly once;
- stop (SIGSTOP) a worker, whether it is computing, reading a request or idle: the run must end
  within its timeouts, and every cell but the one the stopped worker held equals the clean run's;
  that one is `timeout`;
- kill a worker mid-answer (the `torn` fault: the first bytes of an answer, then SIGKILL) on a random
  case: that case's cells are `crash`, every other cell equals the clean run's.
Not collected by `make test` (the file name is not test_*.py); run it with `make chaos`
(CHAOS_TRIALS, CHAOS_SEED).
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

from oracle.runner import START_TIMEOUT_S

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "cases"
COLUMNS = "reference,jax"
TRIALS = int(os.environ.get("CHAOS_TRIALS", 12))
SEED = int(os.environ.get("CHAOS_SEED", time.time_ns() % 100_000))
MAX_RESUMES = 4
TIMEOUT_S = 10  # each case's, so a stopped worker costs seconds, not the default two minutes
CASES: list[Path] = []  # the copies, with TIMEOUT_S


def _run(out: Path, *extra: str, faults: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "ORACLE_FAULTS": faults} if faults else None
    return subprocess.Popen([sys.executable, "-m", "oracle.cli", "run", *map(str, CASES), "--columns", COLUMNS,
                             "--out", str(out), *extra], cwd=ROOT, text=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=env)


def _copies(folder: Path) -> list[Path]:
    folder.mkdir()
    for case in sorted(DATA.glob("*.yaml")):
        (folder / case.name).write_text(case.read_text().rstrip("\n") + f"\ntimeout_s: {TIMEOUT_S}\n")
    return sorted(folder.glob("*.yaml"))


# a case's judgement of its cells, and the snippets written from its columns' notes: they differ by design where a
# cell does (a crashed column recorded no notes)
DERIVED = ("summary", "verdicts", "semantics", "contrast", "snippets")


def _frame(results: dict[str, Any], target: str) -> dict[str, Any]:
    """All but the cells; where a cell differs by design (a stop, a torn answer), not its case's judgement."""
    frame = {k: v for k, v in results.items() if k != "cells"}
    if target in ("stop", "torn"):
        frame["cases"] = [{k: v for k, v in c.items() if k not in DERIVED} for c in frame["cases"]]
    if target == "stop":  # a worker stopped while it imports: its column is unavailable, and says why
        frame["environment"] = sorted(frame["environment"])
    return frame


def _differing(got: dict[str, Any], expected: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The cells that differ from the clean run's, each with its status."""
    return {key: cell["status"] for key, cell in got["cells"].items() if expected["cells"].get(key) != cell}


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
    CASES[:] = _copies(tmp_path / "cases")
    started = time.monotonic()
    clean = _run(tmp_path / "clean")
    assert clean.wait(timeout=600) == 0
    duration = time.monotonic() - started  # kills land anywhere from interpreter start to the last write
    expected = _comparable(json.loads((tmp_path / "clean" / "results.json").read_text()))
    cases = len({c for c, _ in expected["cells"]})
    assert len(expected["cells"]) == cases * len(COLUMNS.split(","))
    failures, tally = [], {"orchestrator": 0, "worker": 0, "stop": 0, "torn": 0, "missed": 0, "resumes": 0}
    for trial in range(TRIALS):
        out = tmp_path / f"trial-{trial}"
        target = rng.choice(["orchestrator", "worker", "stop", "torn"])
        delay = rng.uniform(0.1, duration)
        torn = rng.choice(sorted({c for c, _ in expected["cells"]})) if target == "torn" else ""
        process = _run(out, faults=f"{torn}=torn" if torn else "")
        if target == "torn":
            tally["torn"] += 1
        else:
            time.sleep(delay)
            victims = [process.pid] if target == "orchestrator" else _children(process.pid)
            if process.poll() is not None or not victims:
                tally["missed"] += 1  # the run ended (or had no worker) before the kill
            else:
                tally[target] += 1
                os.kill(rng.choice(victims), signal.SIGSTOP if target == "stop" else signal.SIGKILL)
        try:
            # a stopped worker costs its cell's timeout (and a deadline on the next send), or, stopped while it
            # imports, the start timeout; never a hang
            process.wait(timeout=duration + 3 * TIMEOUT_S + START_TIMEOUT_S + 120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            failures.append(f"trial {trial} ({target} after {delay:.1f} s): the run did not end within its timeouts")
            continue
        if _alive_group(process.pid):  # orphaned workers see their pipes close and exit; never leave one behind
            time.sleep(1)
            if _alive_group(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
        code = process.returncode  # 3 after a stop or a torn answer: that cell is timeout or crash, as recorded
        for _ in range(MAX_RESUMES):
            if code == 0 or code == 3 and target in ("stop", "torn"):
                break
            resumed = _run(out, "--resume")  # a kill: resume until the run is whole
            code = resumed.wait(timeout=600)
            tally["resumes"] += 1
        try:
            assert code in (0, 3), f"--resume exited {code}"
            got = _comparable(json.loads((out / "results.json").read_text()))
            assert _frame(got, target) == _frame(expected, target), "the run's frame differs from a clean run's"
            differing = _differing(got, expected)
            if target == "torn":
                assert differing == {(torn, c): "crash" for c in COLUMNS.split(",")}, differing
            elif target == "stop":  # the cell it held times out; stopped before its hello, its column cannot start
                column_lost = len({c for _, c in differing}) == 1 and len(set(differing.values())) == 1 \
                    and set(differing.values()) <= {"unavailable", "crash"}  # every cell of it: no worker started
                assert column_lost or len(differing) <= 1 and set(differing.values()) <= {"timeout"}, differing
            else:
                assert not differing and code == 0, f"results differ from a clean run's: {differing}"
        except AssertionError as exc:
            failures.append(f"trial {trial} ({target} after {delay:.1f} s): {exc}")
    print(f"\nchaos (seed {SEED}): {TRIALS} trials, {tally['orchestrator']} orchestrator kills, "
          f"{tally['worker']} worker kills, {tally['stop']} workers stopped, {tally['torn']} answers torn, "
          f"{tally['missed']} runs ended before the kill, {tally['resumes']} resumes, "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures)


def _alive_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
