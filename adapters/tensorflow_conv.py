"""The TensorFlow/Keras column's custom bindings of the conv family (oracle/ops/conv.py)."""

from __future__ import annotations

import functools
from typing import Any, Callable

import keras
import tensorflow as tf

from oracle.request import Unsupported


def conv_transpose(spatial: int, x: Any, w: Any, stride: int, padding: int, output_padding: int) -> Any:
    """tf.nn.conv1d_transpose / conv2d_transpose / conv3d_transpose (one idiom, the spatial rank as data) need the
    output shape, (L - 1) stride - 2 padding + k + output_padding per axis; the 1-D and 3-D ones pad 'VALID' or
    'SAME' only."""
    if len(x.shape) != spatial + 2:
        raise ValueError(f"tf.nn.conv{spatial}d_transpose here takes x of rank {spatial + 2} ([N, C, *spatial]), "
                         f"got rank {len(x.shape)}")
    if padding and spatial != 2:
        raise Unsupported(f"tf.nn.conv{spatial}d_transpose pads 'VALID' or 'SAME' only: no explicit padding of {padding}")
    out = [x.shape[0], *[(n - 1) * stride - 2 * padding + k + output_padding for n, k in zip(x.shape[2:], w.shape[2:])],
           w.shape[1]]
    pad = [[0, 0], *[[padding, padding]] * spatial, [0, 0]] if padding else "VALID"
    axes = list(range(2, 2 + spatial))
    y = getattr(tf.nn, f"conv{spatial}d_transpose")(tf.transpose(x, [0, *axes, 1]), tf.transpose(w, [*axes, 1, 0]),
                                                     out, strides=stride, padding=pad)
    return tf.transpose(y, [0, spatial + 1, *range(1, spatial + 1)])


def _keras_padding(k: int, stride: int, padding: int) -> str:
    """Keras pools pad 'valid' (none) or 'same'; an integer padding is 'same' only where the geometry is the same."""
    if padding == 0:
        return "valid"
    if stride == 1 and k == 2 * padding + 1:
        return "same"
    raise Unsupported(f"keras pooling pads 'valid' or 'same' only: no symmetric padding of {padding} "
                      f"for kernel {k}, stride {stride}")


def pool(fn: str, lacks: str, needs_padding: bool, x: Any, kernel_size: int, stride: int | None = None,
         padding: int = 0, **hp: Any) -> Any:
    """keras.ops.max_pool / average_pool (one idiom, the function and the attribute it has no counterpart for as
    data) over the spatial axes of [N, C, ...], 1-D to 3-D (it reads the rank); an integer padding maps to 'valid'
    or 'same' or is unsupported."""
    if hp.get(lacks) and (padding or not needs_padding):
        raise Unsupported(LACKS[fn])
    kwargs = {} if stride is None else {"strides": stride}
    return getattr(keras.ops, fn)(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                                  data_format="channels_first", **kwargs)


LACKS = {"max_pool": "keras.ops.max_pool has no ceil_mode",
         "average_pool": "keras.ops.average_pool averages the real elements only (no count_include_pad)"}
max_pool = functools.partial(pool, "max_pool", "ceil_mode", False)
avg_pool = functools.partial(pool, "average_pool", "count_include_pad", True)  # counted only where there is padding


CUSTOM: dict[str, Callable[..., Any]] = {
    "conv_transpose2d_nchw": functools.partial(conv_transpose, 2),
    "conv_transpose1d_ncw": functools.partial(conv_transpose, 1),
    "conv_transpose3d_ncdhw": functools.partial(conv_transpose, 3),
    "max_pool2d": max_pool, "avg_pool2d": avg_pool, "max_pool1d": max_pool, "avg_pool1d": avg_pool,
    "max_pool3d": max_pool, "avg_pool3d": avg_pool,
}
