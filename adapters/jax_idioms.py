"""The idiom ops (oracle/ops/idioms.py) in JAX: the user's function (adapters/idioms.py), then jax.jit."""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from adapters.idioms import table

# jax.jit compiles the whole function or fails: it is its own strict form
CUSTOM: dict[str, Callable[..., Any]] = table(jax.jit, lambda x: x.sum(), lambda n: jnp.asarray(n, dtype=jnp.float32),
                                              strict=jax.jit, static=lambda f: jax.jit(f, static_argnums=1))
