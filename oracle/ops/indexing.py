"""Indexing, gathering, scattering, sorting.

Out-of-range indices: the reference raises IndexError (strict); a column may instead clamp
them into range (`clamp_index`, JAX's indexing and lax.dynamic_slice) or fill their
positions (`fill_out_of_range`, jnp.take's default NaN fill, one_hot's zero rows).
Sorting: the reference is stable (ties keep their input order) and puts NaN last.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.ops.refctx import R
from oracle.ops.spec import (
    REQUIRED,
    Arg,
    Attr,
    OpDef,
    call,
    custom,
    expression,
    fix,
    functions,
    kw,
    method,
    methods,
    none,
    op,
    switch,
    with_forms,
)

COUNTS = "the counts are the op's result; unique returns them only when asked"
ROWS = fix(0, "an embedding looks rows up; jnp.take flattens when no axis is given")
INDEX_ALTS = ("clamp_index", "fill_out_of_range")
IDX = Arg("indices", "int_tensor", "index")


def _scatter_add(r, x, indices, updates):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import ShapeMismatch

    n, xp = x.shape[0], r.xp
    if tuple(updates.shape) != tuple(indices.shape) + tuple(x.shape[1:]):
        raise ShapeMismatch(f"scatter_add needs updates of shape indices.shape + x.shape[1:] = "
                            f"{list(indices.shape) + list(x.shape[1:])}, got {list(updates.shape)}")
    keep = _in_range(r, "scatter_add", indices, n)
    # a scalar index is one row: flatten indices (and updates alike) to k rows
    flat = xp.reshape(indices, (-1,))
    rows = xp.eye(n, dtype=x.dtype)[flat % n] * xp.asarray(keep[:, None].astype(np.float64))  # [k, n]
    return x + xp.tensordot(rows, xp.reshape(updates, (-1, *x.shape[1:])), axes=([0], [0]))


def _in_range(r: R, name: str, indices: Any, n: int) -> np.ndarray:
    """Which updates land in [-n, n); strict raises on any other, `drop_out_of_range` drops them."""
    idx = np.asarray(r.concrete(indices)).astype(np.int64).reshape(-1)
    ok = (idx >= -n) & (idx < n)
    if not ok.all():
        if not r.follows("drop_out_of_range"):
            raise IndexError(f"{name}: index {int(idx[~ok][0])} is out of range for size {n}")
        r.note(f"{name}: the update at index {int(idx[~ok][0])} dropped")
    return ok


def _indices(r: R, name: str, indices: Any, n: int, low: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Concrete indices wrapped into [0, n) and a mask of the in-range ones; strict raises on any other.

    `low=-1` allows negative indices in [-n, 0) (NumPy); `low=0` allows none (embedding ids, one_hot classes).
    """
    idx = np.asarray(r.concrete(indices)).astype(np.int64)
    lowest = -n if low < 0 else 0
    ok = (idx >= lowest) & (idx < n)
    if not ok.all():
        bad = int(idx[~ok].flat[0])
        if r.follows("clamp_index"):
            r.note(f"{name}: index {bad} clamped into [0, {n - 1}]")
        elif r.follows("fill_out_of_range"):
            r.note(f"{name}: the position of index {bad} filled")
        else:
            raise IndexError(f"{name}: index {bad} is out of range for size {n}")
    wrapped = np.where(idx < 0, idx + n, idx) if low < 0 else idx
    if r.follows("clamp_index"):
        return np.clip(np.where(ok, wrapped, idx), 0, n - 1), np.ones_like(ok)
    return np.where(ok, wrapped, 0), ok


def _fill(r, values, ok, axis, index_ndim):  # type: ignore[no-untyped-def]
    """NaN where the index was out of range; `ok` has the index shape, placed at `axis` of `values`."""
    if ok.all():
        return values
    shape = [1] * axis + list(ok.shape) + [1] * (values.ndim - axis - index_ndim)
    fill = np.nan if not r.is_integer(values) else 0
    return r.xp.where(r.xp.asarray(ok.reshape(shape)), values, fill)


def _take(r, x, indices, axis):  # type: ignore[no-untyped-def]
    if axis is None:
        x, axis = r.xp.reshape(x, (-1,)), 0
    axis = axis % x.ndim
    safe, ok = _indices(r, "take", indices, x.shape[axis])
    return _fill(r, r.xp.take(x, r.xp.asarray(safe), axis=axis), ok, axis, safe.ndim)


def _take_along_axis(r, x, indices, axis):  # type: ignore[no-untyped-def]
    if axis is None:
        x, indices, axis = r.xp.reshape(x, (-1,)), r.xp.reshape(indices, (-1,)), 0
    axis = axis % x.ndim
    safe, ok = _indices(r, "take_along_axis", indices, x.shape[axis])
    out = r.xp.take_along_axis(x, r.xp.asarray(safe), axis=axis)
    return out if ok.all() else r.xp.where(r.xp.asarray(ok), out, np.nan)


def _embedding(r, weight, ids):  # type: ignore[no-untyped-def]
    safe, ok = _indices(r, "embedding", ids, weight.shape[0], low=0)
    return _fill(r, r.xp.take(weight, r.xp.asarray(safe), axis=0), ok, 0, safe.ndim)


def _one_hot(r, indices, num_classes):  # type: ignore[no-untyped-def]
    values = np.asarray(r.concrete(indices))
    n = int(values.max()) + 1 if num_classes is None else num_classes
    safe, ok = _indices(r, "one_hot", indices, n, low=0)
    rows = r.xp.eye(n)[r.xp.asarray(safe)]
    return rows * r.xp.asarray(ok[..., None].astype(np.float64))


def _scatter(r, x, indices, updates):  # type: ignore[no-untyped-def]
    n = x.shape[0]
    keep = _in_range(r, "scatter", indices, n)
    idx = np.asarray(r.concrete(indices)).astype(np.int64).reshape(-1)
    safe = np.where(idx < 0, idx + n, idx)
    order = [k for k in range(len(safe)) if keep[k]]
    if len(set(safe[keep].tolist())) < len(order):
        if r.follows("first_update_wins"):
            order.reverse()
            r.note("scatter: the first of duplicate indices won")
    out = x
    rows = r.xp.arange(n)
    for k in order:  # later writes overwrite earlier ones: the last update wins
        hit = (rows == int(safe[k])).reshape((n,) + (1,) * (x.ndim - 1))
        out = r.xp.where(hit, updates[k], out)
    return out


def _scatter_extreme(r, x, indices, updates, largest):  # type: ignore[no-untyped-def]
    """Row indices[i] of axis 0 becomes the maximum (minimum) of itself and every update aimed at it."""
    from oracle.ops.refctx import ShapeMismatch

    name = "scatter_max" if largest else "scatter_min"
    if tuple(updates.shape) != tuple(indices.shape) + tuple(x.shape[1:]):
        raise ShapeMismatch(f"{name} needs updates of shape indices.shape + x.shape[1:] = "
                            f"{list(indices.shape) + list(x.shape[1:])}, got {list(updates.shape)}")
    n, xp = x.shape[0], r.xp
    keep = _in_range(r, name, indices, n)
    idx = np.asarray(r.concrete(indices)).astype(np.int64).reshape(-1)
    flat = xp.reshape(updates, (-1, *x.shape[1:]))
    pick = xp.maximum if largest else xp.minimum  # IEEE: a NaN on either side gives NaN
    out = x
    rows = xp.arange(n)
    for k in np.flatnonzero(keep):
        hit = (rows == int(idx[k] % n)).reshape((n,) + (1,) * (x.ndim - 1))
        out = xp.where(hit, pick(out, flat[k]), out)
    return out


def _slice(r, x, start, stop):  # type: ignore[no-untyped-def]
    return x[start:stop]


def _narrow(r, x, start, length, axis):  # type: ignore[no-untyped-def]
    n = x.shape[axis]
    begin = start + n if -n <= start < 0 else start
    if not (0 <= begin and begin + length <= n and length >= 0):
        if not r.follows("clamp_index"):
            raise IndexError(f"narrow: [{start}, {start} + {length}) is out of range for size {n}")
        begin = min(max(begin, 0), n - length)
        r.note(f"narrow: start {start} clamped to {begin} so that the {length} elements fit")
    index = [slice(None)] * x.ndim
    index[axis] = slice(begin, begin + length)
    return x[tuple(index)]


def _order(r, x, axis, descending=False):  # type: ignore[no-untyped-def]
    """Stable sort order along `axis`, NaN as the largest value, from pairwise comparisons (exact at ties).

    Written with r.xp only, so it also runs on traced values under jax.grad (the order itself is not differentiated).
    """
    xp = r.xp
    v = xp.moveaxis(x, axis, -1)
    a, b = v[..., :, None], v[..., None, :]  # a: element i, b: element j
    nan_a, nan_b = xp.isnan(a), xp.isnan(b)
    if descending:  # j sorts before i when b > a, NaN first
        before = ((b > a) & ~nan_a) | (nan_b & ~nan_a)
    else:  # j sorts before i when b < a, NaN last
        before = ((b < a) & ~nan_b) | (nan_a & ~nan_b)
    tie = (b == a) | (nan_a & nan_b)
    n = v.shape[-1]
    earlier = xp.arange(n)[None, :] < xp.arange(n)[:, None]
    rank = xp.sum(before | (tie & earlier), axis=-1)
    return xp.moveaxis(xp.argsort(rank, axis=-1), -1, axis)


def _digitize(r, x, bins, right):  # type: ignore[no-untyped-def]
    """NumPy's digitize: i with bins[i-1] <= x < bins[i] (right=False) or bins[i-1] < x <= bins[i] (right=True),
    for increasing bins; below the first bin 0, at or past the last len(bins)."""
    return r.xp.searchsorted(bins, x, side="left" if right else "right")


def _sort(r, x, axis, descending=False):  # type: ignore[no-untyped-def]
    return r.xp.take_along_axis(x, _order(r, x, axis, bool(descending)), axis=axis)


def _top_k(r, x, k, part):  # type: ignore[no-untyped-def]
    order = _order(r, x, -1, descending=True)[..., :k]
    return order if part == "indices" else r.xp.take_along_axis(x, order, axis=-1)


def _unique(r, x, counts=False):  # type: ignore[no-untyped-def]
    values = np.asarray(r.concrete(x)).reshape(-1)
    found, first, count = np.unique(values, return_index=True, return_counts=True)
    if r.follows("first_occurrence_order"):
        keep = np.argsort(first, kind="stable")
        found, count = found[keep], count[keep]
        r.note("unique: values in order of first occurrence")
    return r.xp.asarray(count if counts else found)


def _searchsorted(r, sorted_sequence, values, side):  # type: ignore[no-untyped-def]
    return r.xp.searchsorted(sorted_sequence, values, side=side)


def _scatter_extreme_op(which: str) -> OpDef:
    """scatter_max / scatter_min. torch's scatter with a reduction: x.scatter_reduce(0, index, src, reduce) scatters
    element by element (its index has src's shape: the row scatter of a vector); x.index_reduce(0, index, src,
    reduce), a form, scatters rows (in beta: it warns once per process, so it is not the default)."""
    largest = which == "max"
    word, most, reduce = ("maximum", "largest", "amax") if largest else ("minimum", "smallest", "amin")
    fixed = {"reduce": fix(reduce, f"the reduction is an argument of scatter_reduce / index_reduce; the op is the "
                                   f"{word} (include_self left to torch)")}
    return op(f"scatter_{which}", "indexing", ("x", IDX, "updates"),
              f"a copy of x whose row indices[i] of axis 0 is the {word} of itself and every update aimed at it "
              f"(duplicate indices: the {most} wins); updates has shape indices.shape + x.shape[1:]. torch's "
              f"x.scatter_reduce(0, indices, updates, '{reduce}') takes an index shaped like updates, so it matches "
              f"for a vector x",
              lambda r, x, indices, updates: _scatter_extreme(r, x, indices, updates, largest),
              conventions=f"x itself takes part ({word} of x and the updates, torch's include_self=True); NaN on "
                          f"either side gives NaN (IEEE {word}); an index outside [-n, n) raises IndexError",
              alternatives=("drop_out_of_range",),
              torch=method("scatter_reduce", args=("x", 0, "indices", "updates"), fixed=fixed),
              forms={"torch": {"index_reduce": method("index_reduce", args=("x", 0, "indices", "updates"),
                                                      fixed=fixed)}},
              tensorflow=expression(f"tf.tensor_scatter_nd_{which}(x, tf.expand_dims(indices, -1), updates)"),
              jax=expression(f"x.at[indices].{which}(updates)"))


_DESCENDING = Attr("bool", reference=False, doc="largest first; the reference sorts ascending when unpinned")
SIDE = kw("side", {False: "left", True: "right"})  # torch.bucketize's right as searchsorted's side
_DIRECTION = kw("direction", {True: "DESCENDING", False: "ASCENDING"})  # tf.sort and tf.argsort spell it so
_OUT_OF_RANGE = "an index outside [-n, n) raises IndexError (negative ones count from the end)"
_AXIS = Attr("axis", nullable=True, reference=None, doc="the axis indexed; the reference flattens the input when "
             "unpinned")

OPS = [
    op("scatter_add", "indexing", ("x", Arg("indices", "int_tensor", "index"), "updates"),
       "a copy of x with updates[i] added to row indices[i] of axis 0; duplicate indices accumulate; updates "
       "has shape indices.shape + x.shape[1:] (a scalar index takes one row)",
       _scatter_add, conventions="an index outside [-n, n) raises IndexError", alternatives=("drop_out_of_range",),
       torch=method("index_add", args=("x", 0, "indices", "updates")),
       tensorflow=expression("tf.tensor_scatter_nd_add(x, tf.expand_dims(indices, -1), updates)"),
       jax=expression("x.at[indices].add(updates)")),
    _scatter_extreme_op("max"),
    _scatter_extreme_op("min"),
    op("take", "indexing", ("x", IDX), "elements of x at `indices` along `axis` (of the flattened input when "
       "unpinned, NumPy's take): torch.take (always flattened), tf.gather (axis 0 by default), jnp.take (NaN fill "
       "for out-of-range indices by default)", _take, attrs={"axis": _AXIS},
       alternatives=INDEX_ALTS, conventions=_OUT_OF_RANGE,
       torch=call("torch.take", args=("x", "indices")), tensorflow=call("tf.gather", axis="axis"),
       jax=call("jnp.take", axis="axis")),
    op("getitem", "indexing", ("x", IDX), "x[indices] as users write it: rows of x at an integer index tensor "
       "(NumPy advanced indexing on axis 0)", lambda r, x, indices: _take(r, x, indices, 0),
       alternatives=INDEX_ALTS, conventions=_OUT_OF_RANGE,
       torch=expression("x[indices]"), tensorflow=expression("x[indices]"),
       jax=expression("x[indices]")),
    op("take_along_axis", "indexing", ("x", IDX), "x[..., indices[i], ...] along `axis` with indices of x's rank "
       "(flattened when unpinned): torch.take_along_dim, keras.ops.take_along_axis, jnp.take_along_axis (whose "
       "axis defaults to -1)", _take_along_axis, attrs={"axis": _AXIS},
       alternatives=INDEX_ALTS, conventions=_OUT_OF_RANGE,
       torch=call("torch.take_along_dim", axis="dim"), tensorflow=call("keras.ops.take_along_axis", axis="axis"),
       jax=call("jnp.take_along_axis", axis="axis")),
    op("index_select", "indexing", ("x", IDX), "the slices of x at `indices` along `axis`: torch.index_select, "
       "tf.gather, jnp.take", lambda r, x, indices, axis: _take(r, x, indices, axis),
       attrs={"axis": Attr("axis", REQUIRED)}, alternatives=INDEX_ALTS, conventions=_OUT_OF_RANGE,
       torch=call("torch.index_select", args=("x", "index=indices"), axis="dim"),
       tensorflow=call("tf.gather", axis="axis"), jax=call("jnp.take", axis="axis")),
    op("slice", "indexing", "x", "x[start:stop] on axis 0 as users write it (Python slicing): bounds past the "
       "end are clamped, as in Python lists", _slice,
       attrs={"start": Attr("int", REQUIRED), "stop": Attr("int", REQUIRED)},
       torch=expression("x[start:stop]"), tensorflow=expression("x[start:stop]"),
       jax=expression("x[start:stop]")),
    op("narrow", "indexing", "x", "`length` elements from `start` along `axis` by the slicing functions: "
       "torch.narrow, tf.slice, jax.lax.dynamic_slice_in_dim", _narrow,
       attrs={"start": Attr("int", REQUIRED), "length": Attr("int", REQUIRED, low=0), "axis": Attr("axis", REQUIRED)},
       alternatives=("clamp_index",),
       conventions="a window outside the axis raises IndexError (a negative start counts from the end)",
       torch=call("torch.narrow", axis="dim", start="start", length="length"),
       tensorflow=custom("slice_axis", "tf.slice({x}, begin=[0] * {x}.ndim with {start} at axis {axis}, "
                         "size=[-1] * {x}.ndim with {length} at axis {axis})"),
       jax=call("jax.lax.dynamic_slice_in_dim", start="start_index", length="slice_size", axis="axis")),
    op("one_hot", "indexing", (Arg("indices", "int_tensor", "index"),), "rows of the identity: [..., num_classes] "
       "with 1 at each index; num_classes unpinned: max(indices) + 1 (torch's -1); tf.one_hot and jax.nn.one_hot "
       "require it", _one_hot, attrs={"num_classes": Attr("int", low=1, reference=None)},
       alternatives=("fill_out_of_range",), conventions="a class outside [0, num_classes) raises IndexError",
       torch=call("torch.nn.functional.one_hot", num_classes="num_classes"),
       tensorflow=call("tf.one_hot", num_classes="depth"), jax=call("jax.nn.one_hot", num_classes="num_classes")),
    op("scatter", "indexing", ("x", IDX, "updates"), "a copy of x with row indices[i] of axis 0 set to updates[i]",
       _scatter, alternatives=("first_update_wins", "drop_out_of_range"),
       conventions="duplicate indices: the last update wins; an index outside [-n, n) raises IndexError",
       torch=method("index_copy", args=("x", 0, "indices", "updates")),
       tensorflow=expression("tf.tensor_scatter_nd_update(x, tf.expand_dims(indices, -1), updates)"),
       jax=expression("x.at[indices].set(updates)")),
    op("embedding", "indexing", ("weight", Arg("ids", "int_tensor", "index")), "rows of `weight` [V, D] at `ids`: "
       "torch.nn.functional.embedding, tf.nn.embedding_lookup, jnp.take(weight, ids, axis=0) (as flax's Embed)",
       _embedding, alternatives=INDEX_ALTS, conventions="an id outside [0, V) raises IndexError",
       torch=call("torch.nn.functional.embedding", args=("ids", "weight")),
       tensorflow=call("tf.nn.embedding_lookup"), jax=call("jnp.take", fixed={"axis": ROWS})),
    op("boolean_mask", "indexing", ("x", Arg("mask", "int_tensor", "binary")), "x[mask]: the elements where the "
       "boolean mask is true, flattened (a data-dependent shape)",
       lambda r, x, mask: x[r.concrete(mask).astype(bool)],
       torch=expression("x[mask]"), tensorflow=call("tf.boolean_mask"),
       jax=expression("x[mask]")),
    op("top_k_values", "indexing", "x", "the k largest values along the last axis, largest first",
       lambda r, x, k: _top_k(r, x, k, "values"), attrs={"k": Attr("int", REQUIRED, low=0)},
       conventions="ties: the lower index first; NaN is the largest",
       torch=call("torch.topk", k="k", pick="values"), tensorflow=call("tf.math.top_k", k="k", pick="values"),
       jax=call("jax.lax.top_k", k="k", pick=0)),
    op("top_k_indices", "indexing", "x", "the indices of the k largest values along the last axis, largest first",
       lambda r, x, k: _top_k(r, x, k, "indices"), attrs={"k": Attr("int", REQUIRED, low=0)},
       conventions="ties: the lower index first; NaN is the largest",
       torch=call("torch.topk", k="k", pick="indices"), tensorflow=call("tf.math.top_k", k="k", pick="indices"),
       jax=call("jax.lax.top_k", k="k", pick=1)),
    op("sort", "indexing", "x", "x sorted along `axis` (the last when unpinned), ascending unless `descending`",
       lambda r, x, axis, descending, stable: _sort(r, x, axis, descending),
       attrs={"axis": Attr("axis", reference=-1), "descending": _DESCENDING,
              "stable": Attr("bool", reference=True, doc="ties keep their input order (values cannot show it)")},
       conventions="NaN is the largest value: last ascending, first descending; the gradient follows each element "
                   "to its sorted position",
       torch=call("torch.sort", axis="dim", descending="descending", stable="stable", pick="values"),
       tensorflow=call("tf.sort", axis="axis", descending=_DIRECTION),
       jax=call("jnp.sort", axis="axis", descending="descending", stable="stable")),
    op("digitize", "indexing", ("x", "bins"), "the index of the bin each x falls in, for increasing `bins`: i with "
       "bins[i-1] <= x < bins[i], or bins[i-1] < x <= bins[i] with `right` (NumPy's meaning; torch.bucketize's "
       "`right` means the opposite side)", _digitize,
       attrs={"right": Attr("bool", reference=False, doc="which side of a bin edge is closed; the reference: left")},
       conventions="x equal to an edge goes to the bin that edge opens (right=False); NaN goes past the last bin",
       torch=call("torch.bucketize", args=("x", "bins"), right="right"),
       tensorflow=call("keras.ops.digitize"), jax=call("jnp.digitize", right="right")),
    op("bucketize", "indexing", ("x", "boundaries"), "the bucket of each x between increasing `boundaries`, torch's "
       "meaning: i with boundaries[i-1] < x <= boundaries[i] (right=False), or boundaries[i-1] <= x < boundaries[i] "
       "(right), the opposite of NumPy's digitize; TensorFlow and JAX users write searchsorted(boundaries, x) with "
       "side left (right=False) or right, whose arguments come the other way round",
       lambda r, x, boundaries, right: r.xp.searchsorted(boundaries, x, side="right" if right else "left"),
       attrs={"right": Attr("bool", reference=False, doc="which side of a boundary is closed; the reference: "
                                                         "torch's default, open on the left")},
       conventions="x equal to a boundary goes to the bucket that boundary closes (right=False); NaN goes past the "
                   "last boundary",
       torch=call("torch.bucketize", args=("x", "boundaries"), right="right"),
       tensorflow=call("tf.searchsorted", args=("boundaries", "x"), right=SIDE),
       jax=call("jnp.searchsorted", args=("boundaries", "x"), right=SIDE)),
    op("argsort", "indexing", "x", "the indices that sort x along `axis` (the last when unpinned), ascending unless "
       "`descending`; `stable` unpinned: torch and tf unstable, jnp stable",
       lambda r, x, axis, stable, descending: _order(r, x, axis, bool(descending)),
       attrs={"axis": Attr("axis", reference=-1), "stable": Attr("bool", reference=True),
              "descending": _DESCENDING},
       conventions="stable: ties keep their input order, descending too; NaN is the largest value",
       torch=call("torch.argsort", axis="dim", stable="stable", descending="descending"),
       tensorflow=call("tf.argsort", axis="axis", stable="stable", descending=_DIRECTION),
       jax=call("jnp.argsort", axis="axis", stable="stable", descending="descending")),
    op("unique_values", "indexing", "x", "the distinct values of x, flattened, sorted ascending", _unique,
       alternatives=("first_occurrence_order",),
       torch=call("torch.unique"), tensorflow=call("tf.unique", pick="y"), jax=call("jnp.unique")),
    op("unique_counts", "indexing", "x", "how often each distinct value occurs, in the order of `unique_values` (sorted)",
       lambda r, x: _unique(r, x, counts=True), alternatives=("first_occurrence_order",),
       torch=call("torch.unique", fixed={"return_counts": fix(True, COUNTS)}, pick=1),
       tensorflow=call("tf.unique_with_counts", pick="count"),
       jax=call("jnp.unique", fixed={"return_counts": fix(True, COUNTS)}, pick=1)),
    op("searchsorted", "indexing", "sorted_sequence values", "for each value, the insertion index into the 1-D "
       "ascending `sorted_sequence` that keeps it sorted: before equal elements (side=left) or after (right)",
       _searchsorted, attrs={"side": Attr("str", choices=("left", "right"), reference="left")},
       torch=call("torch.searchsorted", side="side"), tensorflow=call("tf.searchsorted", side="side"),
       jax=call("jnp.searchsorted", side="side")),
]


# ---- forms: the tensor method beside the function (`torch.topk(x, k)` / `x.topk(k)`), keras.ops beside tf
OPS = with_forms(OPS, "torch", "method", methods(
    OPS, "torch", "take take_along_axis:take_along_dim index_select narrow top_k_values:topk top_k_indices:topk sort "
                  "argsort unique_values:unique unique_counts:unique"))
OPS = with_forms(OPS, "jax", "method", methods(OPS, "jax", "take index_select:take sort argsort searchsorted"))
# no keras.ops form of sort: keras.ops.sort has no direction (descending) keyword
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(
    OPS, "tensorflow", "keras.ops", "top_k_values:top_k top_k_indices:top_k searchsorted"))


# ---- round two: counts, coordinates of nonzeros, gathers by coordinate tuples, order statistics

def _bincount(r: Any, x: Any, minlength: int) -> Any:
    """counts[i] = the number of entries equal to i, for i < max(max(x) + 1, minlength)."""
    values = r.concrete(x)
    if values.ndim != 1:
        raise ValueError(f"bincount takes a 1-D input, got {list(values.shape)}")
    if values.size and values.min() < 0:
        raise ValueError("bincount: the input must be non-negative")
    length = max(int(values.max()) + 1 if values.size else 0, minlength)
    xp = r.xp
    return xp.sum(xp.asarray(values)[:, None] == xp.arange(length)[None, :], axis=0).astype(xp.int64)


def _argwhere(r: Any, x: Any) -> Any:
    """The coordinates [K, ndim] of the nonzero (true) entries, in row-major order."""
    values = r.concrete(x)
    coords = np.stack(np.nonzero(values), axis=-1) if values.ndim else np.zeros((int(values != 0), 0), np.int64)
    return r.xp.asarray(coords.astype(np.int64))


def _gather_nd(r: Any, x: Any, indices: Any) -> Any:
    """out[j...] = x[indices[j..., 0], ..., indices[j..., m-1]] (then the remaining axes of x)."""
    coords = r.concrete(indices)
    depth = coords.shape[-1]
    if depth > x.ndim:
        raise ValueError(f"gather_nd: index depth {depth} exceeds the input's rank {x.ndim}")
    for axis in range(depth):
        r.check_indices("gather_nd", coords[..., axis], x.shape[axis])
    return x[tuple(np.moveaxis(coords, -1, 0))]


def _kthvalue(r: Any, x: Any, k: int, axis: int) -> Any:
    """The k-th smallest value (1-based) along `axis`, NaN ordered last."""
    size = x.shape[axis]
    if not 1 <= k <= size:
        raise IndexError(f"kthvalue: k = {k} outside [1, {size}]")
    return r.xp.take(r.xp.sort(x, axis=axis), k - 1, axis=axis)


OPS += [
    op("bincount", "indexing", (Arg("x", "int_tensor", "index"),), "counts of each non-negative integer: "
       "counts[i] = #(x == i), length max(max(x) + 1, minlength)", _bincount,
       attrs={"minlength": Attr("int", reference=0, low=0, doc="the least length; the reference uses 0 when unpinned")},
       conventions="a negative entry raises (ValueError); the counts are int64",
       torch=call("torch.bincount", minlength="minlength"), tensorflow=call("tf.math.bincount", minlength="minlength"),
       jax=call("jnp.bincount", minlength="minlength")),
    op("argwhere", "indexing", "x", "the coordinates of the nonzero entries, one row per entry [K, ndim], row-major",
       _argwhere, conventions="NaN is nonzero; the coordinates are int64",
       torch=call("torch.argwhere"), tensorflow=call("tf.where"), jax=call("jnp.argwhere")),
    op("gather_nd", "indexing", ("x", IDX), "the entries (or slices) of x at coordinate tuples along the last axis of "
       "`indices`: out[j...] = x[indices[j..., 0], ..., indices[j..., m-1]]", _gather_nd,
       conventions="an out-of-range coordinate raises (IndexError)", alternatives=INDEX_ALTS,
       torch=expression("x[indices.unbind(-1)]"), tensorflow=call("tf.gather_nd"),
       jax=expression("x[jnp.unstack(indices, axis=axis)]",
                      fixed={"axis": fix(-1, "the coordinate tuples run along the last axis of indices")})),
    op("kthvalue", "indexing", "x", "the k-th smallest value (k from 1) along `axis`", _kthvalue,
       attrs={"k": Attr("int", REQUIRED, low=1), "axis": Attr("axis", reference=-1, doc="the reference uses the last "
                                                                                       "axis when unpinned")},
       conventions="NaN sorts last (greater than +inf); k outside [1, size] raises (IndexError)",
       torch=call("torch.kthvalue", k=kw("k", positional=True), axis="dim", pick="values"),
       tensorflow=none("tf.math and keras.ops have no k-th order statistic (users negate tf.math.top_k)"),
       jax=none("jax.numpy has no k-th order statistic (users take jnp.sort(x)[..., k - 1] or jnp.partition)")),
]


# ---- round two: coordinate puts, masked scatters, product scatters, fixed-width histograms

def _index_put(r: Any, x: Any, indices: Any, updates: Any, accumulate: bool) -> Any:
    """x with the entries (or slices) at the coordinate rows of `indices` [K, d] set to (accumulate: increased by)
    updates[k]; duplicates: the last write wins, or every update adds when accumulating."""
    from oracle.ops.refctx import ShapeMismatch

    coords = np.asarray(r.concrete(indices)).astype(np.int64)
    if coords.ndim != 2 or coords.shape[1] > x.ndim:
        raise ShapeMismatch(f"index_put needs indices [K, d] with d <= {x.ndim}, got {list(coords.shape)}")
    depth, xp = coords.shape[1], r.xp
    lead, rest = tuple(x.shape[:depth]), tuple(x.shape[depth:])
    if tuple(updates.shape) != (coords.shape[0],) + rest:
        raise ShapeMismatch(f"index_put needs updates of shape [K] + x.shape[d:] = {[coords.shape[0], *rest]}, got "
                            f"{list(updates.shape)}")
    for axis in range(depth):
        r.check_indices("index_put", coords[:, axis], lead[axis])
    flat_index = np.ravel_multi_index(tuple(np.where(coords < 0, coords + np.array(lead), coords).T), lead) \
        if coords.size else np.zeros(0, np.int64)
    size = int(np.prod(lead))
    out = xp.reshape(x, (size,) + rest)
    order = list(range(len(flat_index)))
    if not accumulate and len(set(flat_index.tolist())) < len(order) and r.follows("first_update_wins"):
        order.reverse()
        r.note("index_put: the first of duplicate coordinates won")
    rows = xp.arange(size).reshape((size,) + (1,) * len(rest))
    for k in order:
        hit = rows == int(flat_index[k])
        out = xp.where(hit, out + updates[k] if accumulate else updates[k], out)
    return xp.reshape(out, x.shape)


def _masked_scatter(r: Any, x: Any, mask: Any, source: Any) -> Any:
    """The true positions of `mask` (row-major) take source's elements in order (source read flattened)."""
    from oracle.ops.refctx import ShapeMismatch

    where = np.asarray(r.concrete(mask)).astype(bool)
    if where.shape != tuple(x.shape):
        raise ShapeMismatch(f"masked_scatter needs a mask of x's shape {list(x.shape)}, got {list(where.shape)}")
    flat_mask = where.reshape(-1)
    count = int(flat_mask.sum())
    if count > source.size:
        raise ValueError(f"masked_scatter: {count} true positions but source has {source.size} elements")
    take = np.zeros(flat_mask.size, np.int64)
    take[flat_mask] = np.arange(count)
    xp = r.xp
    filled = xp.reshape(source, (-1,))[xp.asarray(take)] if source.size else xp.zeros(flat_mask.size, x.dtype)
    return xp.reshape(xp.where(xp.asarray(flat_mask), filled, xp.reshape(x, (-1,))), x.shape)


def _scatter_mul(r, x, indices, updates):  # type: ignore[no-untyped-def]
    """Row indices[i] of axis 0 is multiplied by every update aimed at it (x itself is a factor)."""
    from oracle.ops.refctx import ShapeMismatch

    if tuple(updates.shape) != tuple(indices.shape) + tuple(x.shape[1:]):
        raise ShapeMismatch(f"scatter_mul needs updates of shape indices.shape + x.shape[1:] = "
                            f"{list(indices.shape) + list(x.shape[1:])}, got {list(updates.shape)}")
    n, xp = x.shape[0], r.xp
    keep = _in_range(r, "scatter_mul", indices, n)
    idx = np.asarray(r.concrete(indices)).astype(np.int64).reshape(-1)
    flat = xp.reshape(updates, (-1, *x.shape[1:]))
    factor = xp.ones_like(x)
    rows = xp.arange(n).reshape((n,) + (1,) * (x.ndim - 1))
    for k in np.flatnonzero(keep):
        factor = xp.where(rows == int(idx[k] % n), factor * flat[k], factor)
    return x * factor


def _histogram(r: Any, x: Any, bins: int, low: float, high: float) -> Any:
    """Counts in `bins` equal-width bins over [low, high]; the last bin is closed; values outside it and NaN are
    not counted."""
    if not high > low:
        raise ValueError(f"histogram: the range needs low < high, got [{low}, {high}]")
    values = np.asarray(r.concrete(x), dtype=np.float64).reshape(-1)
    inside = (values >= low) & (values <= high)
    position = np.floor((values[inside] - low) / (high - low) * bins).astype(np.int64)
    position = np.minimum(position, bins - 1)  # the value `high` falls in the last bin
    xp = r.xp
    return xp.sum(xp.asarray(position)[:, None] == xp.arange(bins)[None, :], axis=0).astype(xp.float64)


_ACCUMULATE = Attr("bool", False, doc="false (put) is the op's meaning and is passed when unpinned; true adds")
_COORDS = fix(-1, "the coordinate tuples run along the last axis of indices")

OPS += [
    op("index_put", "indexing", ("x", IDX, "updates"), "a copy of x whose entries (or slices) at the coordinate rows "
       "of indices [K, d] are set to updates[k] (accumulate: increased by them); updates has shape [K] + x.shape[d:]",
       _index_put, attrs={"accumulate": _ACCUMULATE}, alternatives=("first_update_wins",),
       conventions="duplicate coordinates: the last update wins (accumulate: every update adds); a coordinate outside "
                   "[-n, n) raises IndexError",
       torch=expression("x.index_put(indices.unbind(-1), updates, accumulate=accumulate)"),
       tensorflow=switch("accumulate", **{"False": expression("tf.tensor_scatter_nd_update(x, indices, updates)"),
                                          "True": expression("tf.tensor_scatter_nd_add(x, indices, updates)")}),
       jax=switch("accumulate", **{
           "False": expression("x.at[jnp.unstack(indices, axis=axis)].set(updates)", fixed={"axis": _COORDS}),
           "True": expression("x.at[jnp.unstack(indices, axis=axis)].add(updates)", fixed={"axis": _COORDS})})),
    op("masked_scatter", "indexing", ("x", Arg("mask", "int_tensor", "binary"), "source"),
       "a copy of x whose true mask positions (row-major) take source's elements in order", _masked_scatter,
       conventions="the mask has x's shape; fewer source elements than true positions raises (ValueError)",
       torch=method("masked_scatter", args=("x", "mask", "source")),
       tensorflow=none("tf has no masked scatter (users write tf.tensor_scatter_nd_update(x, tf.where(mask), "
                       "source[:count]))"),
       jax=none("jax.numpy has no masked scatter: the number of positions depends on the mask's values (users write "
                "x.at[jnp.nonzero(mask)].set(source[:count]) outside jit)")),
    op("scatter_mul", "indexing", ("x", IDX, "updates"), "a copy of x whose row indices[i] of axis 0 is multiplied "
       "by every update aimed at it (duplicates multiply in); updates has shape indices.shape + x.shape[1:]",
       _scatter_mul, conventions="x itself is a factor (torch's include_self=True); an index outside [-n, n) "
                                 "raises IndexError", alternatives=("drop_out_of_range",),
       torch=method("scatter_reduce", args=("x", 0, "indices", "updates"),
                    fixed={"reduce": fix("prod", "the reduction is an argument of scatter_reduce; the op is the "
                                                 "product (include_self left to torch)")}),
       tensorflow=none("tf has tensor_scatter_nd_update/add/sub/min/max but no multiplying scatter"),
       jax=expression("x.at[indices].multiply(updates)")),
    op("histogram", "indexing", "x", "counts in `bins` equal-width bins over [low, high]; the last bin includes high",
       _histogram,
       attrs={"bins": Attr("int", REQUIRED, low=1), "low": Attr("float", REQUIRED), "high": Attr("float", REQUIRED)},
       conventions="values outside [low, high] and NaN are not counted; the counts are float64",
       torch=call("torch.histc", bins="bins", low="min", high="max"),
       tensorflow=expression("tf.histogram_fixed_width(x, [low, high], nbins=bins)"),
       jax=expression("jnp.histogram(x, bins=bins, range=(low, high))[0]")),
]
