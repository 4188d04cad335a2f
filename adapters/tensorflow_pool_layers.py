"""The TensorFlow column's pooling layers (oracle/ops/pool_layers.py): keras.layers.MaxPoolingND / AveragePoolingND,
channels-last as Keras builds them, the class picked by x's rank (adapters/tensorflow_layers.py's `layer`, run on
the data below; an unpinned stride is no keyword: Keras' own default)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.layer_spec import Layer
from adapters.tensorflow_layers import layer


def _pool(cls: str) -> Layer:
    return Layer("x", f"keras.layers.{cls}{{nd}}D(pool_size, padding=padding, strides=strides)(x)",
                 rank="a pooling layer needs x of rank 3 to 5, got {rank}")


CUSTOM: dict[str, Callable[..., Any]] = {
    "keras_max_pool_layer": functools.partial(layer, _pool("MaxPooling")),
    "keras_avg_pool_layer": functools.partial(layer, _pool("AveragePooling")),
}
