"""The TensorFlow column's convolution and normalization layers from canonical weights
(oracle/ops/conv_layers.py): Keras layers, channels-last as Keras builds them, run by Layer.stateless_call."""

from __future__ import annotations

import functools
from typing import Any, Callable

import keras

from adapters.tensorflow_layers import OPS, _dtype, _run
from oracle.ops.conv_layers import spatial_rank
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS
from oracle.request import Unsupported


def _pinned(**options: Any) -> dict[str, Any]:
    """Only what the case pinned: an unpinned attribute keeps Keras' own default."""
    return {k: v for k, v in options.items() if v is not None}


def _built(layer: Any, x: Any) -> Any:
    layer.build(tuple(x.shape))
    return layer


def conv(x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str | None = None, dilation: int = 1,
         groups: int = 1, padding_mode: str = "zeros") -> Any:
    """Canonical weights mapped onto keras.layers.ConvND's variables (N read from x and kernel), run by stateless_call."""
    nd = spatial_rank(x, kernel)
    if padding_mode != "zeros":
        raise Unsupported(f"keras.layers.Conv{nd}D pads with zeros only (no padding mode {padding_mode!r})")
    # built as users build it: the layer's own checks (strides with dilation, groups) raise as they do
    layer = getattr(keras.layers, f"Conv{nd}D")(kernel.shape[-1], tuple(kernel.shape[:nd]), strides=strides,
                                                dilation_rate=dilation, groups=groups, dtype=_dtype(x),
                                                **_pinned(padding=padding))
    return _run(f"conv{nd}d_layer", _built(layer, x), {"kernel": kernel, "bias": bias}, x)


def _norm(name: str, cls: str, x: Any, gamma: Any, beta: Any, epsilon: float | None = None, **options: Any) -> Any:
    """Canonical weights mapped onto keras.layers.<cls>'s variables (built for x), run by stateless_call."""
    layer = getattr(keras.layers, cls)(dtype=_dtype(x), **options, **_pinned(epsilon=epsilon))
    return _run(name, _built(layer, x), {"gamma": gamma, "beta": beta}, x)


def batch_norm(x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, training: bool,
               momentum: float | None = None, epsilon: float | None = None) -> Any:
    """Canonical weights and moving statistics mapped onto keras.layers.BatchNormalization's trainable and
    non-trainable variables, run by stateless_call, which returns the non-trainable ones after the call."""
    built = _built(keras.layers.BatchNormalization(dtype=_dtype(x), **_pinned(momentum=momentum, epsilon=epsilon)), x)
    trainable = [v.path.split("/")[-1] for v in built.trainable_variables]
    held = [v.path.split("/")[-1] for v in built.non_trainable_variables]
    canon = {"gamma": gamma, "beta": beta, "moving_mean": moving_mean, "moving_var": moving_var}
    params = native_params(WEIGHTS["batch_norm_canonical_layer"], "tensorflow", canon, trainable + held, OPS)
    y, after = built.stateless_call([params[n] for n in trainable], [params[n] for n in held], x, training=training)
    state = dict(zip(held, after))
    return y, state["moving_mean"], state["moving_variance"]


CUSTOM: dict[str, Callable[..., Any]] = {
    **{f"keras_conv{nd}d_layer": conv for nd in (1, 2, 3)},
    "keras_layer_norm_layer": functools.partial(_norm, "layer_norm_layer", "LayerNormalization"),
    "keras_group_norm_layer": functools.partial(_norm, "group_norm_layer", "GroupNormalization"),
    # instance normalization is Keras' group normalization with a group per channel
    "keras_instance_norm_layer": functools.partial(_norm, "instance_norm_layer", "GroupNormalization", groups=-1),
    "keras_batch_norm_canonical_layer": batch_norm,
}


def conv_transpose(x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str = "valid",
                   dilation: int = 1) -> Any:
    """Canonical weights mapped onto keras.layers.ConvNDTranspose's variables (N read from x), run by stateless_call."""
    nd = spatial_rank(x, kernel)
    layer = getattr(keras.layers, f"Conv{nd}DTranspose")(kernel.shape[-2], tuple(kernel.shape[:nd]), strides=strides,
                                                         padding=padding, dilation_rate=dilation, dtype=_dtype(x))
    return _run(f"conv_transpose{nd}d_layer", _built(layer, x), {"kernel": kernel, "bias": bias}, x)


CUSTOM.update({f"keras_conv_transpose{nd}d_layer": conv_transpose for nd in (1, 2, 3)})
