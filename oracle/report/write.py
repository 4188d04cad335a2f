"""Write every report file for one results document: report.md, report.html, plots/*.png."""

from __future__ import annotations

from pathlib import Path

from oracle.files import write_atomic
from oracle.model import ResultsDocument
from oracle.report.html import render_html
from oracle.report.markdown import render_markdown
from oracle.report.view import build_view
from oracle.safeio import inside

FIGURES = "plots"


def write_reports(results: ResultsDocument, out: Path) -> list[Path]:
    """Render both reports from one view; the PNGs sit in out/plots/, linked by report.md."""
    view = build_view(results)
    figures = out / FIGURES
    figures.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in view.figures + [f for case in view.cases for f in case.figures]:
        path = inside(out, f"{FIGURES}/{figure.name}.png")  # names come from case ids: data, not paths
        path.write_bytes(figure.png)
        written.append(path)
    write_atomic(out / "report.md", render_markdown(results, view, FIGURES))
    write_atomic(out / "report.html", render_html(results, view))
    return [out / "report.md", out / "report.html"] + written
