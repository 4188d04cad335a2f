"""Ctrl-C or SIGTERM to a real `oracle run`: what was gathered is written, marked incomplete;
`oracle run --resume` runs only the missing cells and ends where an uninterrupted run ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from processes import DATA, ORDER, WAIT_S, oracle_process, wait_for

HANG_AT = "t-mse-broadcast"


def _oracle(out: Path, *extra: str, faults: str = "", **kwargs: Any) -> subprocess.Popen[str]:
    return oracle_process("run", str(DATA), "--columns", "jax", "--out", str(out), *extra, faults=faults, **kwargs)


def _without_timings(results: dict[str, Any]) -> dict[str, Any]:
    for case in results["cases"]:
        for cell in case["columns"].values():
            cell.pop("elapsed_s")
    results.get("provenance", {}).pop("date", None)  # the time of writing, like the timings
    return results


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_run_keeps_what_it_has_and_resumes(sig: signal.Signals, tmp_path: Path) -> None:
    out = tmp_path / "run"
    # the third case hangs (its timeout is 120 s), so the signal is sure to land mid-run
    process = _oracle(out, faults=f"{HANG_AT}=hang", start_new_session=True)
    wait_for(out / "logs" / "jax.log", f"oracle fault injection: hang in {HANG_AT}")
    if sig == signal.SIGINT:
        os.killpg(process.pid, sig)  # Ctrl-C in a terminal: the whole process group, workers included
    else:
        process.send_signal(sig)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 128 + sig, output
    assert "--resume" in output

    partial = json.loads((out / "results.json").read_text())
    assert partial["complete"] is False
    assert partial["missing"] == {HANG_AT: ["jax"], "t-nonscalar-grad": ["jax"]}
    assert [c["id"] for c in partial["cases"]] == ORDER[:2]
    assert all(c["columns"]["jax"]["status"] == "ok" for c in partial["cases"])
    assert not list(out.glob(".results.json.*.tmp"))  # the atomic write left no temporary file

    # resume with faults on the cells already done: had they been run again, they would crash
    resumed = _oracle(out, "--resume", faults=",".join(f"{c}=kill" for c in ORDER[:2]))
    output, _ = resumed.communicate(timeout=WAIT_S)
    assert resumed.returncode == 0, output
    final = json.loads((out / "results.json").read_text())
    assert final["complete"] is True and final["missing"] == {}
    assert [c["id"] for c in final["cases"]] == ORDER
    for done, again in zip(partial["cases"], final["cases"]):
        assert again["columns"] == done["columns"]  # kept as they were, timings included
    assert "oracle fault injection" not in (out / "logs" / "jax.log").read_text().split(f"hang in {HANG_AT}")[-1]

    fresh = _oracle(tmp_path / "fresh")
    output, _ = fresh.communicate(timeout=WAIT_S)
    assert fresh.returncode == 0, output
    expected = json.loads((tmp_path / "fresh" / "results.json").read_text())
    assert _without_timings(final) == _without_timings(expected)  # as if never interrupted
