"""The JAX column's custom bindings of the shape family (oracle/ops/shape.py)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.band import band_part

CUSTOM: dict[str, Callable[..., Any]] = {"band_part_tril_triu": functools.partial(band_part, "jnp")}
