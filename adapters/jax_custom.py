"""The JAX column's custom bindings, one module per family: what an op's declaration cannot say as a call,
a method or an expression (oracle/ops declares each as `custom(name, code)`; tests/test_custom_bindings.py
counts them)."""

from __future__ import annotations

from typing import Any, Callable

from adapters.jax_conv import CUSTOM as CONV
from adapters.jax_conv_layers import CUSTOM as CONV_LAYERS
from adapters.jax_idioms import CUSTOM as IDIOMS
from adapters.jax_layers import CUSTOM as LAYERS
from adapters.jax_losses import CUSTOM as LOSSES
from adapters.jax_optim import CUSTOM as OPTIM
from adapters.jax_optim import native_names
from adapters.jax_pool_layers import CUSTOM as POOL_LAYERS
from adapters.jax_sampling import CUSTOM as SAMPLING
from adapters.jax_shape import CUSTOM as SHAPE

CUSTOM: dict[str, Callable[..., Any]] = {**SHAPE, **LOSSES, **CONV, **OPTIM, **LAYERS, **CONV_LAYERS,
                                         **POOL_LAYERS, **SAMPLING, **IDIOMS}

__all__ = ["CUSTOM", "native_names"]
