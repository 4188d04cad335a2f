"""The idiom ops (oracle/ops/idioms.py) in JAX: the user's function (adapters/idioms.py), then jax.jit."""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from adapters.idioms import table

CUSTOM: dict[str, Callable[..., Any]] = table(jax.jit, lambda x: x.sum(), lambda n: jnp.asarray(n, dtype=jnp.float32))
