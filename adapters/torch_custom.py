"""The torch column's custom bindings, one module per family: what an op's declaration cannot say as a call,
a method or an expression (oracle/ops declares each as `custom(name, code)`; tests/test_custom_bindings.py
counts them)."""

from __future__ import annotations

from typing import Any, Callable

from adapters.torch_conv_layers import CUSTOM as CONV_LAYERS
from adapters.torch_idioms import CUSTOM as IDIOMS
from adapters.torch_layers import CUSTOM as LAYERS
from adapters.torch_optim import CUSTOM as OPTIM
from adapters.torch_optim import STEP_CLASSES, betas, native_names
from adapters.torch_pool_layers import CUSTOM as POOL_LAYERS
from adapters.torch_sampling import CUSTOM as SAMPLING
from adapters.torch_shape import CUSTOM as SHAPE

__all__ = ["CUSTOM", "STEP_CLASSES", "betas", "native_names"]

CUSTOM: dict[str, Callable[..., Any]] = {**SHAPE, **OPTIM, **LAYERS, **CONV_LAYERS,
                                         **POOL_LAYERS, **SAMPLING, **IDIOMS}
