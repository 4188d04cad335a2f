"""Per-op coverage, as ONNX's TestCoverage.md: each op, its family, its binding per framework,
the cases that use it and their verdicts against the reference.

The op list comes from one function, `op_catalogue()`, over a small row type (`OpInfo`), so
the source of the declarations (the registry, oracle/ops/) stays out of the table's code. Which cases use an op is read from the steps of
each case (the parsed step text, never evaluated).
"""  # noqa: E501

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from oracle.model import CaseRecord, ResultsDocument
from oracle.ops import FRAMEWORKS
from oracle.report.summary import cell_kind, framework_columns
from oracle.steps import StepSyntaxError, parse_step


@dataclass(frozen=True)
class OpInfo:
    name: str
    family: str
    bindings: dict[str, str]  # framework -> the public API text, or "no native form: <reason>"


def op_catalogue() -> list[OpInfo]:
    """Every op of the registry, in declaration order, with each framework's binding as API text."""
    from oracle.ops import OPS, describe_binding

    return [OpInfo(d.name, d.family, {fw: describe_binding(d.binding(fw)) for fw in FRAMEWORKS})
            for d in OPS.values()]


@dataclass
class OpCoverage:
    op: OpInfo
    cases: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)  # verdict kind -> cells (case x framework column)
    by_column: dict[str, Counter[str]] = field(default_factory=dict)  # framework column -> verdict kind -> cases


def ops_of(record: CaseRecord) -> list[str]:
    """The ops a case's steps call, in order, each once."""
    found: dict[str, None] = {}
    for text in record.get("steps") or []:
        try:
            found[parse_step(text).op] = None
        except StepSyntaxError:  # a results file from an older vocabulary: its steps still list
            continue
    return list(found)


def coverage(results: ResultsDocument, catalogue: list[OpInfo] | None = None) -> list[OpCoverage]:
    """One row per op of the catalogue (uncovered ones too), then any op a case uses that it lacks."""
    rows = {op.name: OpCoverage(op) for op in (catalogue if catalogue is not None else op_catalogue())}
    columns = framework_columns(results)
    for record in results["cases"]:
        for name in ops_of(record):
            row = rows.setdefault(name, OpCoverage(OpInfo(name, "?", {fw: "not in the catalogue" for fw in FRAMEWORKS})))
            row.cases.append(record["id"])
            row.kinds.update(cell_kind(record, c) for c in columns)
            for c in columns:  # the frameworks apart: a pooled count hides which one departs
                row.by_column.setdefault(c, Counter())[cell_kind(record, c)] += 1
    return list(rows.values())
