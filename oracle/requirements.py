"""Claims that gate: a case's `require` block, judged per column from results.json.

`require` speaks `source.expect`'s vocabulary (status, error, warns, semantics, shapes, values,
compare), but where a refuted claim is a finding in the ledger, an unmet requirement fails
`oracle check`, `oracle run` (exit 6) and the case's pytest item. Each unmet field is one line
naming the case, the column, the field, what was expected and what was seen.
Columns that did not run the case (unsupported, unavailable, crash, ...) are not judged: their
status is reported by the run itself.
"""

from __future__ import annotations

from typing import Any

from oracle.model import CaseRecord, ColumnOutcome, ResultsDocument
from oracle.report.claims import Check, _checks, _values_check

GATE_FIELDS = ("status", "error", "warns", "semantics", "shapes", "values", "compare")


def unmet(case: CaseRecord, by_id: dict[str, CaseRecord], only: str | None = None) -> list[str]:
    """One line per requirement a column of this case record does not meet (`only`: that column)."""
    require = case.get("require") or {}
    if not require:
        return []
    columns = require.get("columns") or [c for c in case["columns"] if c != "reference"]
    lines = []
    for column in columns:
        o = case["columns"].get(column)
        if (only is not None and column != only) or o is None or o["status"] not in ("ok", "error"):
            continue
        for field, check in _field_checks(case, column, o, require, by_id):
            if not check.passed:
                lines.append(f"{case['id']} [{column}]: require {field}: {check.text}")
    return lines


def _field_checks(case: CaseRecord, column: str, o: ColumnOutcome, require: dict[str, Any],
                  by_id: dict[str, CaseRecord]) -> list[tuple[str, Check]]:
    """Each given field checked on its own, so a failure names it (shapes and values: per output)."""
    found: list[tuple[str, Check]] = []
    for field in GATE_FIELDS:
        if require.get(field) is None:
            continue
        if field in ("shapes", "values"):
            for name, want in require[field].items():
                if field == "values" and o["status"] == "ok" and (require.get("rtol") is not None
                                                                  or require.get("atol") is not None):
                    check = _values_check(o, name, want, require.get("rtol"), require.get("atol"))
                else:
                    check = _one(case, column, o, {field: {name: want}}, by_id)
                found.append((f"{field}.{name}", check))
        else:
            found.append((field, _one(case, column, o, {field: require[field]}, by_id)))
    return found


def _one(case: CaseRecord, column: str, o: ColumnOutcome, expect: dict[str, Any],
         by_id: dict[str, CaseRecord]) -> Check:
    checks = [c for c in _checks(case, column, o, expect, by_id) if c is not None]
    # a comparison with a case that was not run has nothing to judge: it holds vacuously
    return checks[0] if checks else Check(True, "")


def all_unmet(results: ResultsDocument) -> list[str]:
    by_id = {c["id"]: c for c in results["cases"]}
    return [line for case in results["cases"] for line in unmet(case, by_id)]
