"""Hypothesis strategies derived from an op's declaration: shapes, dtypes, values, attributes.

Nothing here names an op: arguments are read by kind and domain, attributes by type,
choices and range. Every choice is ordered simplest first, because Hypothesis shrinks
towards the first element of `sampled_from` and towards 0 of `integers`: the first shape
relation is "same", the first content is seeded random values, the first attribute value
is "unpinned" (not passed, the framework's default).

A scenario is plain data (JSON-able) so that it is a memo key, a case file and a report row:
    {"op": name, "inputs": {arg: {"shape", "dtype", "init"} | {"dtype", "values"}},
     "scalars": {arg: number}, "attrs": {attr: value}}
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from oracle.explain import seeded_init
from oracle.ops import FRAMEWORK, Arg, Attr, OpDef

# A small pool of dimensions keeps XLA compiles few (every new shape is a new compile in JAX).
DIMS = (1, 2, 3, 4)
MAX_RANK = 4
FLOAT_DTYPES = ("float32", "float64", "float16")
INT_DTYPES = ("int64", "int32")
RELATIONS = ("same", "trailing_1", "broadcast", "mismatch")  # the shape of every argument after the first
MAX_LISTED = 16  # explicit values only for tensors this small, so case files stay readable

# Special values by domain, simplest first: kinks and ties (0, equal values), signed zeros,
# non-finite values, and values just outside the domain.
SPECIALS: dict[str, tuple[Any, ...]] = {
    "real": (0.0, 1.0, -1.0, 0.5, 2.0, -0.0, "nan", "inf", "-inf", 1e-8, 100.0),
    "positive": (1.0, 0.5, 2.0, 0.0, -0.0, "inf", "nan", -1.0, 1e-8),
    "probability": (0.5, 0.0, 1.0, 0.25, 1e-7, 0.9999999, "nan", -0.5, 1.5),
    "binary": (0.0, 1.0, 0.5, "nan", -1.0, 2.0),
}
FILLS = (0.0, "nan", "inf", "-inf", -0.0, 1.0)


def _base_shape() -> st.SearchStrategy[list[int]]:
    return st.integers(0, MAX_RANK).flatmap(lambda rank: st.lists(st.sampled_from(DIMS), min_size=rank,
                                                                   max_size=rank))


@st.composite
def _related(draw: Any, base: list[int]) -> list[int]:
    """Another argument's shape: equal, a trailing 1 added or dropped ([n, 1] vs [n]), broadcastable, or not."""
    relation = draw(st.sampled_from(RELATIONS))
    if relation == "same":
        return list(base)
    if relation == "trailing_1":
        return base[:-1] if base and base[-1] == 1 else base + [1]
    if relation == "broadcast":
        drop = draw(st.integers(0, len(base)))
        kept = base[drop:]
        return [1 if draw(st.booleans()) else d for d in kept]
    if not base:
        return [2]
    axis = draw(st.integers(0, len(base) - 1))
    return [d + 1 if i == axis else d for i, d in enumerate(base)]


@st.composite
def _empty(draw: Any, shape: list[int]) -> list[int]:
    """Now and then an empty tensor: one dimension set to 0 (rare, and shrinks away)."""
    if shape and draw(st.integers(0, 11)) == 11:
        axis = draw(st.integers(0, len(shape) - 1))
        return [0 if i == axis else d for i, d in enumerate(shape)]
    return shape


def _nest(flat: list[Any], shape: list[int]) -> Any:
    if not shape:
        return flat[0]
    step = math.prod(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


@st.composite
def _tensor(draw: Any, arg: Arg, shape: list[int], float_dtype: str, classes: int) -> dict[str, Any]:
    """One input: its dtype from the argument's kind, its values from its domain."""
    integer = arg.kind == "int_tensor" or (arg.domain == "index" and draw(st.booleans()) is False)
    dtype = draw(st.sampled_from(INT_DTYPES)) if integer else float_dtype
    size = math.prod(shape)
    content = draw(st.sampled_from(("random", "values", "fill") if size <= MAX_LISTED else ("random", "fill")))
    if integer:
        # class indices below the first input's last dimension, and the out-of-range ones either side
        alphabet: tuple[Any, ...] = (0, 1, classes - 1, -1, classes)
        if content == "random" or content == "fill":
            return {"shape": shape, "dtype": dtype, "init": seeded_init(arg, dtype, draw(st.integers(0, 3)), classes)}
    else:
        alphabet = SPECIALS.get(arg.domain, SPECIALS["real"])
        if content == "random":
            return {"shape": shape, "dtype": dtype, "init": seeded_init(arg, dtype, draw(st.integers(0, 3)), classes)}
        if content == "fill":
            return {"shape": shape, "dtype": dtype, "init": {"fill": draw(st.sampled_from(FILLS))}}
    flat = draw(st.lists(st.sampled_from(alphabet), min_size=size, max_size=size))
    if size == 0:
        return {"shape": shape, "dtype": dtype, "init": {"fill": 0.0 if not integer else 0}}
    return {"dtype": dtype, "values": _nest(flat, shape)}


def _scalar(arg: Arg) -> st.SearchStrategy[Any]:
    return st.sampled_from(tuple(v for v in SPECIALS.get(arg.domain, SPECIALS["real"]) if not isinstance(v, str)))


def _pinned(attr: Attr, rank: int) -> st.SearchStrategy[Any] | None:
    """Values inside the attribute's declared choices or range; None when its type gives nothing to draw."""
    if attr.type == "strs":  # a list of the declared names
        return st.lists(st.sampled_from(attr.choices), max_size=2) if attr.choices else None
    if attr.choices:
        return st.sampled_from(attr.choices)
    kind = attr.type
    if kind == "bool":
        return st.sampled_from((False, True))
    if kind == "int":
        low = int(attr.low) if attr.low is not None else -2
        high = int(attr.high) if attr.high is not None else max(low, 0) + 4
        return st.integers(low, high)
    if kind == "float":
        lo = float(attr.low) if attr.low is not None else -2.0
        hi = float(attr.high) if attr.high is not None else lo + 4.0
        return st.sampled_from(tuple(dict.fromkeys((lo, hi, (lo + hi) / 2, lo + (hi - lo) / 4))))
    if kind in ("axis", "axes"):
        # every valid axis and the first invalid one either side
        axis = st.integers(-rank - 1, rank)
        if attr.nullable or kind == "axes":
            axis = st.one_of(axis, st.none())
        return axis
    if kind == "shape":
        return st.sampled_from(([-1], [1, -1], [-1, 1]))
    if kind == "ints":
        return st.lists(st.sampled_from((1, 2, 3)), min_size=1, max_size=max(rank, 1))
    if kind == "floats":
        return st.lists(st.sampled_from((1.0, 0.5, 2.0)), min_size=1, max_size=max(rank, 1))
    return None


# A required attribute whose type gives nothing to draw (free-form str, any) still needs a value
# for the case to validate: a plain sample, as the registry's own sample cases use.
FALLBACK: dict[str, Any] = {"int": 1, "axis": 0, "axes": 0, "float": 0.5, "bool": False, "str": "x", "shape": [-1],
                            "ints": [1], "floats": [1.0], "strs": [], "any": 1}


def explorable(spec: OpDef) -> bool:
    """One step on generated inputs can exercise it: tensor or scalar arguments, at least one tensor.
    Ops on built objects (a layer from an earlier step) need a multi-step case."""
    return all(a.kind in ("tensor", "int_tensor", "scalar") for a in spec.args) and \
        any(a.kind != "scalar" for a in spec.args)


@st.composite
def _attrs(draw: Any, spec: OpDef, rank: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, attr in spec.attrs.items():
        pinned = _pinned(attr, rank)
        if pinned is None:
            if attr.required:
                out[name] = FALLBACK.get(attr.type, 1)
            continue  # nothing sensible to draw (free-form types): leave it to the framework
        if not attr.required and not draw(st.booleans()):
            continue  # unpinned first: Hypothesis shrinks towards the fewest attributes
        value = draw(pinned)
        if value == FRAMEWORK:
            continue
        out[name] = value
    return out


@st.composite
def scenarios(draw: Any, spec: OpDef) -> dict[str, Any]:
    """One scenario for `spec`: inputs (shapes, dtypes, values) and attributes, simplest first."""
    base = draw(_base_shape())
    float_dtype = draw(st.sampled_from(FLOAT_DTYPES))
    inputs: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    first: list[int] | None = None
    for arg in spec.args:
        if arg.kind == "scalar":
            scalars[arg.name] = draw(_scalar(arg))
            continue
        shape = draw(_empty(list(base))) if first is None else draw(_related(base))
        classes = (first[-1] if first else 2) or 2
        # a second float dtype now and then: mixed-precision operands
        dtype = float_dtype if first is None or draw(st.integers(0, 5)) else draw(st.sampled_from(FLOAT_DTYPES))
        inputs[arg.name] = draw(_tensor(arg, shape, dtype, classes))
        first = first if first is not None else shape
    attrs = draw(_attrs(spec, len(base)))
    return {"op": spec.name, "inputs": inputs, "scalars": scalars, "attrs": attrs}
