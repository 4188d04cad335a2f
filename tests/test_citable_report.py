"""A report one can cite: source links, a provenance block (report and results.json), tables that fit a window."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oracle.cli import main
from oracle.provenance import git_commit
from oracle.report.html import render_html
from oracle.report.markdown import render_markdown
from oracle.results import load_results

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "cases"
URL = "https://github.com/pytorch/pytorch/issues/94909"


def cited_run(out: Path) -> Path:
    """The test cases through the reference and torch, one of them citing a public page."""
    cases = out / "cases"
    cases.mkdir(parents=True)
    for path in DATA.glob("*.yaml"):
        (cases / path.name).write_text(path.read_text())
    mse = cases / "t-mse-broadcast.yaml"
    mse.write_text(mse.read_text() + f"source:\n  doc: pytorch-issue-94909\n  url: {URL}\n  example: 1\n"
                   "  claim: MSELoss broadcasts a [N,1] prediction against a [N] target and warns\n")
    assert main(["run", str(cases), "--columns", "reference,torch", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = cited_run(tmp_path_factory.mktemp("cited"))
    assert main(["report", "--results", str(out / "results.json")]) == 0
    return out


def test_every_cited_source_is_a_link(run: Path) -> None:
    results = load_results(run / "results.json")
    cited = [c["source"]["url"] for c in results["cases"] if c["source"] and c["source"].get("url")]
    assert cited == [URL]
    html = (run / "report.html").read_text()
    md = (run / "report.md").read_text()
    assert html.count(f'<a href="{URL}">') >= 2  # the claims ledger and the case's claim
    assert md.count(f"](<{URL}>)") >= 2


def test_provenance_in_results_and_reports(run: Path) -> None:
    p: dict[str, Any] = json.loads((run / "results.json").read_text())["provenance"]
    assert p["tool_version"] == importlib.metadata.version("dl-oracle")
    assert p["columns"]["torch"]["packages"]["torch"] == importlib.metadata.version("torch")
    assert p["columns"]["reference"]["packages"]["jax"] == importlib.metadata.version("jax")
    assert p["date"][:4].isdigit() and p["date"].endswith("Z") and p["platform"]
    assert p["cases_commit"] == ""  # the cases of this run are outside any git checkout
    for text in ((run / "report.html").read_text(), (run / "report.md").read_text()):
        assert p["date"] in text and f"torch {p['columns']['torch']['packages']['torch']}" in text


def test_cases_commit_is_the_checkouts() -> None:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    assert git_commit(DATA).removesuffix("+dirty") == head.stdout.strip()


def test_results_without_provenance_still_load_and_render(run: Path, tmp_path: Path) -> None:
    old = json.loads((run / "results.json").read_text())
    del old["provenance"]  # as results written before it existed
    (tmp_path / "results.json").write_text(json.dumps(old))
    results = load_results(tmp_path / "results.json")
    assert "predate the provenance record" in render_html(results)
    assert "predate the provenance record" in render_markdown(results)


def test_coverage_has_a_column_per_framework(run: Path) -> None:
    html = (run / "report.html").read_text()
    coverage = html.split('<table class="coverage">', 1)[1].split("</table>", 1)[0]
    header = coverage.split("</tr>", 1)[0]
    assert "torch: cases per verdict" in header and "cells per verdict" not in header
    md = (run / "report.md").read_text().split("## Op coverage", 1)[1]
    assert "| op | family | cases | torch | torch binding |" in md


def test_citation_file_names_this_version() -> None:
    import tomllib

    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert citation["cff-version"] == "1.2.0" and citation["title"] and citation["authors"]
    assert str(citation["version"]) == project["version"]
