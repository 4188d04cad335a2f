"""The idiom ops (oracle/ops/idioms.py) as a TensorFlow user writes them: the function, then tf.function."""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

scale = 1.0  # the global that compiled_global_read's function reads


def compiled_if_on_value(x: Any) -> Any:
    def f(x: Any) -> Any:
        return x * 2 if tf.reduce_sum(x) > 0 else -x

    return tf.function(f)(x)


def compiled_side_effect_count(x: Any) -> Any:
    calls: list[int] = []

    def f(x: Any) -> Any:
        calls.append(1)
        return x + 1

    g = tf.function(f)
    g(x)
    g(x)
    return tf.constant(len(calls), dtype=tf.float32)  # the Python count, as a tensor the oracle records


def compiled_scalar_argument_runs(x: Any) -> Any:
    runs: list[int] = []

    def f(x: Any, s: float) -> Any:
        runs.append(1)
        return x * s

    g = tf.function(f)
    g(x, 1.0)
    g(x, 2.0)
    return tf.constant(len(runs), dtype=tf.float32)  # how many times the Python body ran


def compiled_global_read(x: Any) -> Any:
    global scale
    scale = 1.0
    f = tf.function(lambda x: x * scale)
    f(x)
    scale = 2.0
    return f(x)


CUSTOM: dict[str, Callable[..., Any]] = {
    "compiled_if_on_value": compiled_if_on_value,
    "compiled_side_effect_count": compiled_side_effect_count,
    "compiled_global_read": compiled_global_read,
    "compiled_scalar_argument_runs": compiled_scalar_argument_runs,
}
