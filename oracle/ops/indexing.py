"""Indexing and scatter."""

from __future__ import annotations

from oracle.ops.spec import Arg, custom, method, op


def _scatter_add(r, x, indices, updates):  # type: ignore[no-untyped-def]
    n = x.shape[0]
    r.check_indices("scatter_add", indices, n)
    rows = r.xp.eye(n, dtype=x.dtype)[indices % n]  # [k, n]: one row per update
    return x + r.xp.tensordot(rows, updates, axes=([0], [0]))


OPS = [
    op("scatter_add", "indexing", ("x", Arg("indices", "int_tensor", "index"), "updates"),
       "a copy of x with updates[i] added to row indices[i] of axis 0; duplicate indices accumulate",
       _scatter_add, conventions="an index outside [-n, n) raises IndexError",
       torch=method("index_add", args=("x", 0, "indices", "updates")),
       tensorflow=custom("scatter_add_rows", "tf.tensor_scatter_nd_add({x}, tf.expand_dims({indices}, -1), {updates})"),
       jax=custom("at_add", "{x}.at[{indices}].add({updates})")),
]
