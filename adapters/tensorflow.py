"""TensorFlow column: tensor operators, tf.math / tf.* functions, tf.keras.losses classes, GradientTape."""

from __future__ import annotations

import contextlib
import functools
import os
from typing import Any, Callable, Iterator

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

from adapters.base import BoundBackend, NativeAdapter
from adapters.tensorflow_custom import CUSTOM, STEP_CLASSES, native_names
from adapters.tensorflow_layers import mixed_policy
from oracle.compiling import compiler_text
from oracle.execute import Backward, Env, Forward, python_text
from oracle.gradidioms import run
from oracle.gradopts import GradOptions
from oracle.gradrules import build
from oracle.protocol import ColumnUnavailable
from oracle.request import Unsupported
from oracle.steps import Step
from oracle.training import NativeOptimizer, StepResult, canonical
from oracle.vectorize import in_axes, out_axes

KERAS_NAMES = native_names()  # the `<name>_step` bindings' keyword table


def _kind(value: Any) -> str:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return "scalar"
    if dtype == tf.bool:
        return "bool"
    return "floating" if dtype.is_floating or dtype.is_complex else "integer"


class TensorFlowBackend(BoundBackend):
    framework = "tensorflow"

    def __init__(self, device_name: str) -> None:
        self.device_name = device_name
        self.bind(CUSTOM, _kind, tf.Tensor)

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        with tf.device(self.device_name):  # sources of tape.gradient are Variables, as users write them
            return tf.Variable(array) if differentiable else tf.constant(array)

    def to_numpy(self, value: Any) -> np.ndarray:
        if isinstance(value, tf.IndexedSlices):  # tape.gradient of a gather or embedding lookup: densify
            value = tf.convert_to_tensor(value)
        return np.asarray(value.numpy() if hasattr(value, "numpy") else value)

    def snapshot(self, value: Any) -> Any:
        return tf.identity(value)

    def literal(self, value: Any, dtype: str | None, differentiable: bool) -> tuple[Any, str]:
        with tf.device(self.device_name):
            built = tf.constant(value, dtype=dtype) if dtype else tf.constant(value)
            if differentiable:  # a source the tape watches without being told: a Variable
                built = tf.Variable(built)
        text = f"tf.constant({python_text(value)}{f', dtype=tf.{dtype}' if dtype else ''})"
        return built, f"tf.Variable({text})" if differentiable else text

    def vectorize(self, fn: Callable[..., Any], step: Step) -> Callable[..., Any]:
        axes = in_axes(step)
        if any(a not in (0, None) for a in axes) or out_axes(step) != 0:
            raise Unsupported("tf.vectorized_map maps axis 0 of its elems and stacks along axis 0: other "
                              "in_axes/out_axes have no TensorFlow form")
        mapped = [i for i, a in enumerate(axes) if a is not None]

        def run(*values: Any) -> Any:
            def one(elems: Any) -> Any:
                slices = list(values)
                for i, part in zip(mapped, elems):
                    slices[i] = part
                return fn(*slices)

            with tf.device(self.device_name):
                return tf.vectorized_map(one, tuple(values[i] for i in mapped))

        return run

    def custom_gradient(self, forward: Callable[..., Any], backward: Backward, arity: int) -> tuple[Callable[..., Any], str]:
        return build("tensorflow", arity, forward, backward, {"tf": tf}), "tensorflow"

    def compiler(self, name: str) -> tuple[Callable[[Callable[..., Any]], Callable[..., Any]], str]:
        return functools.partial(tf.function, jit_compile=name == "xla"), compiler_text("tensorflow", name)

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        # each case draws as a fresh process does (its snippet's): no global seed, and the op-seed kernels'
        # counters cleared; else an earlier case's keras.utils.set_random_seed, or an earlier draw with the
        # same op seed, changes this case's tf.random draws
        tf.random.set_seed(None)
        saved = tf.config.experimental.tensor_float_32_execution_enabled()
        if "tf32" in settings:
            tf.config.experimental.enable_tensor_float_32_execution(bool(settings["tf32"]))
        try:
            in_effect = {"tensor_float_32_execution": tf.config.experimental.tensor_float_32_execution_enabled()}
            with mixed_policy(settings.get("autocast"), in_effect):
                yield in_effect
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(saved)
    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        kernel0 = weights["dense0.kernel"]
        with tf.device(self.device_name):
            model = tf.keras.Sequential(
                [tf.keras.Input(shape=(kernel0.shape[0],), dtype=str(kernel0.dtype))]
                + [tf.keras.layers.Dense(layer["units"], activation=layer["activation"], dtype=str(kernel0.dtype))
                   for layer in layers])
            for i, dense in enumerate(model.layers):
                dense.set_weights([weights[f"dense{i}.kernel"], weights[f"dense{i}.bias"]])
        dense = [f"tf.keras.layers.Dense({layer['units']}, activation={layer['activation']!r}, "
                 f"dtype={str(kernel0.dtype)!r})" for layer in layers]
        return model, (f"tf.keras.Sequential([tf.keras.Input(shape=({kernel0.shape[0]},), dtype={str(kernel0.dtype)!r}), "
                       f"{', '.join(dense)}]); dense.set_weights([kernel, bias]) per layer")

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer:
        kwargs = {native: pinned[c] for native, c in KERAS_NAMES.items() if c in pinned}
        cls = getattr(tf.keras.optimizers, STEP_CLASSES[name])
        optimizer = cls(**kwargs)
        config = optimizer.get_config()
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        return NativeOptimizer(optimizer, canonical(config, KERAS_NAMES),
                               # `name` is no hyperparameter: Keras numbers it per process (adam, adam_2, ...),
                               # so a record would depend on which cases ran before it in the worker
                               {k: v for k, v in config.items()
                                if k != "name" and isinstance(v, (bool, int, float, str, type(None)))},
                               f"tf.keras.optimizers.{cls.__name__}({args}); GradientTape + apply_gradients")

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: Any) -> StepResult:
        with tf.device(self.device_name):
            with tf.GradientTape() as tape:
                loss = loss_of(model(x, training=True))
            variables = model.trainable_variables
            grads = tape.gradient(loss, variables)
            optimizer.optimizer.apply_gradients(zip(grads, variables))
        return StepResult(loss, dict(zip(_names(model), grads)))

    def parameters(self, model: Any) -> dict[str, Any]:
        return dict(zip(_names(model), model.trainable_variables))

    def gradients(self, forward: Forward, inputs: Env, grad: GradOptions) -> dict[str, Any]:
        with tf.device(self.device_name):  # the gradient's computations on the column's device, as the forward's
            return run("tensorflow", grad, forward, inputs, {"tf": tf})


def _names(model: Any) -> list[str]:
    """Case names for model.trainable_variables: each Dense layer's kernel [in, out] then bias."""
    return [f"dense{i}.{part}" for i in range(len(model.layers)) for part in ("kernel", "bias")]


def load(device: str) -> NativeAdapter:
    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise ColumnUnavailable("device gpu requested but TensorFlow sees no GPU (tensorflow-cpu build?)")
    for gpu in gpus:  # share the GPU with the other frameworks' workers
        tf.config.experimental.set_memory_growth(gpu, True)
    settings = {"keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else "",
                "tensor_float_32_execution": tf.config.experimental.tensor_float_32_execution_enabled()}
    return NativeAdapter(TensorFlowBackend("/GPU:0" if device == "gpu" else "/CPU:0"), tf.__version__, device, settings)
