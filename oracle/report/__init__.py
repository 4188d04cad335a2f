"""Reports written from results.json (never from live objects, so any results file renders)."""

from oracle.report.markdown import render_markdown

__all__ = ["render_markdown"]
