"""Convolution and normalization layers from canonical weights (oracle/ops/conv_layers.py): each column's record
against the layer built here natively from the same weights by the idiom users write to load weights (torch
load_state_dict, Keras set_weights, flax.nnx attribute assignment), gradients included where the case asks.

The layouts are written again here from the frameworks' documents (torch's weight [out, in / groups, *k],
ConvTranspose's [in, out, *k]; Keras and flax [*k, in / groups, out]), not imported from the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_layers import _close, _rec  # the same record reader and float32 tolerance

from oracle.cases import load_case
from oracle.plan import plan

ROOT = Path(__file__).resolve().parent.parent
CASES = ["conv-layers/conv2d-layer-groups-dilation.yaml", "conv-layers/conv2d-layer-default-padding.yaml",
         "conv-layers/conv-transpose1d-layer-dilation.yaml", "norm-layers/group-norm-layer-canonical-weights.yaml"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("conv-layers")
    main(["run", *(str(ROOT / "cases" / c) for c in CASES), "--out", str(out)])
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def _inputs(case: str) -> dict[str, np.ndarray]:
    return plan(load_case(ROOT / "cases" / case)).inputs


def test_grouped_dilated_conv2d_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "conv2d-layer-groups-dilation", _inputs("conv-layers/conv2d-layer-groups-dilation.yaml")
    conv = torch.nn.Conv2d(4, 4, 2, padding="same", dilation=2, groups=2)
    conv.load_state_dict({"weight": torch.tensor(w["kernel"].transpose(3, 2, 0, 1)), "bias": torch.tensor(w["bias"])})
    x = torch.tensor(w["x"], requires_grad=True)
    y = conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    (y * y).sum().backward()
    _close(y.detach(), _rec(run, case, "torch", "y"))
    _close(x.grad, _rec(run, case, "torch", "grad.x"))
    assert conv.weight.grad is not None
    _close(conv.weight.grad.permute(2, 3, 1, 0), _rec(run, case, "torch", "grad.kernel"))

    import keras

    layer = keras.layers.Conv2D(4, 2, padding="same", dilation_rate=2, groups=2)
    layer.build((1, 5, 5, 4))
    layer.set_weights([w["kernel"], w["bias"]])
    _close(layer(w["x"]).numpy(), _rec(run, case, "tensorflow", "y"))

    from flax import nnx

    module: Any = nnx.Conv(4, 4, (2, 2), padding="SAME", kernel_dilation=2, feature_group_count=2, rngs=nnx.Rngs(0))
    module.kernel[...] = w["kernel"]
    module.bias[...] = w["bias"]
    _close(module(w["x"]), _rec(run, case, "jax", "y"))
    # and each equals the reference: one set of weights, one layer
    _close(_rec(run, case, "reference", "y"), _rec(run, case, "torch", "y"))


def test_flax_conv_pads_same_when_padding_is_left_to_it(run: dict[str, Any]) -> None:
    from flax import nnx

    case, w = "conv2d-layer-default-padding", _inputs("conv-layers/conv2d-layer-default-padding.yaml")
    module: Any = nnx.Conv(3, 2, (3, 3), rngs=nnx.Rngs(0))  # no padding given: flax's own default
    module.kernel[...] = w["kernel"]
    module.bias[...] = w["bias"]
    native = np.asarray(module(w["x"]))
    assert native.shape == (1, 5, 5, 2)
    _close(native, _rec(run, case, "jax", "y"))
    for column in ("torch", "tensorflow", "reference"):
        assert _rec(run, case, column, "y").shape == (1, 3, 3, 2), column


def test_dilated_conv_transpose1d_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "conv-transpose1d-layer-dilation", _inputs("conv-layers/conv-transpose1d-layer-dilation.yaml")
    conv = torch.nn.ConvTranspose1d(3, 2, 3, dilation=2)
    conv.load_state_dict({"weight": torch.tensor(w["kernel"].transpose(2, 1, 0)), "bias": torch.tensor(w["bias"])})
    y = conv(torch.tensor(w["x"]).permute(0, 2, 1)).permute(0, 2, 1)
    y.sum().backward()
    _close(y.detach(), _rec(run, case, "torch", "y"))
    assert conv.weight.grad is not None
    _close(conv.weight.grad.permute(2, 1, 0), _rec(run, case, "torch", "grad.kernel"))

    import keras

    layer = keras.layers.Conv1DTranspose(2, 3, dilation_rate=2)
    layer.build((2, 5, 3))
    layer.set_weights([w["kernel"], w["bias"]])
    _close(layer(w["x"]).numpy(), _rec(run, case, "tensorflow", "y"))
    _close(_rec(run, case, "reference", "y"), _rec(run, case, "torch", "y"))


def test_group_norm_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "group-norm-layer-canonical-weights[epsilon-pinned]", _inputs(
        "norm-layers/group-norm-layer-canonical-weights.yaml")
    norm = torch.nn.GroupNorm(2, 4, eps=1e-5)
    norm.load_state_dict({"weight": torch.tensor(w["gamma"]), "bias": torch.tensor(w["beta"])})
    y = norm(torch.tensor(w["x"]).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    _close(y.detach(), _rec(run, case, "torch", "y"))

    import keras

    layer = keras.layers.GroupNormalization(2, epsilon=1e-5)
    layer.build((2, 3, 3, 4))
    layer.set_weights([w["gamma"], w["beta"]])
    _close(layer(w["x"]).numpy(), _rec(run, case, "tensorflow", "y"))

    from flax import nnx

    module: Any = nnx.GroupNorm(4, num_groups=2, epsilon=1e-5, rngs=nnx.Rngs(0))
    module.scale[...] = w["gamma"]
    module.bias[...] = w["beta"]
    _close(module(w["x"]), _rec(run, case, "jax", "y"))
    # left unpinned, Keras' default epsilon 1e-3 is not torch's 1e-5 on these small-variance rows
    default = "group-norm-layer-canonical-weights[epsilon-default]"
    assert not np.allclose(_rec(run, default, "tensorflow", "y"), _rec(run, default, "torch", "y"), atol=1e-3)
