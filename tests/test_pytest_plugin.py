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


def pytest_in(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "oracle.pytest_plugin", "-p", "no:cacheprovider",
                           "--rootdir", str(project), "--oracle-columns", "reference,jax", "-rA", "cases", *args],
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
