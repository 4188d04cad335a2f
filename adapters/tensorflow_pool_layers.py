"""The TensorFlow column's pooling layers (oracle/ops/pool_layers.py): keras.layers.MaxPoolingND / AveragePoolingND,
channels-last as Keras builds them."""

from __future__ import annotations

import functools
from typing import Any, Callable

import keras


def _pool(cls: str, x: Any, pool_size: int, strides: int | None = None, padding: str = "valid") -> Any:
    """keras.layers.<cls>ND built and called, the class picked by x's rank."""
    nd = len(x.shape) - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"a pooling layer needs x of rank 3 to 5, got {len(x.shape)}")
    options = {} if strides is None else {"strides": strides}  # unpinned: Keras' own default
    return getattr(keras.layers, f"{cls}{nd}D")(pool_size, padding=padding, **options)(x)


CUSTOM: dict[str, Callable[..., Any]] = {
    "keras_max_pool_layer": functools.partial(_pool, "MaxPooling"),
    "keras_avg_pool_layer": functools.partial(_pool, "AveragePooling"),
}
