"""report.html: one self-contained file (inline CSS, figures as base64 PNG, no script, no network)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from oracle.model import ResultsDocument
from oracle.ops import FRAMEWORKS
from oracle.report.plots import KIND_COLORS, KIND_LABELS
from oracle.report.view import HEATMAP_MAX_CASES, CaseView, ColumnRow, ReportView, build_view
from oracle.safeio import printable

TEMPLATES = Path(__file__).resolve().parent / "templates"
LIGHT = {"warning_only", "dtype_mismatch", "incomparable"}  # backgrounds that need dark text


def _column(case: CaseView, name: str) -> ColumnRow | None:
    return next((c for c in case.columns if c.name == name), None)


def _status(case: CaseView, name: str) -> str:
    row = _column(case, name)
    return row.status if row else "not run"


def render_html(results: ResultsDocument, view: ReportView | None = None) -> str:
    view = view or build_view(results)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    return printable(env.get_template("report.html.j2").render(
        v=view, env=results["environment"], css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        colors=KIND_COLORS, labels=KIND_LABELS, light=LIGHT, column=_column, status=_status,
        judgment=lambda case, c: next((j for j in case.judgments if j.column == c), None),
        b64=lambda png: base64.b64encode(png).decode("ascii"), frameworks=FRAMEWORKS, max_heatmap=HEATMAP_MAX_CASES,
        source=_source,
    ), keep_newlines=True)  # no control or bidi character of case text reaches the page raw


def _source(source: dict[str, Any]) -> Markup:
    """The source document's name, a link to its public page where the case cites one."""
    doc = escape(source.get("doc", ""))
    url = source.get("url") or ""
    return Markup(f'<a href="{escape(url)}">{doc}</a>') if url.startswith(("https://", "http://")) else doc
