"""Reading verdicts and records of a results document: one place for report, baseline and CLI.

Below both `oracle.report` and `oracle.baseline`, so neither reaches into the other for them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.outcome import Tensor


def against_reference(record: dict[str, Any], column: str) -> str | None:
    """The verdict kind of `column` against the reference in one case record, or None (no such verdict)."""
    if column == "reference":
        return None
    for v in record["verdicts"]:
        if set(v["columns"]) == {"reference", column}:
            return str(v["kind"])
    return None


def status_text(o: dict[str, Any]) -> str:
    """'ok', 'ValueError+w' (the builtin base of the exception raised; +w: it also warned), 'crash', ..."""
    text = o["status"] if o["status"] != "error" else (o.get("error") or {}).get("base", "error")
    return text + ("+w" if o["warnings"] else "")


def summarize(t: dict[str, Any]) -> str:
    """'[64] float32 (mean 0.1, min -2, max 3)' or '[] float32 = 0.25' or 'None'."""
    if t["shape"] is None:
        return "None"
    values = Tensor.from_results(t).values
    assert values is not None
    head = f"{t['shape']} {t['dtype']}"
    flat = values.astype(np.float64).ravel()
    if flat.size == 1:
        return f"{head} = {float(flat[0]):.6g}"
    finite = flat[np.isfinite(flat)]
    flags = " nan" * t["nan"] + " inf" * t["inf"]
    stats = f"mean {finite.mean():.4g}, min {finite.min():.4g}, max {finite.max():.4g}" if finite.size else "no finite"
    return f"{head} ({stats}{flags})"
