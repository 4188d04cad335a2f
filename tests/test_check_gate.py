"""`oracle check` as a CI gate: an edited case is told apart, advice fits the command, causes reach the terminal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from test_pytest_plugin import pytest_in  # the plugin run as a user runs it, shared with the plugin tests

from oracle.baseline import check, load_baseline
from oracle.cases import load_cases
from oracle.cli import main
from oracle.model import ResultsDocument
from oracle.results import load_results

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "cases"
COLUMNS = "reference,jax"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test cases and their baseline (reference, jax), recorded by `oracle snapshot`."""
    root = tmp_path_factory.mktemp("gate")
    shutil.copytree(DATA, root / "cases")
    assert main(["snapshot", str(root / "cases"), "--columns", COLUMNS, "--out", str(root / "baselines"),
                 "--run-out", str(root / "run")]) == 0
    return root


def _copy(recorded: Path, tmp_path: Path) -> Path:
    shutil.copytree(recorded / "cases", tmp_path / "cases")
    shutil.copytree(recorded / "baselines", tmp_path / "baselines")
    return tmp_path


def _check(root: Path, *paths: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oracle.cli", "check", *paths, "--columns", COLUMNS,
                           "--against", str(root / "baselines"), "--run-out", str(root / "check")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})


def test_an_edited_case_is_its_own_status_not_a_change(recorded: Path, tmp_path: Path) -> None:
    root = _copy(recorded, tmp_path)
    case = root / "cases" / "t-cross-entropy.yaml"
    case.write_text(case.read_text().replace("seed: 14", "seed: 16"))
    done = _check(root, str(root / "cases"))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("EDITED") and "t-cross-entropy" in line for line in lines)
    assert not any(line.startswith("CHANGED") for line in lines)
    assert not any(line.lstrip().startswith("| ") for line in lines)  # no native snippet for an edit
    assert f"oracle check {root / 'cases'} --against {root / 'baselines'} --columns {COLUMNS} --update" in done.stdout


def test_unused_baselines_only_when_the_whole_suite_ran(recorded: Path, tmp_path: Path) -> None:
    root = _copy(recorded, tmp_path)
    one = _check(root, str(root / "cases" / "t-log-special.yaml"))
    assert one.returncode == 0, one.stdout + one.stderr
    assert "unused baseline" not in one.stdout
    results = load_results(recorded / "run" / "results.json")
    cases = load_cases([root / "cases" / "t-log-special.yaml"])
    subset = {**results, "cases": [c for c in results["cases"] if c["id"] == "t-log-special"]}
    whole = check(cast(ResultsDocument, subset), load_baseline(root / "baselines"), cases, whole=True)
    assert len(whole.unused_baselines) == 3  # the library still reports them when told the run was whole


def test_a_column_that_cannot_start_prints_the_cause(recorded: Path, tmp_path: Path) -> None:
    root = _copy(recorded, tmp_path)
    shadow = tmp_path / "shadow" / "optax"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('libplanted.so: cannot open shared object file')\n")
    done = _check(root, str(root / "cases" / "t-log-special.yaml"), env={"PYTHONPATH": str(shadow.parent)})
    assert done.returncode != 0
    assert "column jax could not run" in done.stderr
    assert "ImportError: libplanted.so: cannot open shared object file" in done.stderr


def test_check_refuses_a_diff_versions_results_file(recorded: Path, tmp_path: Path) -> None:
    results = json.loads((recorded / "run" / "results.json").read_text())
    results["kind"] = "diff-versions"
    (tmp_path / "results.json").write_text(json.dumps(results))
    done = subprocess.run([sys.executable, "-m", "oracle.cli", "check", str(recorded / "cases"), "--against",
                           str(recorded / "baselines"), "--results", str(tmp_path / "results.json"), "--update"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "diff-versions" in done.stderr
    assert "wrote" not in done.stdout and "rewritten" not in done.stdout


def test_the_plugin_leaves_no_lock_and_advises_by_cause(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    shutil.copy(DATA / "t-log-special.yaml", tmp_path / "cases")
    update = pytest_in(tmp_path, "--oracle-update", columns="reference")
    assert update.returncode == 0, update.stdout + update.stderr
    assert sorted(p.name for p in (tmp_path / "baselines").iterdir()) == ["cases", "environment.json"]
    (tmp_path / "baselines" / "expected").mkdir()
    (tmp_path / "baselines" / "expected" / "torch.yaml").write_text("- case: t-log-special\n  knd: value_mismatch\n")
    typo = pytest_in(tmp_path, columns="reference")
    assert typo.returncode == 1 and "torch.yaml: entry 1" in typo.stdout
    assert "--oracle-update" not in typo.stdout  # updating would not fix a typo
