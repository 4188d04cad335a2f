"""The JAX column's convolution and normalization layers from canonical weights (oracle/ops/conv_layers.py):
flax.linen modules, channels-last, applied to the mapped weights (adapters/jax_layers.py's `layer`, run on the data
below). An unpinned attribute is no keyword: it keeps flax's own default."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.jax_layers import layer
from adapters.layer_spec import Layer

# flax names a padding mode as the padding itself: CIRCULAR or REFLECT, each of 'same' size
_CONV = Layer("x kernel bias", "run(flax.linen.Conv(kernel.shape[-1], tuple(kernel.shape[:nd]), strides=strides, "
              "kernel_dilation=dilation, feature_group_count=groups, param_dtype=kernel.dtype, padding=padding), x)",
              "conv{nd}d_layer", rank="kernel",
              joint=tuple(("padding_mode", mode, "padding", "same", mode.upper()) for mode in ("circular", "reflect")),
              spell=tuple(("padding", p, p.upper()) for p in ("valid", "same", "causal")))


_NORM = "x gamma beta"
# transpose_kernel=True: the kernel as torch and Keras apply it (declared fixed in the op, with the reason)
_CONV_T = ("run(flax.linen.ConvTranspose(kernel.shape[-2], tuple(kernel.shape[:nd]), strides=strides, "
           "padding=padding.upper(), kernel_dilation=dilation, transpose_kernel=True, param_dtype=kernel.dtype), x)")
LAYERS: dict[str, Layer] = {
    **{f"linen_conv_transpose{nd}d_layer": Layer("x kernel bias", _CONV_T, "conv_transpose{nd}d_layer", rank="kernel",
                                                 per_axis=("strides", "dilation")) for nd in (1, 2, 3)},
    "linen_layer_norm_layer": Layer(_NORM, "run(flax.linen.LayerNorm(param_dtype=gamma.dtype, epsilon=epsilon), x)",
                                    "layer_norm_layer"),
    # GroupNorm's groups passed first, positionally, as flax names it otherwise
    "linen_group_norm_layer": Layer(_NORM, "run(flax.linen.GroupNorm(groups, param_dtype=gamma.dtype, "
                                    "epsilon=epsilon), x)", "group_norm_layer"),
    "linen_instance_norm_layer": Layer(_NORM, "run(flax.linen.InstanceNorm(param_dtype=gamma.dtype, "
                                       "epsilon=epsilon), x)", "instance_norm_layer"),
    # the moving statistics live in the batch_stats collection beside params, applied mutable and returned after
    "linen_batch_norm_canonical_layer": Layer(
        "x gamma beta moving_mean moving_var", "out = run(flax.linen.BatchNorm(use_running_average=not training, "
        "param_dtype=gamma.dtype, momentum=momentum, epsilon=epsilon), x); "
        "(out[0], out[1]['batch_stats']['mean'], out[1]['batch_stats']['var'])", "batch_norm_canonical_layer",
        state=True),
}
CUSTOM: dict[str, Callable[..., Any]] = {
    **{f"linen_conv{nd}d_layer": functools.partial(layer, _CONV) for nd in (1, 2, 3)},
    **{name: functools.partial(layer, spec) for name, spec in LAYERS.items()},
}
