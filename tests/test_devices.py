"""Device selection and numerical settings, on a machine without a GPU (GPU runs: test_gpu.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from oracle.cases import load_case
from oracle.plan import plan
from oracle.results import parse_columns
from oracle.runner import run_column

DATA = Path(__file__).resolve().parent / "data" / "cases"


def test_column_names_per_device() -> None:
    assert [c.name for c in parse_columns("torch,jax", "cpu")] == ["torch", "jax"]
    columns = parse_columns("torch,jax", "cpu,gpu")
    assert [(c.name, c.framework, c.device) for c in columns] == [
        ("torch:cpu", "torch", "cpu"), ("jax:cpu", "jax", "cpu"), ("torch:gpu", "torch", "gpu"), ("jax:gpu", "jax", "gpu")]
    # one judge for every device: the reference runs once, on the CPU, under its plain name
    assert [c.name for c in parse_columns("reference,torch", "cpu,gpu")] == ["reference", "torch:cpu", "torch:gpu"]
    assert parse_columns("reference,torch", "cpu,gpu")[0].device == "cpu"
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        parse_columns("torch", "tpu")
    with pytest.raises(ValueError, match="unknown column 'mxnet'"):
        parse_columns("mxnet", "cpu")


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="a GPU may be visible here")
@pytest.mark.parametrize("framework", ["torch", "jax", "tensorflow"])
def test_missing_gpu_is_an_unavailable_column_with_the_reason(framework: str, tmp_path: Path) -> None:
    got: list[Any] = []
    env = run_column(parse_columns(framework, "cpu,gpu")[1], [plan(load_case(DATA / "t-log-special.yaml"))],
                     lambda column, case_id, outcome: got.append(outcome), tmp_path)
    assert not env.available and "gpu" in env.reason.lower()
    assert [o.status for o in got] == ["unavailable"]


def test_settings_pinned_by_a_case_are_applied_and_recorded(pipeline: dict[str, Any]) -> None:
    import tensorflow as tf
    import torch  # the framework's own defaults, read here, not copied

    defaults = {"torch": ("allow_tf32_matmul", torch.backends.cuda.matmul.allow_tf32),
                "tensorflow": ("tensor_float_32_execution", tf.config.experimental.tensor_float_32_execution_enabled())}
    pinned = {True: {"torch": True, "tensorflow": True, "jax": "tensorfloat32"},
              False: {"torch": False, "tensorflow": False, "jax": "highest"}}
    keys = {"torch": "allow_tf32_matmul", "tensorflow": "tensor_float_32_execution", "jax": "default_matmul_precision"}
    by_id = pipeline["_by_id"]
    for mode, case_id in ((True, "matmul-1024-tf32-on"), (False, "matmul-1024-tf32-off")):
        for column, expected in pinned[mode].items():
            assert by_id[case_id]["columns"][column]["notes"]["settings"][keys[column]] == expected
    unpinned = by_id["t-log-special"]["columns"]
    for column, (key, value) in defaults.items():
        assert unpinned[column]["notes"]["settings"][key] == value


def test_a_lost_device_context_costs_one_cell_and_the_next_runs_in_a_fresh_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a sticky device error (a CUDA device-side assert poisons every later call of the process), the
    worker answers that cell, says so, and exits; the runner starts a fresh worker for the cells after it.
    Before, every later cell of the column recorded the first cell's error as its own."""
    from oracle.cases import load_cases

    cases = load_cases([DATA])
    first, rest = cases[0].id, [c.id for c in cases[1:]]
    monkeypatch.setenv("ORACLE_FAULTS", f"{first}=lose-context")
    got: dict[str, Any] = {}
    env = run_column(parse_columns("jax", "cpu")[0], [plan(c) for c in cases],
                     lambda column, case_id, outcome: got.setdefault(case_id, outcome), tmp_path)
    assert env.available and list(got) == [first, *rest]
    assert "fresh worker" in got[first].notes["device_context_lost"]
    assert got[first].status in ("ok", "error")  # the cell's own answer is kept
    assert all(got[c].status in ("ok", "error") and "device_context_lost" not in got[c].notes for c in rest), got
    log = (tmp_path / "jax.log").read_text()
    assert "Traceback" not in log
