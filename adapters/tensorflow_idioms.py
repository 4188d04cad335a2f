"""The idiom ops (oracle/ops/idioms.py) in TensorFlow: the user's function (adapters/idioms.py), then tf.function."""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from adapters.idioms import table

CUSTOM: dict[str, Callable[..., Any]] = table(tf.function, tf.reduce_sum, lambda n: tf.constant(n, dtype=tf.float32),
                                              strict=lambda f: tf.function(f, jit_compile=True), static=tf.function)
