"""Exploration: Hypothesis scenarios from op declarations, divergence classes, minimal case files.

The names below load on first use (PEP 562), so `oracle --help` does not import Hypothesis.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "case_data": "classes", "interesting": "classes", "signature": "classes", "signature_key": "classes",
    "slug": "classes", "WarmPool": "pool", "ClassFound": "session", "OpReport": "session",
    "draw_scenarios": "session", "explore": "session", "explore_op": "session", "select_ops": "session",
    "shrink": "session", "scenarios": "strategies",
}
__all__ = ["ClassFound", "OpReport", "WarmPool", "case_data", "draw_scenarios", "explore", "explore_op",
           "interesting", "scenarios", "select_ops", "shrink", "signature", "signature_key", "slug"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'oracle.explore' has no attribute {name!r}")
    return getattr(importlib.import_module(f"oracle.explore.{_EXPORTS[name]}"), name)
