"""Claims that gate: a case's `require` fails `oracle run` (exit 6), `oracle check` and its pytest item,
naming the field, what was expected and what was seen; `source.expect` stays a ledger entry.

One case through the jax column (the reference is not a requirement's subject): relu of
[-1, 0, 2] is [0, 0, 2] with shape [3], as max(x, 0) defines it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from processes import ROOT
from test_pytest_plugin import pytest_in

CASE = {"id": "relu-require", "title": "relu of three values, required",
        "inputs": {"x": {"dtype": "float32", "values": [-1.0, 0.0, 2.0]}}, "steps": ["y = relu(x)"]}


def write(folder: Path, require: dict[str, object]) -> Path:
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    path = folder / "cases" / "relu-require.yaml"
    path.write_text(yaml.safe_dump({**CASE, "require": require}, sort_keys=False), encoding="utf-8")
    return path


def oracle(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m oracle.cli ARGS` from the checkout, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "oracle.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def test_a_require_that_holds_passes_and_one_that_does_not_exits_6_naming_field_expected_and_seen(
        tmp_path: Path) -> None:
    import numpy as np

    want = np.maximum(np.array([-1.0, 0.0, 2.0]), 0.0).tolist()  # the values max(x, 0) gives
    held = oracle("run", str(write(tmp_path / "held", {"status": "ok", "shapes": {"y": [3]}, "values": {"y": want}})),
                  "--columns", "jax", "--out", str(tmp_path / "out-held"))
    assert held.returncode == 0, held.stdout + held.stderr
    failed = oracle("run", str(write(tmp_path / "failed", {"shapes": {"y": [32]}, "values": {"y": [1.0, 0.0, 2.0]}})),
                    "--columns", "jax", "--out", str(tmp_path / "out-failed"))
    assert failed.returncode == 6, failed.stdout + failed.stderr
    assert "relu-require [jax]: require shapes.y: expected y of shape [32], got [3]" in failed.stderr
    assert "relu-require [jax]: require values.y: expected y = [1.0, 0.0, 2.0], got [0.0, 0.0, 2.0]" in failed.stderr


def test_oracle_check_fails_on_an_unmet_require_though_the_baseline_matches(tmp_path: Path) -> None:
    case = write(tmp_path, {"status": "error"})
    base = ["--columns", "jax", "--against", str(tmp_path / "baselines"), "--run-out", str(tmp_path / "run")]
    assert oracle("check", str(case), *base, "--update").returncode == 0
    checked = oracle("check", str(case), *base)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "relu-require [jax]: require status: expected an error, it computed" in checked.stderr


def test_the_pytest_item_fails_on_an_unmet_require(tmp_path: Path) -> None:
    write(tmp_path, {"warns": True, "columns": ["jax"]})
    update = pytest_in(tmp_path, "--oracle-update")
    assert update.returncode == 0, update.stdout + update.stderr
    run = pytest_in(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "relu-require [jax]: require warns: expected a warning" in run.stdout
    assert "1 failed, 1 passed" in run.stdout  # the reference item is not a requirement's subject


def test_a_require_naming_an_output_the_case_does_not_record_is_a_case_error(tmp_path: Path) -> None:
    from oracle.cases import CaseError, load_case

    with pytest.raises(CaseError, match=r"require\.shapes\.z.*'z' is not a recorded output"):
        load_case(write(tmp_path, {"shapes": {"z": [3]}}))
