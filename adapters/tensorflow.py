"""TensorFlow column: tensor operators, tf.math / tf.* functions, tf.keras.losses classes, GradientTape."""

from __future__ import annotations

import contextlib
import operator
import os
from typing import Any, Iterator

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from adapters.base import NativeAdapter  # noqa: E402
from oracle.execute import Env, Forward, NativeOp, record_api  # noqa: E402
from oracle.protocol import ColumnUnavailable  # noqa: E402

# Keras spells the loss reductions differently; "mean" is Keras' default sum_over_batch_size.
KERAS_REDUCTION = {"mean": "sum_over_batch_size", "sum": "sum", "none": None}


def _keras_loss(cls_name: str, **kwargs: Any) -> NativeOp:
    def call(pred: Any, target: Any, reduction: str) -> Any:
        loss = getattr(tf.keras.losses, cls_name)(reduction=KERAS_REDUCTION[reduction], **kwargs)
        return loss(target, pred)  # Keras takes (y_true, y_pred)

    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return NativeOp(call, f"tf.keras.losses.{cls_name}(reduction=...{extra})(y_true, y_pred)")


def _cross_entropy(logits: Any, labels: Any, reduction: str) -> Any:
    cls_name = "CategoricalCrossentropy" if labels.dtype.is_floating else "SparseCategoricalCrossentropy"
    record_api(f"tf.keras.losses.{cls_name}(from_logits=True, reduction={KERAS_REDUCTION[reduction]!r})")
    loss = getattr(tf.keras.losses, cls_name)(from_logits=True, reduction=KERAS_REDUCTION[reduction])
    return loss(labels, logits)


def _conv2d(x: Any, w: Any, stride: int, padding: str) -> Any:
    # TensorFlow's CPU kernels only take channels-last; the case is written channels-first.
    y = tf.nn.conv2d(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(w, [2, 3, 1, 0]), strides=stride,
                     padding=padding.upper())
    return tf.transpose(y, [0, 3, 1, 2])


OPS: dict[str, NativeOp] = {
    "add": NativeOp(operator.add, "Tensor.__add__ (x + y)"),
    "subtract": NativeOp(operator.sub, "Tensor.__sub__ (x - y)"),
    "multiply": NativeOp(operator.mul, "Tensor.__mul__ (x * y)"),
    "divide": NativeOp(operator.truediv, "Tensor.__truediv__ (x / y)"),
    "pow": NativeOp(operator.pow, "Tensor.__pow__ (x ** y)"),
    "matmul": NativeOp(tf.linalg.matmul, "tf.linalg.matmul"),
    "negative": NativeOp(tf.math.negative, "tf.math.negative"),
    "abs": NativeOp(tf.math.abs, "tf.math.abs"),
    "exp": NativeOp(tf.math.exp, "tf.math.exp"),
    "log": NativeOp(tf.math.log, "tf.math.log"),
    "sqrt": NativeOp(tf.math.sqrt, "tf.math.sqrt"),
    "sum": NativeOp(lambda x, axis, keepdims: tf.reduce_sum(x, axis=axis, keepdims=keepdims), "tf.reduce_sum"),
    "mean": NativeOp(lambda x, axis, keepdims: tf.reduce_mean(x, axis=axis, keepdims=keepdims), "tf.reduce_mean"),
    "reshape": NativeOp(lambda x, shape: tf.reshape(x, shape), "tf.reshape"),
    "squeeze": NativeOp(lambda x, axis: tf.squeeze(x, axis=axis), "tf.squeeze"),
    "expand_dims": NativeOp(lambda x, axis: tf.expand_dims(x, axis=axis), "tf.expand_dims"),
    "softmax": NativeOp(lambda x, axis: tf.nn.softmax(x, axis=axis), "tf.nn.softmax"),
    "log_softmax": NativeOp(lambda x, axis: tf.nn.log_softmax(x, axis=axis), "tf.nn.log_softmax"),
    "scatter_add": NativeOp(lambda x, idx, upd: tf.tensor_scatter_nd_add(x, tf.expand_dims(idx, -1), upd),
                            "tf.tensor_scatter_nd_add(x, indices[:, None], updates)"),
    "conv2d": NativeOp(_conv2d, "tf.nn.conv2d (NHWC/HWIO; transposed from the case's NCHW/OIHW)"),
    "mse_loss": _keras_loss("MeanSquaredError"),
    "l1_loss": _keras_loss("MeanAbsoluteError"),
    "cross_entropy": NativeOp(_cross_entropy, "tf.keras.losses.(Sparse)CategoricalCrossentropy"),
    "binary_cross_entropy": _keras_loss("BinaryCrossentropy", from_logits=False),
    "binary_cross_entropy_with_logits": _keras_loss("BinaryCrossentropy", from_logits=True),
}


class TensorFlowBackend:
    framework = "tensorflow"
    ops = OPS

    def __init__(self, device_name: str) -> None:
        self.device_name = device_name

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        with tf.device(self.device_name):  # sources of tape.gradient are Variables, as users write them
            return tf.Variable(array) if differentiable else tf.constant(array)

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value.numpy() if hasattr(value, "numpy") else value)

    def gradient_api(self, idiom: str) -> str:
        return "tf.GradientTape().gradient(target, sources)"

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        saved = tf.config.experimental.tensor_float_32_execution_enabled()
        if "tf32" in settings:
            tf.config.experimental.enable_tensor_float_32_execution(bool(settings["tf32"]))
        try:
            yield {"tensor_float_32_execution": tf.config.experimental.tensor_float_32_execution_enabled()}
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(saved)

    def gradients(self, forward: Forward, inputs: Env, of: str, wrt: list[str], idiom: str) -> dict[str, Any]:
        with tf.device(self.device_name), tf.GradientTape() as tape:
            target = forward(inputs, True)[of]
        return dict(zip(wrt, tape.gradient(target, [inputs[name] for name in wrt])))


def load(device: str) -> NativeAdapter:
    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise ColumnUnavailable("device gpu requested but TensorFlow sees no GPU (tensorflow-cpu build?)")
    for gpu in gpus:  # share the GPU with the other frameworks' workers
        tf.config.experimental.set_memory_growth(gpu, True)
    settings = {"keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else "",
                "tensor_float_32_execution": tf.config.experimental.tensor_float_32_execution_enabled()}
    return NativeAdapter(TensorFlowBackend("/GPU:0" if device == "gpu" else "/CPU:0"), tf.__version__, device, settings)
