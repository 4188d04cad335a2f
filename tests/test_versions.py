"""Two versions of one framework side by side: columns in other interpreters, named by version.

The comparison needs the second environment that `make versions` builds (.venv-jax-0.4.38);
without it that test is skipped, so `make test` needs no second network install.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from oracle.model import ResultsDocument
from oracle.versions import check_names, installed_version, version_columns

ROOT = Path(__file__).resolve().parent.parent
OLD_JAX = ROOT / ".venv-jax-0.4.38" / "bin" / "python"
CASE = ROOT / "cases" / "losses" / "mse-column-vs-flat-target.yaml"
# the case's step, called natively in an interpreter: what optax's squared_error does with [64, 1] vs [64]
NATIVE = """
import numpy as np, optax
try:
    optax.losses.squared_error(np.zeros((64, 1), np.float32), np.zeros(64, np.float32))
    print("ok")
except Exception as exc:
    print(type(exc).__name__)
"""


def native(python: str) -> str:
    return subprocess.run([python, "-c", NATIVE], capture_output=True, text=True, check=True,
                          env={"JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"}).stdout.strip()


def test_columns_are_named_by_the_version_installed_in_each_interpreter() -> None:
    from importlib.metadata import version

    (column,) = version_columns("jax", [sys.executable])
    assert column.name == f"jax@{version('jax')}" and column.python == sys.executable
    assert installed_version(sys.executable, "torch") == version("torch")
    with pytest.raises(ValueError, match="unknown framework"):
        version_columns("mxnet", [])


def test_versions_config_file(tmp_path: Path) -> None:
    from oracle.versions import load_config

    assert load_config(ROOT / "versions" / "jax.yaml").pythons == [".venv-jax-0.4.38/bin/python"]
    (tmp_path / "v.yaml").write_text("framework: jax\npython: [x]\n")
    with pytest.raises(ValueError, match=r"v.yaml: pythons: Field required"):
        load_config(tmp_path / "v.yaml")


def test_a_name_that_says_another_version_is_caught() -> None:
    env = {"framework": "jax", "version": "0.10.2", "available": True}
    assert check_names({"jax@0.10.2": env}) == []
    assert check_names({"jax@0.4.38": env}) == ["jax@0.4.38 imported jax 0.10.2"]


def test_version_changes_and_bit_drift_between_two_columns() -> None:
    import numpy as np

    from oracle.outcome import ErrorInfo, Outcome, Tensor
    from oracle.versions import compare_columns, drift

    def record(case_id: str, a: Outcome, b: Outcome) -> dict[str, Any]:
        return {"id": case_id, "columns": {"jax@1": a.to_results(), "jax@2": b.to_results()}}

    one = np.array([1.0, 2.0], np.float32)
    nudged = np.nextafter(one, np.float32(3))  # one ulp: within float32 tolerance, not bit-identical
    raised = Outcome("error", error=ErrorInfo("AssertionError", "AssertionError", "shapes"))
    other = Outcome("error", error=ErrorInfo("ValueError", "ValueError", "shapes"))
    def ok(values: np.ndarray) -> Outcome:
        return Outcome("ok", outputs={"y": Tensor(values)})

    overflowed = np.array([1.0, np.inf], np.float32)  # a NaN/Inf pattern change is check's finding, not a gap
    results = {"cases": [record("same", ok(one), ok(one)), record("ulp", ok(one), ok(nudged)),
                         record("raise", raised, other), record("inf", ok(overflowed), ok(one))]}
    changed = compare_columns(cast(ResultsDocument, results), "jax@1", "jax@2")
    assert [(c.case, c.kind) for c in changed] == [("raise", "error_kind_mismatch"), ("inf", "nan_inf_mismatch")]
    assert "jax@1 raised AssertionError: shapes; jax@2 raised ValueError: shapes" in changed[0].explanation
    count, total, largest = drift(cast(ResultsDocument, results), "jax@1", "jax@2")
    assert (count, total) == (2, 3) and largest == float(np.abs(nudged - one).max())


@pytest.mark.skipif(not OLD_JAX.exists(), reason="no second JAX environment: run `make versions` to build it")
def test_two_jax_versions_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real run of one case through the pinned JAX and the older one; each column did what its JAX does."""
    from oracle.cli import main
    from oracle.results import load_results

    code = main(["diff-versions", "--framework", "jax", "--python", str(OLD_JAX), str(CASE), "--out", str(tmp_path),
                 "--accepted", str(tmp_path / "none.yaml")])
    assert code == (0 if native(str(OLD_JAX)) == native(sys.executable) else 1)  # a change not accepted fails
    results = load_results(tmp_path / "results.json")
    old, new = f"jax@{installed_version(str(OLD_JAX), 'jax')}", f"jax@{installed_version(sys.executable, 'jax')}"
    assert list(results["environment"]) == [old, new]  # oldest first
    assert check_names(results["environment"]) == []
    for name, python in ((old, str(OLD_JAX)), (new, sys.executable)):
        assert results["environment"][name]["version"] == name.split("@")[1]
        outcome, expected = results["cases"][0]["columns"][name], native(python)
        if expected == "ok":
            assert outcome["status"] == "ok"
        else:
            error = outcome["error"]
            assert outcome["status"] == "error" and error is not None and error["type"].split(".")[-1] == expected
    out = capsys.readouterr().out
    assert f"{old} -> {new} (jax {old.split('@')[1]} + " in out  # headed by each side's stack
