"""Inputs are born here, once, in NumPy, from an input spec (seeded generators or explicit values).

Framework-free and schema-free: a spec is read by attribute (dtype, shape, init, values), so
the loader (oracle/cases/) and the planner (oracle/plan.py) both use it without a cycle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from oracle.request import numpy_dtype

SPECIAL_VALUES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def shape_of_values(values: Any) -> tuple[int, ...]:
    """Shape of an explicit nested list; raises ValueError if it is ragged or holds non-numbers."""
    if not isinstance(values, list):
        if isinstance(values, str) and values not in SPECIAL_VALUES:
            raise ValueError(f"{values!r} is not a number; special values are {', '.join(SPECIAL_VALUES)}")
        if not isinstance(values, (int, float, bool, str)):
            raise ValueError(f"{values!r} is not a number")
        return ()
    if not values:
        return (0,)
    shapes = {shape_of_values(v) for v in values}
    if len(shapes) != 1:
        raise ValueError("values are ragged: every row must have the same length")
    return (len(values),) + shapes.pop()


def special(values: Any) -> Any:
    """'nan', 'inf', '-inf' strings -> floats, anywhere in a nested list."""
    if isinstance(values, list):
        return [special(v) for v in values]
    return SPECIAL_VALUES.get(values, values) if isinstance(values, str) else values


def spelled(values: Any) -> Any:
    """Floats -> the case language's spelling where they are not finite ("nan", "inf", "-inf"), anywhere in a
    nested list: what a YAML .inf or .nan becomes in strict JSON (results.json refuses bare NaN)."""
    if isinstance(values, list):
        return [spelled(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return "nan" if math.isnan(values) else ("inf" if values > 0 else "-inf")
    return values


def make_input(spec: Any) -> np.ndarray:
    """Generate one input deterministically from its spec (the seed fully determines it)."""
    dtype = numpy_dtype(spec.dtype)
    if spec.values is not None:
        with np.errstate(all="ignore"):
            return np.asarray(special(spec.values), dtype=np.float64 if dtype.kind == "f" or spec.dtype == "bfloat16"
                              else dtype).astype(dtype)
    init, shape = spec.init, tuple(spec.shape or ())
    assert init is not None
    if init.normal:
        rng = np.random.default_rng(init.normal.seed)
        data: Any = rng.normal(init.normal.mean, init.normal.std, size=shape)
    elif init.uniform:
        rng = np.random.default_rng(init.uniform.seed)
        data = rng.uniform(init.uniform.low, init.uniform.high, size=shape)
    elif init.integers:
        rng = np.random.default_rng(init.integers.seed)
        data = rng.integers(init.integers.low, init.integers.high, size=shape)
    else:
        fill = SPECIAL_VALUES.get(init.fill, init.fill) if isinstance(init.fill, str) else init.fill
        data = np.full(shape, fill if fill is not None else math.nan, dtype=np.float64)
    return np.asarray(data).astype(dtype)
