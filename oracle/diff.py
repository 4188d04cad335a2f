"""Compare two outcomes in a fixed order and classify the first difference (oracle/verdicts.py narrates).

Order: status, error kind, warnings, then per output (step outputs first, gradients
after): presence, shape, dtype, NaN/Inf pattern, values. The verdict's kind is the first
difference found other than warnings; `warning_only` when warnings are all that differ.
dtype is not compared against the reference, which computes in float64 by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from oracle.outcome import ErrorInfo, Outcome, Tensor
from oracle.stats import stats_tolerance

KINDS = (
    "agree",
    "silent_divergence",  # one raises, the other computes
    "error_kind_mismatch",
    "warning_only",
    "shape_mismatch",
    "dtype_mismatch",
    "nan_inf_mismatch",
    "value_mismatch",
    "incomparable",  # a side is unsupported, unavailable, crashed or timed out
    "hyperparameters_differ",  # training values differ, and so do the optimizer's hyperparameters they used
)
HYPERPARAMETER_RTOL = 1e-6  # float32 read-backs of a pinned 0.01 give 0.009999999776

# (rtol, atol) per dtype; a pair uses the looser of its two dtypes. Cases may override.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float64": (1e-10, 1e-12),
    "float32": (1e-5, 1e-6),
    "float16": (1e-3, 1e-5),
    "bfloat16": (1e-2, 1e-4),
    # complex: each part as its float counterpart (complex64 holds two float32s)
    "complex128": (1e-10, 1e-12),
    "complex64": (1e-5, 1e-6),
}
EXACT = (0.0, 0.0)


@dataclass(frozen=True)
class Verdict:
    columns: tuple[str, str]
    kind: str
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "kind": self.kind, "explanation": self.explanation}


@dataclass(frozen=True)
class Difference:
    kind: str
    detail: str
    max_abs: float = 0.0
    max_rel: float = 0.0


def tolerance(dtype_a: str | None, dtype_b: str | None, override: tuple[float | None, float | None] = (None, None),
              ) -> tuple[float, float]:
    rtol, atol = max((TOLERANCES.get(d or "", EXACT) for d in (dtype_a, dtype_b)), key=lambda t: t[0])
    return (override[0] if override[0] is not None else rtol, override[1] if override[1] is not None else atol)


def compare_arrays(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> Difference | None:
    """NaN/Inf pattern, then values within |a-b| <= atol + rtol*max(|a|,|b|); -0.0 and 0.0 differ.

    Complex arrays compare their real parts, then their imaginary parts, each as floats (so -0.0j and
    0.0j differ, and NaN+NaNj agrees with NaN+NaNj)."""
    if a.dtype.kind == "c" or b.dtype.kind == "c":
        for part, pick in (("real part", np.real), ("imaginary part", np.imag)):
            found = compare_arrays(np.asarray(pick(a), dtype=np.float64), np.asarray(pick(b), dtype=np.float64),
                                   rtol, atol)
            if found:
                return Difference(found.kind, f"{part}: {found.detail}", found.max_abs, found.max_rel)
        return None
    x, y = _as_float(a), _as_float(b)
    for label, mask in (("NaN", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
        mx, my = mask(x), mask(y)
        if not np.array_equal(mx, my):
            where = np.argwhere(mx != my)[0].tolist()
            return Difference("nan_inf_mismatch", f"{label} pattern differs at {where}: {_at(x, where)} vs {_at(y, where)}")
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = np.where(finite, x, 0.0), np.where(finite, y, 0.0)
    diff, scale = np.abs(x - y), np.maximum(np.abs(x), np.abs(y))
    max_abs, max_rel = max_differences(a, b)
    bad = diff > atol + rtol * scale
    if bad.any():
        where = np.argwhere(bad)[0].tolist()
        return Difference("value_mismatch", f"values differ beyond rtol={rtol:g}, atol={atol:g}: "
                          f"{_at(x, where)} vs {_at(y, where)} at {where}; max abs {max_abs:.3g}, max rel {max_rel:.3g}",
                          max_abs, max_rel)
    zeros = finite & (x == 0) & (y == 0) & (np.signbit(x) != np.signbit(y))
    if zeros.any():
        where = np.argwhere(zeros)[0].tolist()
        return Difference("value_mismatch", f"signed zero differs at {where}: {_at(x, where)} vs {_at(y, where)}")
    return None


def max_differences(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Largest |a-b| and |a-b|/max(|a|,|b|) over elements finite on both sides (0 when none)."""
    if a.dtype.kind == "c" or b.dtype.kind == "c":  # the larger of the two parts' differences
        parts = [max_differences(np.real(a).astype(np.float64), np.real(b).astype(np.float64)),
                 max_differences(np.imag(a).astype(np.float64), np.imag(b).astype(np.float64))]
        return max(p[0] for p in parts), max(p[1] for p in parts)
    x, y = _as_float(a), _as_float(b)
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = np.where(finite, x, 0.0), np.where(finite, y, 0.0)
    diff, scale = np.abs(x - y), np.maximum(np.abs(x), np.abs(y))
    if not diff.size:
        return 0.0, 0.0
    return float(diff.max()), float((diff / np.where(scale > 0, scale, 1.0)).max())


def _as_float(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64) if a.dtype.kind in "biuf" or str(a.dtype) == "bfloat16" else a


def _at(a: np.ndarray, where: list[int]) -> str:
    return repr(float(a[tuple(where)])) if a.ndim else repr(float(a))


def compare_tensors(name: str, a: Tensor, b: Tensor, check_dtype: bool,
                    override: tuple[float | None, float | None], sides: tuple[str, str] = ("a", "b"),
                    ) -> Difference | None:
    if (a.values is None) != (b.values is None):
        (none, _), (other, present) = sorted(zip(sides, (a, b)), key=lambda p: p[1].values is not None)
        return Difference("shape_mismatch", f"{name} is None in {none} but has shape {present.shape} in {other}")
    if a.values is None or b.values is None:
        return None
    if a.shape != b.shape:
        return Difference("shape_mismatch", f"{name} has shape {a.shape} in {sides[0]} vs {b.shape} in {sides[1]}")
    if check_dtype and a.dtype != b.dtype:
        return Difference("dtype_mismatch", f"{name} has dtype {a.dtype} in {sides[0]} vs {b.dtype} in {sides[1]}")
    rtol, atol = tolerance(a.dtype, b.dtype, override)
    found = compare_arrays(a.values, b.values, rtol, atol)
    if not found:
        return None
    detail = found.detail
    if name.endswith("trajectory") and found.kind == "value_mismatch" and a.values.ndim == 1:
        detail = f"{parting(a.values, b.values, rtol, atol, sides)}; {detail}"
    return Difference(found.kind, f"{name} ({sides[0]} vs {sides[1]}): {detail}", found.max_abs, found.max_rel)


def parting(a: np.ndarray, b: np.ndarray, rtol: float, atol: float, sides: tuple[str, str]) -> str:
    """Where two trajectories part ways: the first step (1-based) beyond tolerance, and by how much."""
    x, y = _as_float(a), _as_float(b)
    gap = np.abs(x - y)
    bad = np.flatnonzero(gap > atol + rtol * np.maximum(np.abs(x), np.abs(y)))
    k = int(bad[0])
    return (f"part ways at step {k + 1} of {len(x)} ({sides[0]} {x[k]:.9g} vs {sides[1]} {y[k]:.9g}, "
            f"|diff| {gap[k]:.3g}); at the last step |diff| {gap[-1]:.3g}")


def hyperparameter_gaps(a: Outcome, b: Outcome, sides: tuple[str, str]) -> str:
    """'epsilon 1e-08 in torch vs 1e-07 in tensorflow', or '' when the recorded hyperparameters agree."""
    ha, hb = a.notes.get("hyperparameters"), b.notes.get("hyperparameters")
    if not isinstance(ha, dict) or not isinstance(hb, dict):
        return ""
    gaps = []
    for key in sorted(ha.keys() & hb.keys()):
        x, y = ha[key], hb[key]
        same = x == y or (isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool)
                          and abs(x - y) <= HYPERPARAMETER_RTOL * max(abs(x), abs(y)))
        if not same:
            gaps.append(f"{key} {x:g} in {sides[0]} vs {y:g} in {sides[1]}" if not isinstance(x, (bool, type(None)))
                        and not isinstance(y, (bool, type(None))) else f"{key} {x} in {sides[0]} vs {y} in {sides[1]}")
    return ", ".join(gaps)


def differences(a: Outcome, b: Outcome, check_dtype: bool = True,
                override: tuple[float | None, float | None] = (None, None),
                sides: tuple[str, str] = ("a", "b")) -> list[Difference]:
    """Every difference between two outcomes, in the fixed comparison order."""
    if a.status != b.status:
        if {a.status, b.status} == {"ok", "error"}:
            (raised, err), computed = ((sides[0], a.error), sides[1]) if a.status == "error" else \
                ((sides[1], b.error), sides[0])
            return [Difference("silent_divergence", f"{computed} computed while {raised} raised {error_text(err)}")]
        return [Difference("incomparable", f"{sides[0]} is {a.status}, {sides[1]} is {b.status}")]
    if a.status not in ("ok", "error"):
        return [Difference("incomparable", f"both {a.status}")]
    found: list[Difference] = []
    if a.status == "error" and a.error and b.error and a.error.base != b.error.base:
        found.append(Difference("error_kind_mismatch",
                                f"{sides[0]} raised {error_text(a.error)}; {sides[1]} raised {error_text(b.error)}"))
    warned_a, warned_b = {w.category for w in a.warnings}, {w.category for w in b.warnings}
    if warned_a != warned_b:
        found.append(Difference("warning_only", f"{sides[0]} warned {', '.join(sorted(warned_a)) or 'nothing'}, "
                                                f"{sides[1]} warned {', '.join(sorted(warned_b)) or 'nothing'}"))
    isolated = a.output_status.keys() | b.output_status.keys()
    for name in _ordered(isolated):
        found.extend(_output_status_difference(name, a, b, sides))
    for name in _ordered(a.outputs.keys() | b.outputs.keys()):
        if name in isolated:
            continue
        if name not in a.outputs or name not in b.outputs:
            if a.status == "ok":
                missing = sides[0] if name not in a.outputs else sides[1]
                found.append(Difference("shape_mismatch", f"{name} is missing in {missing}"))
            continue
        tol = stats_tolerance(name, a.notes, b.notes)  # a statistic of a sample: judged by oracle/stats.py's test
        diff = compare_tensors(name, a.outputs[name], b.outputs[name], check_dtype, tol or override, sides)
        if diff:
            found.append(diff)
    gaps = hyperparameter_gaps(a, b, sides)
    if gaps and any(d.kind in ("value_mismatch", "nan_inf_mismatch") for d in found):
        why = "by design (each framework's defaults)" if "framework" in (a.notes.get("defaults"), b.notes.get("defaults")) \
            else "although the case pins them"
        found.insert(0, Difference("hyperparameters_differ", f"the optimizers used different hyperparameters {why}: "
                                                             f"{gaps}"))
    return found


def _output_status_difference(name: str, a: Outcome, b: Outcome, sides: tuple[str, str]) -> list[Difference]:
    """One isolated output (`isolate`): compared by its own status, as its own try/except would tell."""
    sa, sb = (o.output_status.get(name, {"status": "ok" if name in o.outputs else "absent"}) for o in (a, b))
    if sa["status"] == sb["status"] == "error":
        ea, eb = sa["error"] or {}, sb["error"] or {}
        if ea.get("base") != eb.get("base"):
            return [Difference("error_kind_mismatch", f"{name}: {sides[0]} raised {_error_of(ea)}; "
                                                      f"{sides[1]} raised {_error_of(eb)}")]
        return []
    if sa["status"] == sb["status"]:
        return []
    if {sa["status"], sb["status"]} == {"ok", "error"}:
        raised, err, computed = (sides[0], sa, sides[1]) if sa["status"] == "error" else (sides[1], sb, sides[0])
        after = f" (it follows {err['after']})" if err.get("after") else ""
        return [Difference("silent_divergence", f"{name}: {computed} computed while {raised} raised "
                                                f"{_error_of(err['error'] or {})}{after}")]
    return [Difference("incomparable", f"{name} is {sa['status']} in {sides[0]}, {sb['status']} in {sides[1]}")]


def _error_of(error: dict[str, Any]) -> str:
    return error_text(ErrorInfo(**error)) if error else "an error"


def _ordered(names: set[str]) -> list[str]:
    return sorted(names, key=lambda n: (n.startswith("grad."), n))


def error_text(err: Any) -> str:
    if err is None:
        return "an error"
    kind = err.type if err.type == err.base else f"{err.type} ({err.base})"
    return f"{kind}: {err.message}"


def classify(found: list[Difference]) -> str:
    for d in found:
        if d.kind != "warning_only":
            return d.kind
    return "warning_only" if found else "agree"


def follows(outcome: Outcome, reference: Outcome, override: tuple[float | None, float | None] = (None, None)) -> str | None:
    """Which of the reference's semantics `outcome` followed: '' strict, an alternative key, or None."""
    if outcome.status != "ok":
        return None
    if reference.status == "ok" and not _value_differences(outcome, reference.outputs, override):
        return ""
    for key, outputs in reference.interpretations.items():
        if not _value_differences(outcome, outputs, override):
            return key
    return None


def _value_differences(outcome: Outcome, outputs: dict[str, Tensor], override: Any) -> list[Difference]:
    diffs = []
    for name in outcome.outputs.keys() | outputs.keys():
        if name not in outcome.outputs or name not in outputs:
            diffs.append(Difference("shape_mismatch", name))
            continue
        diff = compare_tensors(name, outcome.outputs[name], outputs[name], False, override)
        if diff:
            diffs.append(diff)
    return diffs
