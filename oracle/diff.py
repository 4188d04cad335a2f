"""Compare outcomes pairwise in a fixed order, classify, and explain in one sentence.

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
from oracle.semantics import describe
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
            return [Difference("silent_divergence", f"{computed} computed while {raised} raised {_error(err)}")]
        return [Difference("incomparable", f"{sides[0]} is {a.status}, {sides[1]} is {b.status}")]
    if a.status not in ("ok", "error"):
        return [Difference("incomparable", f"both {a.status}")]
    found: list[Difference] = []
    if a.status == "error" and a.error and b.error and a.error.base != b.error.base:
        found.append(Difference("error_kind_mismatch",
                                f"{sides[0]} raised {_error(a.error)}; {sides[1]} raised {_error(b.error)}"))
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
    return _error(ErrorInfo(**error)) if error else "an error"


def _ordered(names: set[str]) -> list[str]:
    return sorted(names, key=lambda n: (n.startswith("grad."), n))


def _error(err: Any) -> str:
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


Override = tuple[float | None, float | None]


def describe_column(name: str, outcome: Outcome, reference: Outcome | None, followed: str | None,
                    override: Override = (None, None)) -> str:
    """One clause: what this column did, in the reference's terms where it can tell."""
    return f"{name} {_deed(name, outcome, reference, followed, override)}"


def _deed(name: str, outcome: Outcome, reference: Outcome | None, followed: str | None,
          override: Override = (None, None)) -> str:
    """The clause without its subject, so columns that did the same can share one."""
    if outcome.status == "ok" and reference is not None and reference.status == "ok" and followed is None:
        first = differences(outcome, reference, False, override, sides=(name, "reference"))
        if first and first[0].kind == "hyperparameters_differ":
            values = next((d.detail for d in first[1:] if d.kind != "warning_only"), "")
            return f"used other hyperparameters ({hyperparameter_gaps(outcome, reference, (name, 'reference'))}), " \
                   f"so {values}" + _warned(outcome)
        detail = next((d.detail for d in first if d.kind != "warning_only"), "")
        return f"computed, but {detail}" + _warned(outcome)
    if outcome.status == "error":
        text = f"raised {_error(outcome.error)}"
    elif outcome.status != "ok":
        reason = outcome.notes.get("reason") or outcome.notes.get("unsupported") or ""
        text = f"is {outcome.status}" + (f" ({reason})" if reason else "")
    elif reference is None or followed is None:
        text = "computed results that match none of the reference's semantics"
    elif followed == "" and name == "reference":
        text = "computed under its strict semantics"
    elif followed == "":
        text = "computed what the reference computes"
    else:
        detail = reference.notes.get("interpretation_details", {}).get(followed, "")
        text = describe(followed) + (f" ({detail})" if detail else "")
    return text + _warned(outcome)


def summarize(outcomes: dict[str, Outcome], reference: Outcome | None, followed: dict[str, str | None],
              override: Override = (None, None)) -> str:
    """'jax raised ValueError: ...; torch and tensorflow computed what the reference computes'."""
    groups: dict[str, list[str]] = {}
    for name, outcome in outcomes.items():
        if name != "reference":
            groups.setdefault(_deed(name, outcome, reference, followed[name], override), []).append(name)
    text = "; ".join(f"{_names(names)} {deed}" for deed, names in groups.items())
    if reference is not None and reference.status != "ok":
        text = f"{describe_column('reference', reference, None, None)}. {text}"
    return text


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _warned(outcome: Outcome) -> str:
    if not outcome.warnings:
        return ""
    w = outcome.warnings[0]
    return f" and warned {w.category}: {w.message}"


def device_note(names: tuple[str, str], a: Outcome, b: Outcome) -> str:
    """For one framework on two devices: the numerical settings that differ, which often explain why."""
    if a.framework != b.framework or a.device == b.device:
        return ""
    sa, sb = a.notes.get("settings", {}), b.notes.get("settings", {})
    changed = [k for k in sorted(sa.keys() | sb.keys()) if sa.get(k) != sb.get(k)]
    if changed:
        return " — settings differ: " + "; ".join(f"{k} is {sa.get(k)} in {names[0]}, {sb.get(k)} in {names[1]}"
                                                  for k in changed)
    same = ", ".join(f"{k}={v}" for k, v in sorted(sa.items()))
    return f" — same settings on both devices ({same}): the devices' own kernels differ"


def diff_case(outcomes: dict[str, Outcome], override: tuple[float | None, float | None] = (None, None),
              ) -> tuple[list[Verdict], dict[str, str | None], str]:
    """Every pair of columns -> verdicts; each column's followed semantics; a one-line summary."""
    names = list(outcomes)
    reference = outcomes.get("reference")
    followed = {n: (follows(o, reference, override) if reference and n != "reference" else None)
                for n, o in outcomes.items()}
    if reference is not None and reference.status == "ok":
        followed["reference"] = ""  # the reference follows its own strict semantics
    clauses = {n: describe_column(n, o, reference, followed[n], override) for n, o in outcomes.items()}
    verdicts = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            check_dtype = "reference" not in (a, b)
            found = differences(outcomes[a], outcomes[b], check_dtype, override, (a, b))
            named = (followed.get(a), followed.get(b))
            if found and found[0].kind == "hyperparameters_differ" and None not in named and named[0] != named[1]:
                found = found[1:] + found[:1]  # different semantics come first; the hyperparameters are still named
            kind = classify(found)
            if kind == "agree":
                text = f"{a} and {b} agree"
                gaps = hyperparameter_gaps(outcomes[a], outcomes[b], (a, b))
                text += f" (within tolerance, although their hyperparameters differ: {gaps})" if gaps else ""
            elif kind in ("silent_divergence", "incomparable") or followed.get(a) != followed.get(b):
                text = f"{clauses[a]}; {clauses[b]}"
            else:
                text = "; ".join(d.detail for d in found)
            if kind not in ("agree", "silent_divergence", "incomparable") and followed.get(a) != followed.get(b):
                text += " — " + "; ".join(d.detail for d in found if d.kind != "warning_only")
            if kind != "agree":
                text += device_note((a, b), outcomes[a], outcomes[b])
            verdicts.append(Verdict((a, b), kind, text.rstrip(" —")))
            if kind != "agree":
                text += defaults_note((a, b), outcomes[a], outcomes[b])
            verdicts[-1] = Verdict((a, b), kind, text.rstrip(" —")) if kind != "agree" else verdicts[-1]
    summary = summarize(outcomes, reference, followed, override)
    note = defaults_note(tuple(outcomes), *outcomes.values())
    return verdicts, followed, summary + (f". Defaults in effect{note.removeprefix(' — defaults in effect')}"
                                          if note else "")


def defaults_note(names: tuple[str, ...], *outcomes: Outcome) -> str:
    """' — defaults in effect (not pinned by the case): torch reduction='mean'; jax ...' or ''."""
    parts = []
    for name, outcome in zip(names, outcomes):
        found = outcome.notes.get("attr_defaults") or {}
        texts = list(dict.fromkeys(t for per_step in found.values() for t in per_step.values()))
        if texts:
            parts.append(f"{name} {', '.join(texts)}")
    return f" — defaults in effect (not pinned by the case): {'; '.join(parts)}" if parts else ""
