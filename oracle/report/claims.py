"""The claims ledger: each framework column judged against its case's `source.expect`.

A claim is prose; its `expect` block is the checkable part. Each given field is one
check; a column holds the claim when every check passes, is refuted when none passes,
and holds partly otherwise. A column that did not run (unsupported, crash, ...) is n/a.
Judged from results.json only, so any results file can be judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oracle.diff import compare_arrays, tolerance
from oracle.model import CaseRecord, ColumnOutcome, ErrorRecord, ResultsDocument, TensorRecord
from oracle.outcome import Tensor

VERDICTS = ("holds", "partly", "refuted", "n/a")


@dataclass(frozen=True)
class Check:
    passed: bool
    text: str  # what was expected and, when it failed, what was seen


@dataclass(frozen=True)
class Judgment:
    column: str
    verdict: str  # one of VERDICTS
    fact: str  # one line: what the column did
    checks: tuple[Check, ...] = ()

    @property
    def failed(self) -> list[str]:
        return [c.text for c in self.checks if not c.passed]


def judge_case(case: CaseRecord, by_id: dict[str, CaseRecord]) -> list[Judgment]:
    """One judgment per framework column (the reference is not a claim's subject)."""
    expect = (case.get("source") or {}).get("expect")
    if not expect:
        return []
    return [_judge(case, name, o, expect, by_id) for name, o in case["columns"].items() if name != "reference"]


def _judge(case: CaseRecord, column: str, o: ColumnOutcome, expect: dict[str, Any],
           by_id: dict[str, CaseRecord]) -> Judgment:
    fact = observed_fact(o, case.get("semantics", {}).get(column))
    if o["status"] not in ("ok", "error"):
        return Judgment(column, "n/a", fact)
    checks = [c for c in _checks(case, column, o, expect, by_id) if c is not None]
    if not checks:
        return Judgment(column, "n/a", fact)
    passed = sum(c.passed for c in checks)
    verdict = "holds" if passed == len(checks) else ("refuted" if passed == 0 else "partly")
    return Judgment(column, verdict, fact, tuple(checks))


def _checks(case: CaseRecord, column: str, o: ColumnOutcome, expect: dict[str, Any],
            by_id: dict[str, CaseRecord]) -> list[Check | None]:
    ok = o["status"] == "ok"
    checks: list[Check | None] = []
    if expect.get("status"):
        want = expect["status"]
        checks.append(Check(o["status"] == want, f"expected {'an error' if want == 'error' else 'a result'}"
                            + ("" if o["status"] == want else f", it {'raised' if not ok else 'computed'}")))
    if expect.get("error"):
        names = error_names(o.get("error"))
        got = " / ".join(dict.fromkeys(n for n in names if n)) or "no error"
        checks.append(Check(expect["error"] in names, f"expected {expect['error']}"
                            + ("" if expect["error"] in names else f", got {got}")))
    if isinstance(expect.get("warns"), str):  # a category: InvalidArgumentError-style names, as users see them
        categories = [w["category"] for w in o["warnings"]]
        checks.append(Check(expect["warns"] in categories, f"expected a {expect['warns']}"
                            + ("" if expect["warns"] in categories else f", got {', '.join(categories) or 'none'}")))
    elif expect.get("warns") is not None:
        warned = bool(o["warnings"])
        checks.append(Check(warned == expect["warns"], "expected a warning" if expect["warns"] else "expected no warning"))
    if expect.get("semantics"):
        want = "" if expect["semantics"] == "strict" else expect["semantics"]
        followed = case["semantics"].get(column)
        checks.append(Check(ok and followed == want, f"expected {expect['semantics']} semantics"
                            + ("" if ok and followed == want else f", got {_semantics_name(followed)}")))
    for name, shape in (expect.get("shapes") or {}).items():
        tensor = o["outputs"].get(name)
        got_shape = tensor["shape"] if ok and tensor else None
        checks.append(Check(got_shape == shape, f"expected {name} of shape {shape}"
                            + ("" if got_shape == shape else f", got {got_shape}")))
    for name, values in (expect.get("values") or {}).items():
        checks.append(_values_check(o, name, values) if ok else Check(False, f"expected {name} = {values}"))
    if expect.get("compare"):
        checks.append(_compare_check(o, column, expect["compare"], by_id) if ok
                      else Check(False, f"expected {expect['compare']['output']} to compare"))
    return checks


def error_names(error: ErrorRecord | None) -> tuple[str, ...]:
    """Every name a claim may give an error by: the builtin base, the native class (short and qualified),
    and the public name (tf.errors.InvalidArgumentError)."""
    if not error:
        return ()
    qualified = error.get("type", "")
    return (error.get("base", ""), qualified, qualified.rsplit(".", 1)[-1], error.get("public", ""))


def _values_check(o: ColumnOutcome, name: str, values: Any, rtol: float | None = None,
                  atol: float | None = None) -> Check:
    import numpy as np

    tensor = o["outputs"].get(name)
    if tensor is None or tensor.get("shape") is None:
        return Check(False, f"expected {name} = {values}, got none")
    got = Tensor.from_results(tensor).values
    want = np.asarray(Tensor.from_results({"shape": list(np.shape(values)), "dtype": "float64",
                                           "values": values}).values)
    default_rtol, default_atol = tolerance(tensor["dtype"], "float64")
    rtol, atol = default_rtol if rtol is None else rtol, default_atol if atol is None else atol
    assert got is not None
    same = got.shape == want.shape and compare_arrays(got.astype(np.float64), want, rtol, atol) is None
    return Check(same, f"expected {name} = {values}" + ("" if same else f", got {got.tolist()}"))


def _compare_check(o: ColumnOutcome, column: str, spec: dict[str, Any], by_id: dict[str, CaseRecord]) -> Check | None:
    other_case = by_id.get(spec["case"])
    if other_case is None or column not in other_case["columns"]:
        return None  # the other case was not run: nothing to judge
    mine, theirs = o["outputs"].get(spec["output"]), other_case["columns"][column]["outputs"].get(spec["case_output"])
    relation = "equal to" if spec["equal"] else "different from"
    text = f"expected {spec['output']} {relation} {spec['case_output']} of {spec['case']}"
    if not theirs or theirs.get("shape") is None:
        return None  # the other case computed nothing in this column: the claim has nothing to compare
    if not mine or mine.get("shape") is None:
        return Check(False, text + f", {spec['output']} is missing")
    a, b = Tensor.from_results(mine).values, Tensor.from_results(theirs).values
    assert a is not None and b is not None
    rtol, atol = tolerance(mine["dtype"], theirs["dtype"])
    equal = a.shape == b.shape and compare_arrays(a, b, rtol, atol) is None
    return Check(equal == spec["equal"], text + ("" if equal == spec["equal"] else
                                                ", they are equal" if equal else ", they differ"))


def _semantics_name(key: str | None) -> str:
    return "none the reference names" if key is None else (key or "strict")


def observed_fact(o: ColumnOutcome, followed: str | None) -> str:
    """'raised RuntimeError: grad can be implicitly created only for scalar outputs' in one line."""
    if o["status"] == "error":
        e = o["error"]
        text = f"raised {e['type']}: {e['message']}" if e else "raised an error: "
    elif o["status"] != "ok":
        text = o["status"] + (f" ({o['notes'].get('reason') or o['notes'].get('unsupported')})"
                              if o["notes"].get("reason") or o["notes"].get("unsupported") else "")
    else:
        steps = [(n, t) for n, t in o["outputs"].items() if not n.startswith("grad.")]
        grads = [(n, t) for n, t in o["outputs"].items() if n.startswith("grad.")]
        parts = [_brief(n, t) for n, t in steps[-1:] + grads]
        how = {None: "", "": " (as the reference)"}.get(followed, f" (followed {followed})")
        text = "computed " + ", ".join(parts) + how
    if o["warnings"]:
        text += f"; warned {o['warnings'][0]['category']}"
    return text if len(text) <= 160 else text[:157] + "..."


def _brief(name: str, t: TensorRecord) -> str:
    if t.get("shape") is None:
        return f"{name} None"
    if t["shape"] == [] and not isinstance(t["values"], list):
        value = t["values"]
        return f"{name} = {value:.4g}" if isinstance(value, float) else f"{name} = {value}"
    return f"{name} {t['shape']}"


def ledger(results: ResultsDocument) -> list[tuple[CaseRecord, list[Judgment]]]:
    """Every case with a claim, with its judgments (empty when the claim has no `expect`)."""
    by_id = {c["id"]: c for c in results["cases"]}
    return [(case, judge_case(case, by_id)) for case in results["cases"] if case.get("source")]
