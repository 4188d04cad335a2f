"""tf.linalg.band_part as torch and JAX users write it, the same two calls in each (their triu and tril)."""

from __future__ import annotations

from typing import Any

from oracle.native import resolve


def band_part(module: str, x: Any, num_lower: int, num_upper: int) -> Any:
    """<module>.triu keeps num_lower subdiagonals, then <module>.tril num_upper superdiagonals (one idiom, the
    module torch or jnp as data); a negative count keeps that whole triangle, so its call is left out."""
    kept = x if num_lower < 0 else resolve(f"{module}.triu")(x, -num_lower)
    return kept if num_upper < 0 else resolve(f"{module}.tril")(kept, num_upper)
