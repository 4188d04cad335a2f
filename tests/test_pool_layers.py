"""Pooling layers (oracle/ops/pool_layers.py): each column's record against the layer called here natively, and
flax.linen.max_pool's default stride of 1 where torch and Keras stride by the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.cases import load_case
from oracle.outcome import Tensor
from oracle.plan import plan

CASE = Path(__file__).resolve().parent.parent / "cases" / "pool-layers" / "max-pool-layer-default-strides.yaml"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("pool-layers")
    main(["run", str(CASE), "--columns", "torch,tensorflow,jax", "--out", str(out)])
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def _rec(run: dict[str, Any], column: str) -> np.ndarray:
    record = run["max-pool-layer-default-strides[2d]"]["columns"][column]
    assert record["status"] == "ok", record
    found = Tensor.from_results(record["outputs"]["y"]).values
    assert found is not None
    return np.asarray(found, dtype=np.float64)


def test_max_pool_layers_equal_native_calls_and_flax_strides_one(run: dict[str, Any]) -> None:
    import keras
    import torch
    from flax import linen

    x = plan(load_case(CASE)).inputs["x"]  # [2, 4, 4, 3], the 2-D variant
    # by hand from the definition: 2x2 windows every 2 positions, per channel
    by_hand = x.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4))
    native_torch = torch.nn.MaxPool2d(2)(torch.tensor(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(native_torch, by_hand)
    np.testing.assert_allclose(_rec(run, "torch"), by_hand)
    np.testing.assert_allclose(np.asarray(keras.layers.MaxPooling2D(2)(x)), _rec(run, "tensorflow"))
    flax_y = np.asarray(linen.max_pool(x, (2, 2)))  # no strides given: flax's default
    assert flax_y.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(flax_y, _rec(run, "jax"))
