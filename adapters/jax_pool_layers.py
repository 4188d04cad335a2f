"""The JAX column's pooling layers (oracle/ops/pool_layers.py): flax.linen.max_pool / avg_pool, channels-last, with
a window and strides per spatial axis as flax users write them, their number read from x's rank
(adapters/jax_layers.py's `layer`, run on the data below; an unpinned stride is no keyword: flax's own default)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.jax_layers import layer
from adapters.layer_spec import Layer


def _pool(fn: str) -> Layer:
    return Layer("x", f"flax.linen.{fn}(x, pool_size, padding=padding.upper(), strides=strides)",
                 rank="a pooling layer needs x of rank 3 to 5, got {rank}", per_axis=("pool_size", "strides"))


CUSTOM: dict[str, Callable[..., Any]] = {
    "linen_max_pool_layer": functools.partial(layer, _pool("max_pool")),
    "linen_avg_pool_layer": functools.partial(layer, _pool("avg_pool")),
}
