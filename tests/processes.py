"""Helpers for the tests that drive `oracle` as a separate process and watch what it writes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

WAIT_S = 180  # generous: the machine may be loaded (xdist, a parallel build)


def wait_for(path: Path, text: str, seconds: float = WAIT_S) -> None:
    """Return once `path` exists and holds `text`; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    pytest.fail(f"{text!r} never appeared in {path}")
