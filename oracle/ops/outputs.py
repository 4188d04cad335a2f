"""Ops with several results, unpacked in a step (`values, indices = top_k(x, k=2)`), and list results
(`parts = split(x, 2)`, observed as parts.0, parts.1, ... and parts.count). Each result is what the
framework returns, unpacked as Python unpacks it (a tuple, a named tuple, a list), so an API that
orders its results differently, or returns another count, shows as a difference."""

from __future__ import annotations

import itertools
from typing import Any

from oracle.ops.indexing import _order
from oracle.ops.spec import REQUIRED, Arg, Attr, call, fix, methods, op, with_forms


def _top_k(r: Any, x: Any, k: int) -> tuple[Any, Any]:
    """top_k_values and top_k_indices together: one order (NaN the largest, ties the lower index first)."""
    order = _order(r, x, -1, descending=True)[..., :k]
    return r.xp.take_along_axis(x, order, axis=-1), order


def _split(r: Any, x: Any, sections: int | list[int]) -> list[Any]:
    if isinstance(sections, int):
        return list(r.xp.split(x, sections))
    if sum(sections) != x.shape[0] or any(size < 0 for size in sections):
        raise ValueError(f"split sizes {sections} do not add up to the axis length {x.shape[0]}")
    return list(r.xp.split(x, list(itertools.accumulate(sections))[:-1]))  # sizes -> cut points


def _unique(r: Any, x: Any) -> tuple[Any, Any, Any]:
    values, inverse, counts = r.xp.unique(r.concrete(x), return_inverse=True, return_counts=True)
    return values, inverse.reshape(x.shape), counts


ALL3 = "the op has three results: the values, each element's index in them, the counts"

OPS = [
    op("top_k", "indexing", "x", "the k largest values along the last axis, in descending order, and "
       "their indices", _top_k, attrs={"k": Attr("int", REQUIRED, low=1, doc="how many")},
       conventions="ties: the lower index first; NaN is the largest value", outputs=("values", "indices"),
       torch=call("torch.topk", k="k"), tensorflow=call("tf.math.top_k", k="k"), jax=call("jax.lax.top_k", k="k")),
    op("qr", "linalg", "a", "the reduced QR decomposition a = q @ r (q [m, k], r [k, n], k = min(m, n))",
       lambda r, a: tuple(r.xp.linalg.qr(a)), conventions="signs of q's columns and r's rows are the LAPACK ones",
       outputs=("q", "r"),
       torch=call("torch.linalg.qr"), tensorflow=call("tf.linalg.qr"), jax=call("jnp.linalg.qr")),
    op("unique", "indexing", "x", "the sorted distinct values of x, the index of each element's value in "
       "them (shaped as x) and each value's count", _unique, outputs=("values", "inverse", "counts"),
       torch=call("torch.unique", fixed={"return_inverse": fix(True, ALL3), "return_counts": fix(True, ALL3)}),
       tensorflow=call("tf.unique_with_counts"),
       jax=call("jnp.unique", fixed={"return_inverse": fix(True, ALL3), "return_counts": fix(True, ALL3)})),
    op("split", "shape", ("x", Arg("sections", "scalar")),
       "x cut along axis 0 into `sections` equal parts (an integer, the NumPy meaning), or into parts of the "
       "given sizes (a list, as torch.split and tf.split read it; jnp.split reads a list as cut indices)",
       _split, outputs=("*",),
       conventions="an integer that does not divide the axis raises; sizes that do not add up to the axis raise",
       torch=call("torch.split"), tensorflow=call("tf.split"), jax=call("jnp.split")),
]

# ---- forms: the tensor method beside the function (`torch.topk(x, k)` / `x.topk(k)`)
OPS = with_forms(OPS, "torch", "method", methods(OPS, "torch", "top_k:topk unique split"))
