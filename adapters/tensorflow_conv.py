"""The TensorFlow/Keras column's custom bindings of the conv family (oracle/ops/conv.py)."""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf

from oracle.request import Unsupported


def conv_transpose2d_nchw(x: Any, w: Any, stride: int, padding: int, output_padding: int) -> Any:
    """tf.nn.conv2d_transpose needs the output shape: (H - 1) stride - 2 padding + k + output_padding."""
    n, _, h, wd = x.shape
    kh, kw = w.shape[2], w.shape[3]
    out = [n, (h - 1) * stride - 2 * padding + kh + output_padding,
           (wd - 1) * stride - 2 * padding + kw + output_padding, w.shape[1]]
    pad = [[0, 0], [padding, padding], [padding, padding], [0, 0]] if padding else "VALID"
    y = tf.nn.conv2d_transpose(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(w, [2, 3, 1, 0]), out, strides=stride,
                               padding=pad)
    return tf.transpose(y, [0, 3, 1, 2])


def conv_transpose1d_ncw(x: Any, w: Any, stride: int, padding: int, output_padding: int) -> Any:
    """tf.nn.conv1d_transpose needs the output shape, (L - 1) stride + k + output_padding, and pads 'VALID' or
    'SAME' only."""
    if padding:
        raise Unsupported(f"tf.nn.conv1d_transpose pads 'VALID' or 'SAME' only: no explicit padding of {padding}")
    n, _, length = x.shape
    out = [n, (length - 1) * stride + w.shape[2] + output_padding, w.shape[1]]
    y = tf.nn.conv1d_transpose(tf.transpose(x, [0, 2, 1]), tf.transpose(w, [2, 1, 0]), out, strides=stride,
                               padding="VALID")
    return tf.transpose(y, [0, 2, 1])



def _keras_padding(k: int, stride: int, padding: int) -> str:
    """Keras pools pad 'valid' (none) or 'same'; an integer padding is 'same' only where the geometry is the same."""
    if padding == 0:
        return "valid"
    if stride == 1 and k == 2 * padding + 1:
        return "same"
    raise Unsupported(f"keras pooling pads 'valid' or 'same' only: no symmetric padding of {padding} "
                      f"for kernel {k}, stride {stride}")


def max_pool(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False) -> Any:
    """keras.ops.max_pool over the spatial axes of [N, C, ...] (1-D, 2-D or 3-D: it reads the rank)."""
    if ceil_mode:
        raise Unsupported("keras.ops.max_pool has no ceil_mode")
    kwargs = {} if stride is None else {"strides": stride}
    return keras.ops.max_pool(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                              data_format="channels_first", **kwargs)


def avg_pool(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, **hp: Any) -> Any:
    """keras.ops.average_pool pads 'valid' or 'same' only: an integer padding maps or is unsupported."""
    if hp.get("count_include_pad") and padding:
        raise Unsupported("keras.ops.average_pool averages the real elements only (no count_include_pad)")
    kwargs = {} if stride is None else {"strides": stride}
    return keras.ops.average_pool(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                                  data_format="channels_first", **kwargs)


CUSTOM: dict[str, Callable[..., Any]] = {
    "conv_transpose2d_nchw": conv_transpose2d_nchw, "conv_transpose1d_ncw": conv_transpose1d_ncw,
    "max_pool2d": max_pool, "avg_pool2d": avg_pool, "max_pool1d": max_pool, "avg_pool1d": avg_pool,
    "max_pool3d": max_pool, "avg_pool3d": avg_pool,
}
