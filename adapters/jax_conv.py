"""The JAX column's custom bindings of the conv family (oracle/ops/conv.py): jax.lax, flax.nnx pools, jax.image."""

from __future__ import annotations

import functools
from typing import Any, Callable

from oracle.request import Unsupported


def conv_transpose(x: Any, w: Any, stride: int, padding: int, output_padding: int) -> Any:
    """jax.lax.conv_transpose over the spatial axes of [N, C, ...] (1-D to 3-D), torch's padding as k - 1 - p."""
    import jax

    spatial = x.ndim - 2
    pads = [(k - 1 - padding, k - 1 - padding + output_padding) for k in w.shape[2:]]
    layout = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}[spatial]
    return jax.lax.conv_transpose(x, w, (stride,) * spatial, pads, dimension_numbers=layout, transpose_kernel=True)


def _channels_last(pool: Any, x: Any, kernel_size: int, stride: int | None, padding: int, **kw: Any) -> Any:
    """A flax.nnx pool over the spatial axes of [N, C, ...]: nnx pools channels-last, so C moves last and back."""
    import jax.numpy as jnp

    spatial = x.ndim - 2
    extra = {} if stride is None else {"strides": (stride,) * spatial}
    pad = ((padding, padding),) * spatial if padding else "VALID"
    last = (0, *range(2, x.ndim), 1)
    y = pool(jnp.transpose(x, last), (kernel_size,) * spatial, padding=pad, **extra, **kw)
    return jnp.transpose(y, (0, x.ndim - 1, *range(1, x.ndim - 1)))


def pool(fn: str, lacks: tuple[str, str] | None, x: Any, kernel_size: int, stride: int | None = None,
         padding: int = 0, **hp: Any) -> Any:
    """flax.nnx.max_pool / avg_pool (one idiom, the function and the attribute it has no counterpart for as data)
    are channels-last with explicit pad pairs: the case's [N, C, ...] moves and back."""
    from flax import nnx

    if lacks is not None and hp.pop(lacks[0], False):
        raise Unsupported(lacks[1])
    return _channels_last(getattr(nnx, fn), x, kernel_size, stride, padding, **hp)


max_pool = functools.partial(pool, "max_pool", ("ceil_mode", "flax.nnx.max_pool has no ceil_mode"))
avg_pool = functools.partial(pool, "avg_pool", None)


def resize(x: Any, size: list[int], method: str, **hp: Any) -> Any:
    """jax.image.resize takes the whole output shape; align_corners it lacks is unsupported."""
    import jax

    if hp.get("align_corners"):
        raise Unsupported("jax.image.resize has no align_corners: half-pixel centres only")
    extra = {"antialias": hp["antialias"]} if "antialias" in hp else {}
    return jax.image.resize(x, tuple(x.shape[:2]) + tuple(size), method=method, **extra)


CUSTOM: dict[str, Callable[..., Any]] = {
    "conv_transpose2d_nchw": conv_transpose, "conv_transpose1d_ncw": conv_transpose,
    "conv_transpose3d_ncdhw": conv_transpose,
    "max_pool2d": max_pool, "avg_pool2d": avg_pool, "max_pool1d": max_pool, "avg_pool1d": avg_pool,
    "max_pool3d": max_pool, "avg_pool3d": avg_pool, "resize": resize,
}
