"""The TensorFlow/Keras column's custom bindings, one module per family: what an op's declaration cannot say as
a call, a method or an expression (oracle/ops declares each as `custom(name, code)`; tests/test_custom_bindings.py
counts them). Imported by adapters/tensorflow.py after it has set KERAS_BACKEND."""

from __future__ import annotations

from typing import Any, Callable

from adapters.tensorflow_conv import CUSTOM as CONV
from adapters.tensorflow_conv_layers import CUSTOM as CONV_LAYERS
from adapters.tensorflow_idioms import CUSTOM as IDIOMS
from adapters.tensorflow_layers import CUSTOM as LAYERS
from adapters.tensorflow_losses import CUSTOM as LOSSES
from adapters.tensorflow_optim import CUSTOM as OPTIM
from adapters.tensorflow_optim import STEP_CLASSES, native_names
from adapters.tensorflow_pool_layers import CUSTOM as POOL_LAYERS
from adapters.tensorflow_shape import CUSTOM as SHAPE

__all__ = ["CUSTOM", "STEP_CLASSES", "native_names"]

CUSTOM: dict[str, Callable[..., Any]] = {**SHAPE, **LOSSES, **CONV, **OPTIM, **LAYERS, **CONV_LAYERS,
                                         **POOL_LAYERS, **IDIOMS}
