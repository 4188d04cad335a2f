"""What both reports show, computed once from results.json: counts, matrix, ledger, cases, figures.

The Markdown and HTML templates only lay this out, so the two reports cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from oracle.diff import compare_arrays, max_differences, tolerance
from oracle.judgement import against_reference, output_status_text, status_text, summarize
from oracle.model import CaseRecord, ColumnOutcome, InputRecord, ResultsDocument, VerdictRecord
from oracle.outcome import Tensor
from oracle.report import plots as draw
from oracle.report.claims import Judgment, ledger
from oracle.report.coverage import coverage
from oracle.report.summary import by_family, diverges, family_of, framework_columns, kinds_present
from oracle.semantics import describe


@dataclass
class Figure:
    name: str  # file stem: plots/<name>.png
    title: str
    png: bytes


@dataclass
class OutputRow:
    name: str
    summary: str
    max_abs: float | None = None  # against the reference, same shape, over elements finite on both sides
    max_rel: float | None = None
    nonfinite_differs: bool = False  # NaN/Inf where the reference has none, or the other way round
    finite_pairs: int = 0
    within_tolerance: bool = False  # the whole output agrees with the reference's within the dtype's tolerance

    @property
    def difference(self) -> str:
        """'3.8e-09 / 2.8e-09', with the NaN/Inf disagreement said rather than hidden behind a 0.

        An output within tolerance shows only its largest absolute difference: a relative one
        there (of values near 0, say) would suggest a disagreement that the comparison does not see.
        """
        if self.max_abs is None:
            return ""
        if self.within_tolerance:
            return f"{_number(self.max_abs)} (within tolerance)" if self.max_abs else ""
        text = f"{_number(self.max_abs)} / {_number(self.max_rel)}"
        if not self.nonfinite_differs:
            return text
        return f"NaN/Inf differ; finite: {text}" if self.finite_pairs else "NaN/Inf differ"


@dataclass
class ColumnRow:
    name: str
    status: str  # ok, ValueError, unsupported... (+w when it warned)
    kind: str | None  # verdict against the reference
    error: str
    warnings: list[str]
    outputs: list[OutputRow]
    native_api: list[str]
    semantics: str
    notes: str

    @cached_property
    def by_name(self) -> dict[str, OutputRow]:
        """The outputs by name: a case of 20,000 steps looks each up once per column, not by a scan."""
        return {o.name: o for o in self.outputs}


@dataclass
class CaseView:
    record: CaseRecord
    columns: list[ColumnRow]
    inputs: list[dict[str, str]]
    divergences: list[VerdictRecord]  # verdicts other than agree
    judgments: list[Judgment]
    snippets: dict[str, str]
    figures: list[Figure] = field(default_factory=list)
    diverging: bool = False  # some framework column's verdict against the reference is a difference

    @property
    def explanations(self) -> list[dict[str, Any]]:
        """The divergences with each explanation said once.

        A pair's explanation is made of clauses ('torch raised RuntimeError: ...'); the
        pairs against the reference come first, and a later pair shows only the clauses
        not said yet (`explanation` is empty when all were: the pair is named, not re-told).
        """
        said: set[str] = set()
        shown = []
        ordered = sorted(self.divergences, key=lambda d: "reference" not in d["columns"])
        for d in ordered:
            clauses = [c for c in str(d["explanation"]).split("; ") if c not in said]
            said.update(clauses)
            shown.append({"pairs": " vs ".join(d["columns"]), "kind": d["kind"], "explanation": "; ".join(clauses)})
        return shown

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def output_names(self) -> list[str]:
        """Every recorded output in any column, step outputs before gradients."""
        seen: dict[str, None] = {}
        for c in self.columns:
            seen.update((o.name, None) for o in c.outputs)
        position = {n: i for i, n in enumerate(seen)}  # a stable sort by position, linear in the outputs
        return sorted(seen, key=lambda n: (n.startswith("grad."), position[n]))

    def output(self, column: ColumnRow, name: str) -> OutputRow | None:
        return column.by_name.get(name)


@dataclass
class CaseGroup:
    """One case file's cases: the case alone, or its variants in file order, shown together.

    A file's description and claim source are shared; each variant keeps its own verdicts, claim
    judgment and anchor (`case-id[variant]`).
    """

    id: str  # the file's case id (the base id of its variants)
    members: list[CaseView]

    @property
    def has_variants(self) -> bool:
        return self.members[0].record.get("variant") is not None

    @property
    def record(self) -> CaseRecord:
        return self.members[0].record

    @property
    def title(self) -> str:
        """The file's title, without the variant suffix `[name]` each variant's title carries."""
        title, variant = str(self.record["title"]), self.record.get("variant")
        return title.removesuffix(f" [{variant}]") if variant else title


def group_cases(views: list[CaseView]) -> list[CaseGroup]:
    """Views grouped by case file, in the order each file first appears."""
    groups: dict[str, CaseGroup] = {}
    for view in views:
        base = str(view.record.get("case") or view.id)
        groups.setdefault(base, CaseGroup(base, [])).members.append(view)
    return list(groups.values())


@dataclass
class FamilyView:
    """A family's case files for the matrix: those where some case diverges (shown open) and the rest (folded).

    A file's variants stay together: one diverging variant puts the whole file among the diverging.
    """

    name: str
    diverging: list[CaseGroup]
    agreeing: list[CaseGroup]

    @property
    def case_count(self) -> int:
        return sum(len(g.members) for g in self.diverging + self.agreeing)

    @property
    def diverging_count(self) -> int:
        """Cases (variants counted one by one) where some column diverges."""
        return sum(1 for g in self.diverging for m in g.members if m.diverging)


@dataclass
class ReportView:
    results: ResultsDocument
    columns: list[str]  # framework columns (the reference apart)
    counts: list[tuple[str, int]]
    cases: list[CaseView]
    ledger: list[CaseView]
    groups: list[CaseGroup] = field(default_factory=list)  # the cases by file, variants together
    figures: list[Figure] = field(default_factory=list)  # report-wide: the heatmaps
    families: list[Any] = field(default_factory=list)  # oracle.report.summary.FamilyCount, per family
    kinds: list[str] = field(default_factory=list)  # the verdict kinds present, in the diff's order
    matrix: list[FamilyView] = field(default_factory=list)
    coverage: list[Any] = field(default_factory=list)  # oracle.report.coverage.OpCoverage, per op


def _number(x: float | None) -> str:
    return "" if x is None else ("0" if x == 0 else f"{x:.3g}")


def init_text(spec: InputRecord) -> str:
    init = spec.get("init")
    if init == "literal":
        return f"literal {spec.get('literal')}" + (f", dtype {spec['dtype']}" if spec.get("dtype") else ", dtype inferred")
    if init == "values" or not isinstance(init, dict):
        values = spec.get("values")
        return f"values {values}" if values is not None and len(str(values)) <= 60 else "explicit values"
    (kind, params), = init.items()
    if not isinstance(params, dict):
        return f"{kind} {params}"
    return f"{kind}(" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")"


def _column_row(case: CaseRecord, name: str, o: ColumnOutcome) -> ColumnRow:
    ref = case["columns"].get("reference")
    outputs = []
    for out, t in o["outputs"].items():
        row = OutputRow(out, summarize(t))
        r = ref["outputs"].get(out) if ref and name != "reference" else None
        if r and r["shape"] is not None and r["shape"] == t["shape"]:
            a, b = Tensor.from_results(t).values, Tensor.from_results(r).values
            assert a is not None and b is not None
            row.max_abs, row.max_rel = max_differences(a, b)
            found = compare_arrays(a, b, 0.0, 0.0)
            row.nonfinite_differs = found is not None and found.kind == "nan_inf_mismatch"
            row.within_tolerance = compare_arrays(a, b, *tolerance(t.get("dtype"), r.get("dtype"))) is None
            row.finite_pairs = int((np.isfinite(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64))
                                    & np.isfinite(b.astype(np.complex128 if b.dtype.kind == "c" else np.float64))).sum())
        outputs.append(row)
    outputs += [OutputRow(out, output_status_text(status)) for out, status in (o.get("output_status") or {}).items()]
    e = o.get("error")
    followed = case.get("semantics", {}).get(name)
    return ColumnRow(
        name=name, status=status_text(o), kind=against_reference(case, name),
        error=f"{e['type']}: {e['message']}" + (f" ({e['where']})" if e.get("where") else "") if e else "",
        warnings=[f"{w['category']}: {w['message']}" for w in o["warnings"]], outputs=outputs,
        native_api=list(o.get("native_api", [])),
        semantics="" if followed is None or name == "reference" else describe(followed),
        notes=str(o["notes"].get("reason") or o["notes"].get("unsupported") or ""),
    )


HEATMAP_MAX_CASES = 80  # the per-case heatmap is drawn up to this many cases (0.3 inch a row)


def build_view(results: ResultsDocument, plots: bool = True) -> ReportView:
    cases = results["cases"]
    columns = framework_columns(results)
    counts = Counter(against_reference(case, c) for case in cases for c in columns)
    counts.pop(None, None)
    judged = {case["id"]: judgments for case, judgments in ledger(results)}
    views = []
    for case in cases:
        view = CaseView(
            record=case,
            columns=[_column_row(case, n, o) for n, o in case["columns"].items()],
            inputs=[{"name": n, "shape": str(i.get("shape", "as built")), "dtype": i["dtype"] or "inferred",
                     "how": init_text(i)}
                    for n, i in case["inputs"].items()],
            divergences=[v for v in case["verdicts"] if v["kind"] != "agree"],
            judgments=judged.get(case["id"], []),
            snippets=dict(case.get("snippets") or {}),
            diverging=diverges(case, columns),
        )
        if plots:
            mismatched = [c for c in columns if against_reference(case, c) in ("value_mismatch", "nan_inf_mismatch")]
            png = draw.element_differences(case, mismatched) if mismatched else None
            if png:
                view.figures.append(Figure(f"{case['id']}-differences", "Per-element differences to the reference", png))
            png = draw.trajectories(case)
            if png:
                view.figures.append(Figure(f"{case['id']}-trajectories", "Trajectories per column", png))
        views.append(view)
    ranked = [(kind or "", n) for kind, n in counts.most_common()]
    report = ReportView(results, columns, ranked, views, [v for v in views if v.record.get("source")],
                        group_cases(views))
    report.families = by_family(results)
    report.kinds = kinds_present(report.families)
    report.coverage = coverage(results)
    for family in report.families:
        mine = [g for g in report.groups if family_of(g.record) == family.family]
        report.matrix.append(FamilyView(family.family, [g for g in mine if any(m.diverging for m in g.members)],
                                        [g for g in mine if not any(m.diverging for m in g.members)]))
    if plots and cases:
        report.figures.append(Figure("verdict-families", "Verdicts per family (share of cells)",
                                     draw.family_heatmap(results)))
        if len(cases) <= HEATMAP_MAX_CASES:  # beyond, a row per case is too thin to read
            kinds = [[against_reference(c, col) for col in columns] for c in cases]
            labels = [[status_text(c["columns"][col]) if col in c["columns"] else "not run" for col in columns]
                      for c in cases]
            report.figures.append(Figure("verdict-matrix", "Verdicts against the reference, per case",
                                         draw.verdict_heatmap([c["id"] for c in cases], columns, kinds, labels)))
    return report
