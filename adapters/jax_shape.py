"""The JAX column's custom bindings of the shape family (oracle/ops/shape.py)."""

from __future__ import annotations

from typing import Any, Callable


def _band_part(x: Any, num_lower: int, num_upper: int) -> Any:
    """tf.linalg.band_part as JAX users write it (jnp.triu, then jnp.tril; a negative count: that call left out)."""
    import jax.numpy as jnp

    kept = x if num_lower < 0 else jnp.triu(x, -num_lower)
    return kept if num_upper < 0 else jnp.tril(kept, num_upper)


CUSTOM: dict[str, Callable[..., Any]] = {"band_part_tril_triu": _band_part}
