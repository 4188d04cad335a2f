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
         "conv-layers/conv-transpose1d-layer-dilation.yaml", "norm-layers/group-norm-layer-canonical-weights.yaml",
         "conv-layers/conv-transpose3d-layer-same-even-kernel.yaml",
         "norm-layers/batch-norm-layer-momentum-convention.yaml"]


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


def test_conv_transpose3d_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "conv-transpose3d-layer-same-even-kernel", _inputs("conv-layers/conv-transpose3d-layer-same-even-kernel.yaml")
    conv = torch.nn.ConvTranspose3d(2, 3, 2, stride=2)  # torch's weight [in, out, *k]
    conv.load_state_dict({"weight": torch.tensor(w["kernel"].transpose(4, 3, 0, 1, 2)), "bias": torch.tensor(w["bias"])})
    y = conv(torch.tensor(w["x"]).permute(0, 4, 1, 2, 3)).permute(0, 2, 3, 4, 1)
    valid = f"{case}[valid-stride-2]"
    assert tuple(y.shape) == (1, 8, 8, 8, 3)
    _close(y.detach(), _rec(run, valid, "torch", "y"))
    assert run[f"{case}[same]"]["columns"]["torch"]["status"] == "error"  # no padding string in torch

    import keras

    for variant, options in (("same", {"padding": "same"}), ("valid-stride-2", {"strides": 2})):
        layer = keras.layers.Conv3DTranspose(3, 2, **options)
        layer.build((1, 4, 4, 4, 2))
        layer.set_weights([w["kernel"], w["bias"]])
        _close(layer(w["x"]).numpy(), _rec(run, f"{case}[{variant}]", "tensorflow", "y"))

    from flax import nnx

    module: Any = nnx.ConvTranspose(2, 3, (2, 2, 2), padding="SAME", transpose_kernel=True, rngs=nnx.Rngs(0))
    module.kernel[...] = w["kernel"]
    module.bias[...] = w["bias"]
    _close(module(w["x"]), _rec(run, f"{case}[same]", "jax", "y"))
    _close(_rec(run, f"{case}[same]", "reference", "y"), _rec(run, f"{case}[same]", "tensorflow", "y"))


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


def test_batch_norm_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "batch-norm-layer-momentum-convention", _inputs("norm-layers/batch-norm-layer-momentum-convention.yaml")
    for variant, momentum in (("momentum-default", None), ("momentum-0.1", 0.1)):
        norm = torch.nn.BatchNorm1d(2) if momentum is None else torch.nn.BatchNorm1d(2, momentum=momentum)
        norm.load_state_dict({"weight": torch.tensor(w["gamma"]), "bias": torch.tensor(w["beta"]),
                              "running_mean": torch.tensor(w["moving_mean"]), "running_var": torch.tensor(w["moving_var"]),
                              "num_batches_tracked": torch.tensor(0)})
        y = norm.train()(torch.tensor(w["x"]))
        for name, value in {"y": y.detach(), "mean": norm.running_mean, "var": norm.running_var}.items():
            _close(value, _rec(run, f"{case}[{variant}]", "torch", name))
    # by hand: the batch means [3, 2] weighted 0.1, the unbiased variances [14/3, 16/3] weighted 0.1
    _close(_rec(run, f"{case}[momentum-0.1]", "torch", "mean"), np.array([0.3, 0.2]))
    _close(_rec(run, f"{case}[momentum-0.1]", "torch", "var"), np.array([0.9 + 14 / 30, 0.9 + 16 / 30]))

    import keras

    for variant, momentum in (("momentum-default", None), ("momentum-0.1", 0.1)):
        layer = keras.layers.BatchNormalization(**({} if momentum is None else {"momentum": momentum}))
        layer.build((4, 2))
        layer.set_weights([w["gamma"], w["beta"], w["moving_mean"], w["moving_var"]])
        ky = layer(w["x"], training=True)
        for name, value in {"y": ky, "mean": layer.moving_mean, "var": layer.moving_variance}.items():
            _close(np.asarray(value), _rec(run, f"{case}[{variant}]", "tensorflow", name))
    # Keras' 0.1 is the weight of the old statistics, and its variance term is the biased one: 0.1 + 0.9 * 3.5
    _close(_rec(run, f"{case}[momentum-0.1]", "tensorflow", "var")[0], np.float64(3.25))

    from flax import nnx

    module: Any = nnx.BatchNorm(2, use_running_average=False, rngs=nnx.Rngs(0))
    module.scale[...], module.bias[...] = w["gamma"], w["beta"]
    module.mean[...], module.var[...] = w["moving_mean"], w["moving_var"]
    fy = module(w["x"])
    for name, value in {"y": fy, "mean": module.mean[...], "var": module.var[...]}.items():
        _close(np.asarray(value), _rec(run, f"{case}[momentum-default]", "jax", name))
    # inference: every column normalizes by the moving statistics as given, which stay
    for column in ("torch", "tensorflow", "jax"):
        _close(_rec(run, f"{case}[inference]", column, "y"), _rec(run, f"{case}[inference]", "reference", "y"))
