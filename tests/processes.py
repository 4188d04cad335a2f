"""Helpers for the tests that drive `oracle` as a separate process and watch what it writes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "cases"
ORDER = ["t-cross-entropy", "t-log-special", "t-mse-broadcast", "t-nonscalar-grad"]  # a run's order (sorted files)
WAIT_S = 180  # generous: the machine may be loaded (xdist, a parallel build)


def oracle_process(*args: str, faults: str = "", **kwargs: Any) -> subprocess.Popen[str]:
    """`python -m oracle.cli ARGS` from the checkout, with ORACLE_FAULTS set; stdout and stderr together."""
    env = {**os.environ, "ORACLE_FAULTS": faults}
    return subprocess.Popen([sys.executable, "-m", "oracle.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)


def wait_for(path: Path, text: str, seconds: float = WAIT_S) -> None:
    """Return once `path` exists and holds `text`; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    pytest.fail(f"{text!r} never appeared in {path}")
