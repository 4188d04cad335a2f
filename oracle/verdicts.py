"""Every pair of a case's columns judged (oracle/diff.py compares) and explained in one sentence each.

The comparison lives in diff.py; this module only words its findings: what each column did in the
reference's terms, a one-line summary that groups columns that did the same, and the notes on
device settings and unpinned defaults that often explain a difference.
"""

from __future__ import annotations

from oracle.diff import Verdict, classify, differences, error_text, follows, hyperparameter_gaps
from oracle.outcome import Outcome
from oracle.semantics import describe

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
        text = f"raised {error_text(outcome.error)}"
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
