"""The pytest plugin, run as a user runs it: `pytest -p oracle.pytest_plugin cases/` in a project.

Each run is a real pytest process on one case through two columns (reference, jax), so
the three runs cost a few worker starts, not a pass over every case.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "elementwise" / "log-sqrt-zero-and-negative-grad.yaml"


def pytest_in(project: Path, *args: str, columns: str = "reference,jax") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "oracle.pytest_plugin", "-p", "no:cacheprovider",
                           "--rootdir", str(project), "--oracle-columns", columns, "-rA", "cases", *args],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_case_files_are_items_checked_against_the_baseline(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    shutil.copy(CASE, tmp_path / "cases")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "data.yaml").write_text("not: a case\n")  # outside `cases`: never collected
    case_id = CASE.stem

    update = pytest_in(tmp_path, "--oracle-update")
    assert update.returncode == 0, update.stdout + update.stderr
    assert "2 passed" in update.stdout
    stored = tmp_path / "baselines" / "cases" / f"{case_id}.json"
    assert set(json.loads(stored.read_text())["columns"]) == {"reference", "jax"}

    again = pytest_in(tmp_path)
    assert again.returncode == 0 and "2 passed" in again.stdout, again.stdout + again.stderr
    assert f"PASSED cases/{CASE.name}::reference" in again.stdout and f"PASSED cases/{CASE.name}::jax" in again.stdout

    data = json.loads(stored.read_text())
    data["columns"]["reference"]["warnings"] = [{"category": "RuntimeWarning", "message": "planted"}]
    stored.write_text(json.dumps(data))
    (tmp_path / "baselines" / "expected").mkdir()
    (tmp_path / "baselines" / "expected" / "jax.yaml").write_text(
        f"- case: {case_id}\n  kind: value_mismatch\n  reason: planted listing\n")
    planted = pytest_in(tmp_path)
    assert planted.returncode == 1, planted.stdout + planted.stderr
    assert "1 failed, 1 xpassed" in planted.stdout
    failure = planted.stdout.split(f"{case_id} [reference]: changed warning_only", 1)[1]
    assert "what changed: now: warning gone: RuntimeWarning: planted" in failure
    assert "baseline says: ok, warned RuntimeWarning" in failure and "seen now:      ok;" in failure
    assert f"reproduce: oracle show {case_id}" in failure and "--oracle-update" in failure
    assert f"XPASS cases/{CASE.name}::jax" in planted.stdout


SECOND = ROOT / "cases" / "losses" / "mse-column-vs-flat-target.yaml"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "cases").mkdir()
    for case in (CASE, SECOND):
        shutil.copy(case, tmp_path / "cases")
    return tmp_path


def _ran(stdout: str) -> list[str]:
    """The plugin's summary lines: '<column>: <n> cell(s)' per column worker start ('gwN: ' first under xdist)."""
    if "oracle: cells run per column worker start" not in stdout:
        return []
    section = stdout.split("oracle: cells run per column worker start", 1)[1]
    return sorted(line.strip() for line in section.splitlines() if line.strip().endswith("cell(s)"))


def test_a_selection_runs_and_updates_only_its_cells(tmp_path: Path) -> None:
    project = _project(tmp_path)
    full = pytest_in(project, "--oracle-update")
    assert full.returncode == 0 and "4 passed" in full.stdout, full.stdout + full.stderr
    assert _ran(full.stdout) == ["jax: 2 cell(s)", "reference: 2 cell(s)"]
    env_path, other = project / "baselines" / "environment.json", project / "baselines" / "cases" / f"{SECOND.stem}.json"
    env = json.loads(env_path.read_text())
    env["platform"] = "planted-platform"
    env_path.write_text(json.dumps(env))
    planted = json.loads(other.read_text())
    planted["columns"]["jax"]["warnings"] = [{"category": "RuntimeWarning", "message": "planted"}]
    other.write_text(json.dumps(planted))
    before = other.read_text()

    one = pytest_in(project, "-k", f"{CASE.stem} and jax", "--oracle-update")
    assert one.returncode == 0 and "1 passed, 3 deselected" in one.stdout, one.stdout + one.stderr
    assert _ran(one.stdout) == ["jax: 1 cell(s)"]  # one cell: no reference, no second case
    assert other.read_text() == before  # the unselected case's baseline is left alone
    assert json.loads(env_path.read_text())["platform"] == "planted-platform"  # a subset keeps the platform

    check = pytest_in(project, "-k", SECOND.stem)
    assert check.returncode == 1 and "1 failed, 1 passed" in check.stdout, check.stdout + check.stderr
    assert "warning gone: RuntimeWarning: planted" in check.stdout

    pytest_in(project, "--oracle-update")
    assert json.loads(env_path.read_text())["platform"] != "planted-platform"  # every case: the platform is this one
    files = {p: p.read_text() for p in (project / "baselines").rglob("*.json")}
    again = pytest_in(project, "--oracle-update")
    assert again.returncode == 0
    assert {p: p.read_text() for p in (project / "baselines").rglob("*.json")} == files  # no churn


def test_under_xdist_each_column_starts_once_per_worker(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert pytest_in(project, "--oracle-update").returncode == 0
    run = pytest_in(project, "-n", "2")
    assert run.returncode == 0 and "4 passed" in run.stdout, run.stdout + run.stderr
    ran = _ran(run.stdout)
    # one batch per column, each on one worker, holding both cases of that column
    assert sorted(line.split(": ", 1)[1] for line in ran) == ["jax: 2 cell(s)", "reference: 2 cell(s)"], ran

    # a listed divergence is judged against the reference: a worker without the reference column runs it
    # for that case, once, beside its own column
    (project / "baselines" / "expected").mkdir()
    (project / "baselines" / "expected" / "jax.yaml").write_text(
        f"- case: {CASE.stem}\n  kind: value_mismatch\n  reason: planted listing\n")
    listed = pytest_in(project, "-n", "2")
    assert listed.returncode == 0 and "3 passed, 1 xpassed" in listed.stdout, listed.stdout + listed.stderr
    ran = _ran(listed.stdout)
    for worker in {line.split(":")[0] for line in ran}:
        assert sum(line.startswith(f"{worker}: reference:") for line in ran) <= 1, ran  # one reference start


def test_yaml_outside_the_case_folders_says_why_nothing_was_collected(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    shutil.copy(CASE, tmp_path / "other")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "oracle.pytest_plugin", "-p", "no:cacheprovider",
                          "--rootdir", str(tmp_path), "other"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 5, run.stdout + run.stderr  # pytest's "no tests collected"
    assert f"oracle: 1 YAML file(s) not collected (other/{CASE.name})" in run.stdout
    assert "oracle_cases folders (cases" in run.stdout


VARIANTS = ROOT / "cases" / "gradients" / "regressor-custom-loss-backward.yaml"


def _outcomes(stdout: str) -> dict[str, str]:
    """'cases/f.yaml::variant:column' -> PASSED/FAILED/XFAIL/XPASS/ERROR, from the -rA short summary."""
    summary = stdout.split("short test summary info", 1)[-1]
    found = {}
    for line in summary.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "XFAIL", "XPASS", "ERROR") and "::" in rest:
            found[rest.split(" ")[0]] = word
    return found


def test_xdist_over_variant_files_and_a_listed_divergence_equals_a_plain_run(tmp_path: Path) -> None:
    """`pytest -n 2` over variant files beside a listed divergence: every item as in a plain run.

    A variant's items are named `variant:column`; they are scheduled with their column, so a worker
    that ran the reference for a listed cell never runs a second batch over other cases' answers."""
    project = _project(tmp_path)
    shutil.copy(VARIANTS, project / "cases")
    assert pytest_in(project, "--oracle-update").returncode == 0
    (project / "baselines" / "expected").mkdir()
    (project / "baselines" / "expected" / "jax.yaml").write_text(
        f"- case: {CASE.stem}\n  kind: value_mismatch\n  reason: planted listing\n")
    plain = pytest_in(project)
    sharded = pytest_in(project, "-n", "2")
    assert sharded.returncode == plain.returncode == 0, sharded.stdout + sharded.stderr
    seen = _outcomes(plain.stdout)
    assert any("[" not in item and item.count(":") == 3 for item in seen), seen  # variant items are there
    assert seen.get(f"cases/{CASE.name}::jax") == "XPASS", seen
    assert _outcomes(sharded.stdout) == seen
    ran = _ran(sharded.stdout)
    assert sorted(line.split(": ", 1)[1].split(":")[0] for line in ran if "reference" not in line) == ["jax"], ran


def test_answers_for_cases_outside_the_run_are_ignored(tmp_path: Path) -> None:
    """`previous` may hold cells of cases this run does not hold (the plugin passes every batch it ran)."""
    from oracle.cases import load_file
    from oracle.journal import Journaled
    from oracle.outcome import Outcome
    from oracle.results import execute, parse_columns

    answered = Outcome(status="ok", framework="jax").to_results()
    cells = {(CASE.stem, "jax"): ("", answered), ("a-case-of-another-batch", "jax"): ("", answered)}
    environment = {"jax": {"framework": "jax", "version": "0", "device": "cpu", "python": sys.executable,
                           "settings": {}, "available": True, "reason": ""}}
    results = execute(load_file(CASE), parse_columns("jax", "cpu"), tmp_path,
                      previous=Journaled(cells=cells, environment=environment),
                      cells={(CASE.stem, "jax")}, prints={cell: "" for cell in cells})
    assert [r["id"] for r in results["cases"]] == [CASE.stem] and results["complete"]
    assert results["cases"][0]["columns"]["jax"]["status"] == "ok"
