"""Reductions and statistics. Axis and keepdims are left to each framework unless the case pins them."""

from __future__ import annotations

from oracle.ops.spec import Attr, op, call

AXIS = Attr("axes", nullable=True, reference=None, doc="axis or axes to reduce; the reference reduces all when unpinned")
KEEPDIMS = Attr("bool", reference=False, doc="keep reduced axes as size 1")

OPS = [
    op("sum", "reduction", "x", "sum over `axis` (all axes when unpinned or null)",
       lambda r, x, axis, keepdims: r.xp.sum(x, axis=r.axis(axis), keepdims=keepdims),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.sum", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_sum", axis="axis", keepdims="keepdims"),
       jax=call("jnp.sum", axis="axis", keepdims="keepdims")),
    op("mean", "reduction", "x", "arithmetic mean over `axis` (all axes when unpinned or null)",
       lambda r, x, axis, keepdims: r.xp.mean(x, axis=r.axis(axis), keepdims=keepdims),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.mean", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_mean", axis="axis", keepdims="keepdims"),
       jax=call("jnp.mean", axis="axis", keepdims="keepdims")),
]
