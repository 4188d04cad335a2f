"""The TensorFlow/Keras column's custom bindings for the linalg, conv and optimizer families.

Imported by adapters/tensorflow.py after it has set KERAS_BACKEND.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import keras
import tensorflow as tf

from oracle.request import Unsupported

STEP_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "Nadam",
                "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop", "lion": "Lion", "lamb": "Lamb"}
STEP_NAMES = {"learning_rate": "learning_rate", "momentum": "momentum", "nesterov": "nesterov",
              "weight_decay": "weight_decay", "beta1": "beta_1", "beta2": "beta_2", "epsilon": "epsilon", "rho": "rho",
              "centered": "centered", "initial_accumulator_value": "initial_accumulator_value"}


def optimizer_step(name: str, params: Any, grads: Any, steps: int = 1, **hp: Any) -> Any:
    """v = keras.Variable(p); keras.optimizers.<X>(**pinned).apply_gradients([(g, v)]), `steps` times."""
    cls = getattr(keras.optimizers, STEP_CLASSES[name])
    accepted = inspect.signature(cls).parameters
    kwargs = {}
    for key, value in hp.items():
        native = STEP_NAMES.get(key)
        if native is None or native not in accepted:
            raise Unsupported(f"keras.optimizers.{cls.__name__} has no parameter for {key}")
        kwargs[native] = value
    v = keras.Variable(params)
    opt = cls(**kwargs)
    for _ in range(steps):
        opt.apply_gradients([(grads, v)])
    return tf.convert_to_tensor(v)


def _schedule(step: Any, schedule: Any) -> Any:
    return schedule(step)


def step_decay_schedule(step: Any, learning_rate: float, step_size: int, **hp: Any) -> Any:
    if "gamma" not in hp:
        raise TypeError("keras.optimizers.schedules.ExponentialDecay() missing required argument 'decay_rate'")
    return keras.optimizers.schedules.ExponentialDecay(learning_rate, step_size, hp["gamma"], staircase=True)(step)


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


def max_pool2d(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False) -> Any:
    if ceil_mode:
        raise Unsupported("keras.ops.max_pool has no ceil_mode")
    kwargs = {} if stride is None else {"strides": stride}
    return keras.ops.max_pool(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                              data_format="channels_first", **kwargs)


def avg_pool2d(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, **hp: Any) -> Any:
    if hp.get("count_include_pad") and padding:
        raise Unsupported("keras.ops.average_pool averages the real elements only (no count_include_pad)")
    kwargs = {} if stride is None else {"strides": stride}
    return keras.ops.average_pool(x, kernel_size, padding=_keras_padding(kernel_size, stride or kernel_size, padding),
                                  data_format="channels_first", **kwargs)


CUSTOM: dict[str, Callable[..., Any]] = {
    "conv1d_ncw": conv1d_ncw, "conv3d_ncdhw": conv3d_ncdhw, "conv2d_padded_nchw": conv2d_padded_nchw,
    "conv_transpose2d_nchw": conv_transpose2d_nchw, "depthwise_conv2d": depthwise_conv2d,
    "max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d,
    "einsum2": lambda x, y, equation: tf.einsum(equation, x, y),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_CLASSES},
    "clip_grad_norm": lambda grads, max_norm: tf.clip_by_global_norm([grads], max_norm)[0][0],
    "clip_grad_value": lambda grads, clip_value: tf.clip_by_value(grads, -clip_value, clip_value),
    "step_decay_schedule": step_decay_schedule,
    "exponential_decay_schedule": lambda step, learning_rate, decay_rate, decay_steps:
        keras.optimizers.schedules.ExponentialDecay(learning_rate, decay_steps, decay_rate)(step),
    "cosine_decay_schedule": lambda step, learning_rate, decay_steps, **hp:
        keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, **hp)(step),
    "linear_schedule": lambda step, init_value, end_value, transition_steps:
        keras.optimizers.schedules.PolynomialDecay(init_value, transition_steps, end_learning_rate=end_value)(step),
}

from adapters.tensorflow_layers import CUSTOM as _LAYERS  # noqa: E402

CUSTOM.update(_LAYERS)  # layers from canonical weights (oracle/ops/weighted.py)
