"""The TensorFlow/Keras column's custom bindings for the linalg, conv and optimizer families.

Imported by adapters/tensorflow.py after it has set KERAS_BACKEND.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

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


CUSTOM = {
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
