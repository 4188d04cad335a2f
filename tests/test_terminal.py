"""The terminal as a newcomer meets it: --version, list, show, explain, ops, validate, report, atlas."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oracle.cases import load_cases
from oracle.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "cases"
SWEEP = ROOT / "cases" / "case-language"


def _oracle(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oracle.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


def test_version_is_the_installed_distributions() -> None:
    done = _oracle("--version")
    assert done.returncode == 0
    assert done.stdout.split()[-1] == importlib.metadata.version("dl-oracle")


def test_list_piped_gives_whole_ids_and_filters() -> None:
    every = _oracle("list", str(SWEEP))
    assert every.returncode == 0, every.stderr
    ids = [line.split("\t")[0] for line in every.stdout.splitlines()]
    assert ids == [c.id for c in load_cases([SWEEP])]
    assert max(map(len, ids)) > 30  # long enough that a 100-column table used to fold it
    only = _oracle("list", str(SWEEP), "-k", "sweep", "-k", "flat")
    kept = [line.split("\t")[0] for line in only.stdout.splitlines()]
    assert kept and len(kept) < len(ids)
    assert all("sweep" in line.lower() and "flat" in line.lower() for line in only.stdout.splitlines())


def test_show_a_file_id_with_variants_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    variants = [c for c in load_cases([SWEEP]) if c.variant is not None]
    base = variants[0].base_id
    assert main(["show", base, "--results", str(tmp_path / "none.json"), "--paths", str(SWEEP)]) == 0
    out = capsys.readouterr().out
    assert "no case" not in out
    assert all(c.id in out for c in variants if c.base_id == base)


def test_explain_a_typo_suggests_the_nearest_op_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "mse_los"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "did you mean mse_loss" in err
    assert "softmax" not in err  # not the whole vocabulary


def test_ops_family_takes_the_plural(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ops", "--family", "loss", "--format", "json"]) == 0
    singular = json.loads(capsys.readouterr().out)
    assert main(["ops", "--family", "losses", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == singular and singular


def test_validate_reports_every_bad_file(tmp_path: Path) -> None:
    for path in DATA.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    mse = tmp_path / "t-mse-broadcast.yaml"
    mse.write_text(mse.read_text().replace("mse_loss(", "mse_los("))
    log = tmp_path / "t-log-special.yaml"
    log.write_text(log.read_text().replace("id: t-log-special", "id: another-name"))
    done = _oracle("validate", str(tmp_path))
    assert done.returncode == 2
    assert "t-mse-broadcast.yaml:" in done.stderr and "t-log-special.yaml:" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The [8,1] vs [8] MSE through the reference and torch: torch warns a long warning, the reference raises."""
    out = tmp_path_factory.mktemp("terminal-run")
    assert main(["run", str(DATA / "t-mse-broadcast.yaml"), "--columns", "reference,torch", "--out", str(out)]) == 0
    return out


def test_show_prints_a_long_warning_once_and_no_internal_class(torch_run: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    results: dict[str, Any] = json.loads((torch_run / "results.json").read_text())
    torch = results["cases"][0]["columns"]["torch"]
    warning = torch["warnings"][0]["message"]
    assert len(warning) > 100
    assert results["cases"][0]["columns"]["reference"]["error"]["type"].startswith("oracle.")
    capsys.readouterr()
    assert main(["show", "t-mse-broadcast", "--results", str(torch_run / "results.json")]) == 0
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())  # the table folds lines: words
    assert out.count(" ".join(warning.split()[-6:])) == 1
    assert "oracle.ops" not in out


def test_report_says_what_it_wrote_in_one_line(torch_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["report", "--results", str(torch_run / "results.json")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "report.html" in lines[0]
    assert len(list((torch_run / "plots").glob("*.png"))) > 1  # several files, one line


def test_atlas_renders_at_a_terminal_and_writes_html(tmp_path: Path) -> None:
    entry = {"op": "mse_loss", "family": "loss", "seed": 0, "examples": 10, "departures": {"torch": 4},
             "classes": [{"count": 4, "slug": "mse_loss-torch-broadcast", "file": "mse_loss/x.yaml",
                          "signature": {"columns": {"torch": "ok warned"}}}]}
    (tmp_path / "mse_loss").mkdir()
    (tmp_path / "mse_loss" / "atlas.json").write_text(json.dumps(entry))
    piped = _oracle("atlas", str(tmp_path))
    assert "| examples | class |" in piped.stdout  # a pipe gets the Markdown
    shown = _oracle("atlas", str(tmp_path), TTY_COMPATIBLE="1", COLUMNS="160")
    assert shown.returncode == 0 and "mse_loss-torch-broadcast" in shown.stdout
    assert "| examples | class |" not in shown.stdout and "##" not in shown.stdout  # rendered, not raw
    done = _oracle("atlas", str(tmp_path), "--out", str(tmp_path / "atlas.html"))
    assert done.returncode == 0 and "<table>" in (tmp_path / "atlas.html").read_text()
