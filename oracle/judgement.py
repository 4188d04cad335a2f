"""Reading verdicts and records of a results document: one place for report, baseline and CLI.

Below both `oracle.report` and `oracle.baseline`, so neither reaches into the other for them.
"""

from __future__ import annotations

import numpy as np

from oracle.model import CaseRecord, ColumnOutcome, OutputStatus, TensorRecord
from oracle.outcome import Tensor


def against_reference(record: CaseRecord, column: str) -> str | None:
    """The verdict kind of `column` against the reference in one case record, or None (no such verdict)."""
    if column == "reference":
        return None
    for v in record["verdicts"]:
        if set(v["columns"]) == {"reference", column}:
            return str(v["kind"])
    return None


def status_text(o: ColumnOutcome) -> str:
    """'ok', 'ValueError+w' (the builtin base of the exception raised; +w: it also warned), 'crash', ..."""
    error = o.get("error")
    text = o["status"] if o["status"] != "error" else error["base"] if error else "error"
    failed = len(o.get("output_status") or {})  # a case that isolates its outputs: how many did not compute
    return text + ("+w" if o["warnings"] else "") + (f" ({failed} output{'s' * (failed > 1)} failed)" if failed else "")


def output_status_text(status: OutputStatus) -> str:
    """An isolated output that did not compute: 'raised ValueError: ...', 'unsupported: ...', '... (follows lo)'."""
    error = status.get("error")
    said = f"{error['type']}: {error['message']}" if error else "an error: "
    text = f"raised {said}" if status["status"] == "error" \
        else f"{status['status']}: {status.get('reason', '')}"
    return text + (f" (follows {status['after']})" if status.get("after") else "")


def summarize(t: TensorRecord) -> str:
    """'[64] float32 (mean 0.1, min -2, max 3)' or '[] float32 = 0.25' or 'None'."""
    if t["shape"] is None:
        return "None"
    values = Tensor.from_results(t).values
    assert values is not None
    head = f"{t['shape']} {t['dtype']}"
    if values.dtype.kind == "c":
        flat_c = values.astype(np.complex128).ravel()
        return f"{head} = {complex(flat_c[0])}" if flat_c.size == 1 else \
            f"{head} (|z| max {np.abs(flat_c).max() if flat_c.size else 0:.4g}" + " nan" * t["nan"] + " inf" * t["inf"] + ")"
    flat = values.astype(np.float64).ravel()
    if flat.size == 1:
        return f"{head} = {float(flat[0]):.6g}"
    finite = flat[np.isfinite(flat)]
    flags = " nan" * t["nan"] + " inf" * t["inf"]
    stats = f"mean {finite.mean():.4g}, min {finite.min():.4g}, max {finite.max():.4g}" if finite.size else "no finite"
    return f"{head} ({stats}{flags})"
