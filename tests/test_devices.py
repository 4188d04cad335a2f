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
