"""The JAX column's pooling layers (oracle/ops/pool_layers.py): flax.linen.max_pool / avg_pool, channels-last, with
a window per spatial axis as flax users write it."""

from __future__ import annotations

import functools
from typing import Any, Callable


def _pool(fn: str, x: Any, pool_size: int, strides: int | None = None, padding: str = "valid") -> Any:
    """flax.linen.<fn> with a window and strides per spatial axis, their number read from x's rank."""
    from flax import linen

    nd = len(x.shape) - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"a pooling layer needs x of rank 3 to 5, got {len(x.shape)}")
    options = {} if strides is None else {"strides": (strides,) * nd}  # unpinned: flax's own default
    return getattr(linen, fn)(x, (pool_size,) * nd, padding=padding.upper(), **options)


CUSTOM: dict[str, Callable[..., Any]] = {
    "linen_max_pool_layer": functools.partial(_pool, "max_pool"),
    "linen_avg_pool_layer": functools.partial(_pool, "avg_pool"),
}
