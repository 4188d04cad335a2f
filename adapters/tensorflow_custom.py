"""The TensorFlow/Keras column's custom bindings for the linalg, conv and optimizer families.

Imported by adapters/tensorflow.py after it has set KERAS_BACKEND.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import keras
import tensorflow as tf

from adapters.tensorflow_optim import CUSTOM as _OPTIM
from adapters.tensorflow_optim import STEP_CLASSES, optimizer_step
from oracle.native import Made, as_made, shown_call
from oracle.request import Unsupported

__all__ = ["CUSTOM", "STEP_CLASSES"]

def _schedule(name: str, step: Any, *args: Any, **kwargs: Any) -> Made:
    """keras.optimizers.schedules.<name>(*args, **kwargs)(step), recorded with the values passed."""
    text = shown_call(f"keras.optimizers.schedules.{name}", args, kwargs) + "({step})"
    return Made(as_made(lambda: getattr(keras.optimizers.schedules, name)(*args, **kwargs)(step), text), text, {})


def step_decay_schedule(step: Any, learning_rate: float, step_size: int, **hp: Any) -> Made:
    """gamma is ExponentialDecay's decay_rate, which has no default: unpinned, it is not passed."""
    extra = (hp["gamma"],) if "gamma" in hp else ()
    return _schedule("ExponentialDecay", step, learning_rate, step_size, *extra, staircase=True)


def cosine_decay_schedule(step: Any, learning_rate: float, decay_steps: int, **hp: Any) -> Made:
    made = _schedule("CosineDecay", step, learning_rate, decay_steps, **hp)
    if "alpha" not in hp:
        default = inspect.signature(keras.optimizers.schedules.CosineDecay).parameters["alpha"].default
        made.defaults["alpha"] = f"alpha={default!r}"
    return made


def conv1d_ncw(x: Any, w: Any, stride: int, padding: str) -> Any:
    y = tf.nn.conv1d(tf.transpose(x, [0, 2, 1]), tf.transpose(w, [2, 1, 0]), stride=stride, padding=padding.upper())
    return tf.transpose(y, [0, 2, 1])


def conv3d_ncdhw(x: Any, w: Any, stride: int, padding: str) -> Any:
    y = tf.nn.conv3d(tf.transpose(x, [0, 2, 3, 4, 1]), tf.transpose(w, [2, 3, 4, 1, 0]),
                     strides=[1, stride, stride, stride, 1], padding=padding.upper())
    return tf.transpose(y, [0, 4, 1, 2, 3])


def conv2d_padded_nchw(x: Any, w: Any, stride: int, padding: int, dilation: int) -> Any:
    y = tf.nn.conv2d(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(w, [2, 3, 1, 0]), strides=stride,
                     padding=[[0, 0], [padding, padding], [padding, padding], [0, 0]], dilations=dilation)
    return tf.transpose(y, [0, 3, 1, 2])


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


def depthwise_conv2d(x: Any, w: Any, stride: int, padding: str) -> Any:
    c = x.shape[1]
    filters = tf.transpose(tf.reshape(w, [c, w.shape[0] // c, w.shape[2], w.shape[3]]), [2, 3, 0, 1])
    y = tf.nn.depthwise_conv2d(tf.transpose(x, [0, 2, 3, 1]), filters, strides=[1, stride, stride, 1],
                               padding=padding.upper())
    return tf.transpose(y, [0, 3, 1, 2])


def _keras_padding(k: int, stride: int, padding: int) -> str:
    """Keras pools pad 'valid' (none) or 'same'; an integer padding is 'same' only where the geometry is the same."""
    if padding == 0:
        return "valid"
    if stride == 1 and k == 2 * padding + 1:
        return "same"
    raise Unsupported(f"keras pooling pads 'valid' or 'same' only: no symmetric padding of {padding} "
                      f"for kernel {k}, stride {stride}")


def max_pool(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False) -> Any:
    """keras.ops.max_pool over the spatial axes of [N, C, ...] (1-D or 2-D: it reads the rank)."""
    if ceil_mode:
        raise Unsupported("keras.ops.max_pool has no ceil_mode")
    kwargs = {} if stride is None else {"strides": stride}
    return keras.ops.max_pool(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                              data_format="channels_first", **kwargs)


def avg_pool(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, **hp: Any) -> Any:
    if hp.get("count_include_pad") and padding:
        raise Unsupported("keras.ops.average_pool averages the real elements only (no count_include_pad)")
    kwargs = {} if stride is None else {"strides": stride}
    return keras.ops.average_pool(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                                  data_format="channels_first", **kwargs)


CUSTOM: dict[str, Callable[..., Any]] = {
    "conv1d_ncw": conv1d_ncw, "conv3d_ncdhw": conv3d_ncdhw, "conv2d_padded_nchw": conv2d_padded_nchw,
    "conv_transpose2d_nchw": conv_transpose2d_nchw, "depthwise_conv2d": depthwise_conv2d,
    "conv_transpose1d_ncw": conv_transpose1d_ncw,
    "max_pool2d": max_pool, "avg_pool2d": avg_pool, "max_pool1d": max_pool, "avg_pool1d": avg_pool,
    "einsum2": lambda x, y, equation: tf.einsum(equation, x, y),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_CLASSES},
    "clip_grad_norm": lambda grads, max_norm: tf.clip_by_global_norm([grads], max_norm)[0][0],
    "clip_grad_value": lambda grads, clip_value: tf.clip_by_value(grads, -clip_value, clip_value),
    "step_decay_schedule": step_decay_schedule,
    "exponential_decay_schedule": lambda step, learning_rate, decay_rate, decay_steps:
        _schedule("ExponentialDecay", step, learning_rate, decay_steps, decay_rate),
    "cosine_decay_schedule": cosine_decay_schedule,
    "linear_schedule": lambda step, init_value, end_value, transition_steps:
        _schedule("PolynomialDecay", step, init_value, transition_steps, end_learning_rate=end_value),
    **_OPTIM,
}

from adapters.tensorflow_conv_layers import CUSTOM as _CONV_LAYERS  # noqa: E402
from adapters.tensorflow_idioms import CUSTOM as _IDIOMS  # noqa: E402
from adapters.tensorflow_layers import CUSTOM as _LAYERS  # noqa: E402
from adapters.tensorflow_pool_layers import CUSTOM as _POOL_LAYERS  # noqa: E402
from adapters.tensorflow_sampling import CUSTOM as _SAMPLING  # noqa: E402

CUSTOM.update(_LAYERS)  # layers from canonical weights (oracle/ops/weighted.py)
CUSTOM.update(_CONV_LAYERS)  # convolution and normalization layers (oracle/ops/conv_layers.py)
CUSTOM.update(_SAMPLING)  # samplers and more default initialisers (oracle/ops/sampling.py)
CUSTOM.update(_POOL_LAYERS)  # pooling layers (oracle/ops/pool_layers.py)
CUSTOM.update(_IDIOMS)  # code around a compiled call (oracle/ops/idioms.py)
