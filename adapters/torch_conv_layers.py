"""The torch column's convolution and normalization layers from canonical weights (oracle/ops/conv_layers.py):
channels-last inputs moved to torch's channels-first modules and back, weights through torch.func.functional_call
(adapters/torch_layers.py's `layer`, run on the data below)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.layer_spec import Layer
from adapters.torch_layers import layer

_FIRST = "x.movedim(-1, 1)"  # channels-last in, channels-first for the module, and back with .movedim(1, -1)
_CONV = ("x.shape[-1], kernel.shape[-1], tuple(kernel.shape[:nd]), stride=strides, dilation=dilation, groups=groups, "
         "padding_mode=padding_mode, dtype=x.dtype, device=x.device, padding=padding")
_CAUSAL = ("padding", "causal", "torch.nn.Conv{nd}d has no causal padding (padding is an int, a tuple, 'valid' or "
           "'same'; users pad the left with torch.nn.functional.pad)")
# 'valid' is torch's padding=0; 'same' goes in as a user porting Keras code writes it (torch's
# ConvTranspose takes no padding string: what it does with one is observed, not anticipated)
_CONV_T = ("x.shape[-1], kernel.shape[-2], tuple(kernel.shape[:nd]), stride=strides, dilation=dilation, "
           "padding=padding, dtype=x.dtype, device=x.device")
_NORM = "x gamma beta"
LAYERS: dict[str, Layer] = {
    **{f"torch_conv{nd}d_layer": Layer("x kernel bias", f"run(torch.nn.Conv{{nd}}d({_CONV}), {_FIRST}).movedim(1, -1)",
                                       "conv{nd}d_layer", rank="kernel", refuse=(_CAUSAL,)) for nd in (1, 2, 3)},
    **{f"torch_conv_transpose{nd}d_layer": Layer(
        "x kernel bias", f"run(torch.nn.ConvTranspose{{nd}}d({_CONV_T}), {_FIRST}).movedim(1, -1)",
        "conv_transpose{nd}d_layer", rank="kernel", spell=(("padding", "valid", 0),)) for nd in (1, 2, 3)},
    "torch_layer_norm_layer": Layer(_NORM, "run(torch.nn.LayerNorm(x.shape[-1], dtype=x.dtype, device=x.device, "
                                    "eps=epsilon), x)", "layer_norm_layer"),
    "torch_group_norm_layer": Layer(_NORM, "run(torch.nn.GroupNorm(groups, x.shape[-1], dtype=x.dtype, "
                                    f"device=x.device, eps=epsilon), {_FIRST}).movedim(1, -1)", "group_norm_layer"),
    "torch_instance_norm_layer": Layer(
        _NORM, "run(torch.nn.InstanceNorm{nd}d(x.shape[-1], affine=True, dtype=x.dtype, device=x.device, "
        f"eps=epsilon), {_FIRST}).movedim(1, -1)", "instance_norm_layer",
        rank="torch.nn.InstanceNorm1d/2d/3d needs x of rank 3 to 5, got {rank}"),
    # the moving statistics are buffers updated in place in training, read back after the call; momentum unpinned
    # is torch's own default (momentum=None would mean a cumulative average, not "unpinned")
    "torch_batch_norm_canonical_layer": Layer(
        "x gamma beta moving_mean moving_var", "m = torch.nn.BatchNorm{nd}d(x.shape[-1], momentum=momentum, "
        f"eps=epsilon, dtype=x.dtype, device=x.device); m.train(training); out = run(m, {_FIRST}); "
        "(out[0].movedim(1, -1), out[1]['running_mean'], out[1]['running_var'])", "batch_norm_canonical_layer",
        state=True, least=1),
}
CUSTOM: dict[str, Callable[..., Any]] = {name: functools.partial(layer, spec) for name, spec in LAYERS.items()}
