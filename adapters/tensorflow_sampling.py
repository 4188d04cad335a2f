"""The TensorFlow column's samplers and default initialisers (oracle/ops/sampling.py): Keras' and TensorFlow's
seeded samplers (seed=0), Keras layers built after keras.utils.set_random_seed(0)."""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf


def _seeded_layer(make: Callable[[], Any], shape: tuple[Any, ...]) -> Any:
    keras.utils.set_random_seed(0)  # before the layer exists: its initialisers draw from this seed
    layer = make()
    layer.build(shape)
    return layer


def _row(logits: Any, num_samples: int) -> Any:
    return tf.random.categorical(logits[None, :], num_samples, seed=0)[0]


CUSTOM: dict[str, Callable[..., Any]] = {
    "tf_categorical_sample": _row,
    # tf.random.categorical takes logits only: the probabilities' form is their log
    "tf_multinomial_sample": lambda probs, num_samples: _row(tf.math.log(probs), num_samples),
    "keras_normal_sample": lambda num_samples, mean, std: keras.random.normal((num_samples,), mean, std, seed=0),
    "keras_uniform_sample": lambda num_samples, low, high: keras.random.uniform((num_samples,), low, high, seed=0),
    "keras_truncated_normal_sample": lambda num_samples, std: keras.random.truncated_normal(
        (num_samples,), stddev=std, seed=0),
    "keras_default_conv2d_kernel": lambda in_channels, out_channels, kernel_size: _seeded_layer(
        lambda: keras.layers.Conv2D(out_channels, kernel_size), (None, None, None, in_channels)).kernel.value,
    "keras_default_dense_bias": lambda in_features, out_features: _seeded_layer(
        lambda: keras.layers.Dense(out_features), (None, in_features)).bias.value,
    "keras_default_lstm_recurrent_kernel": lambda input_size, units: _seeded_layer(
        lambda: keras.layers.LSTM(units), (None, None, input_size)).cell.recurrent_kernel.value,
}
