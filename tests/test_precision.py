"""settings.autocast: each column's output dtype and values against the same layer run natively here under the
framework's own mixed-precision context, and the context gone for the next case in the same worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.cases import load_case
from oracle.outcome import Tensor
from oracle.plan import plan

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "precision" / "autocast-dense-layer.yaml"
PLAIN = ROOT / "cases" / "layers" / "dense-canonical-weights.yaml"  # runs after it, without autocast


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("precision")
    main(["run", str(CASE), str(PLAIN), "--out", str(out)])
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def _y(run: dict[str, Any], case: str, column: str) -> np.ndarray:
    record = run[case]["columns"][column]
    assert record["status"] == "ok", record
    found = Tensor.from_results(record["outputs"]["y"]).values
    assert found is not None
    return found


def test_autocast_output_dtypes_and_values_are_the_native_ones(run: dict[str, Any]) -> None:
    import torch

    w = plan(load_case(CASE)).inputs
    linear = torch.nn.Linear(16, 4)
    linear.load_state_dict({"weight": torch.tensor(w["kernel"].T), "bias": torch.tensor(w["bias"])})
    with torch.autocast("cpu", dtype=torch.float16):
        native = linear(torch.tensor(w["x"])).detach()
    recorded = _y(run, "autocast-dense-layer", "torch")
    assert native.dtype == torch.float16 and recorded.dtype == np.float16
    np.testing.assert_array_equal(recorded, native.numpy())

    import keras

    saved = keras.mixed_precision.dtype_policy().name
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        dense = keras.layers.Dense(4)
        dense.build((None, 16))
        dense.set_weights([w["kernel"], w["bias"]])
        keras_y = np.asarray(dense(w["x"]))
    finally:
        keras.mixed_precision.set_dtype_policy(saved)
    assert _y(run, "autocast-dense-layer", "tensorflow").dtype == keras_y.dtype == np.float16
    np.testing.assert_allclose(_y(run, "autocast-dense-layer", "tensorflow").astype(np.float32), keras_y, atol=1e-2)
    assert _y(run, "autocast-dense-layer", "jax").dtype == np.float16  # inputs cast, as stated


def test_the_context_is_recorded_and_gone_for_the_next_case(run: dict[str, Any]) -> None:
    assert list(run) == ["autocast-dense-layer", "dense-canonical-weights"]  # run in this order, one worker each
    for column in ("torch", "tensorflow", "jax"):
        settings = run["autocast-dense-layer"]["columns"][column]["notes"]["settings"]
        assert "float16" in settings["autocast"] and "restored" in settings, settings
        assert "autocast" not in run["dense-canonical-weights"]["columns"][column]["notes"]["settings"]
        assert _y(run, "dense-canonical-weights", column).dtype == np.float32
    assert run["autocast-dense-layer"]["columns"]["tensorflow"]["notes"]["settings"]["restored"] == \
        "keras policy float32"
