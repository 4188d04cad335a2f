"""The TensorFlow column's convolution and normalization layers from canonical weights
(oracle/ops/conv_layers.py): Keras layers, channels-last as Keras builds them, run by Layer.stateless_call
(adapters/tensorflow_layers.py's `layer`, run on the data below). An unpinned attribute is no keyword: it keeps
Keras' own default."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.layer_spec import Layer
from adapters.tensorflow_layers import layer

_BUILT = "layer.build(tuple(x.shape)); run(layer, x)"
# built as users build it: the layer's own checks (strides with dilation, groups) raise as they do
_CONV = ("layer = keras.layers.Conv{nd}D(kernel.shape[-1], tuple(kernel.shape[:nd]), strides=strides, "
         "dilation_rate=dilation, groups=groups, dtype=dtype_of(x), padding=padding); " + _BUILT)
_CONV_T = ("layer = keras.layers.Conv{nd}DTranspose(kernel.shape[-2], tuple(kernel.shape[:nd]), strides=strides, "
           "padding=padding, dilation_rate=dilation, dtype=dtype_of(x)); " + _BUILT)
_ZEROS = tuple(("padding_mode", mode, "keras.layers.Conv{nd}D pads with zeros only (no padding mode {padding_mode!r})")
               for mode in ("reflect", "circular"))
_NORM = "x gamma beta"
LAYERS: dict[str, Layer] = {
    **{f"keras_conv{nd}d_layer": Layer("x kernel bias", _CONV, "conv{nd}d_layer", rank="kernel", refuse=_ZEROS)
       for nd in (1, 2, 3)},
    **{f"keras_conv_transpose{nd}d_layer": Layer("x kernel bias", _CONV_T, "conv_transpose{nd}d_layer", rank="kernel")
       for nd in (1, 2, 3)},
    "keras_layer_norm_layer": Layer(_NORM, "layer = keras.layers.LayerNormalization(dtype=dtype_of(x), "
                                    "epsilon=epsilon); " + _BUILT, "layer_norm_layer"),
    "keras_group_norm_layer": Layer(_NORM, "layer = keras.layers.GroupNormalization(dtype=dtype_of(x), groups=groups, "
                                    "epsilon=epsilon); " + _BUILT, "group_norm_layer"),
    # instance normalization is Keras' group normalization with a group per channel
    "keras_instance_norm_layer": Layer(_NORM, "layer = keras.layers.GroupNormalization(dtype=dtype_of(x), groups=-1, "
                                       "epsilon=epsilon); " + _BUILT, "instance_norm_layer"),
    # the moving statistics are non-trainable variables, mapped in and returned by stateless_call after the call
    "keras_batch_norm_canonical_layer": Layer(
        "x gamma beta moving_mean moving_var", "layer = keras.layers.BatchNormalization(dtype=dtype_of(x), "
        "momentum=momentum, epsilon=epsilon); layer.build(tuple(x.shape)); out = run(layer, x, training=training); "
        "(out[0], out[1]['moving_mean'], out[1]['moving_variance'])", "batch_norm_canonical_layer", state=True),
}
CUSTOM: dict[str, Callable[..., Any]] = {name: functools.partial(layer, spec) for name, spec in LAYERS.items()}
