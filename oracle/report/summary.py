"""Counts at the scale of hundreds of cases: verdicts per family, the cases that diverge.

A case's family is the folder its file sits in (`cases/<family>/<id>.yaml`). The terminal
(oracle.report.terminal) and both reports read these, so they count the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from oracle.diff import KINDS
from oracle.judgement import against_reference
from oracle.model import CaseRecord, ResultsDocument

# Verdicts that are not a divergence: agreement, and cells with nothing to compare (unsupported, crashed ...)
QUIET = ("agree", "incomparable")


def family_of(record: CaseRecord) -> str:
    """The folder right under `cases/` (cases/explored/<op>/x.yaml is `explored`), else the file's folder."""
    path = Path(record["file"])
    parts = path.parts
    if "cases" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("cases")
        if i + 2 < len(parts):
            return parts[i + 1]
    return path.parent.name or "-"


def framework_columns(results: ResultsDocument) -> list[str]:
    return [c for c in results["environment"] if c != "reference"]


def diverges(record: CaseRecord, columns: list[str]) -> bool:
    """Some column's verdict against the reference is a difference (not agree, not incomparable, not missing)."""
    return any(against_reference(record, c) not in (None, *QUIET) for c in columns)


@dataclass
class FamilyCount:
    family: str
    cases: int
    diverging: int  # cases with at least one divergent column
    kinds: Counter[str]  # verdict kind -> cells (case x framework column)


def by_family(results: ResultsDocument) -> list[FamilyCount]:
    """One row per family (sorted by name), cells counted per verdict kind against the reference."""
    columns = framework_columns(results)
    rows: dict[str, FamilyCount] = {}
    for record in results["cases"]:
        row = rows.setdefault(family_of(record), FamilyCount(family_of(record), 0, 0, Counter()))
        row.cases += 1
        row.diverging += diverges(record, columns)
        row.kinds.update(cell_kind(record, c) for c in columns)
    return [rows[f] for f in sorted(rows)]


def cell_kind(record: CaseRecord, column: str) -> str:
    """The cell's verdict against the reference, or why it has none: it did not run (an interrupted run), or
    there is no reference to judge it against (`diff-versions` compares framework versions with each other)."""
    verdict = against_reference(record, column)
    if verdict:
        return verdict
    return "not run" if column not in record.get("columns", {}) else "no reference"


def kinds_present(rows: list[FamilyCount]) -> list[str]:
    """The verdict kinds that occur, in the diff's fixed order (then 'not run', 'no reference')."""
    seen = set().union(*(r.kinds for r in rows)) if rows else set()
    return [k for k in (*KINDS, "not run", "no reference") if k in seen]
