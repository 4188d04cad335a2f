"""Shape and layout: reshape, squeeze, expand_dims, ..."""

from __future__ import annotations

from oracle.ops.spec import REQUIRED, Attr, call, op

OPS = [
    op("reshape", "shape", "x", "the same elements in row-major order with shape `shape` (one -1 inferred)",
       lambda r, x, shape: r.xp.reshape(x, tuple(shape)), attrs={"shape": Attr("shape", REQUIRED)},
       torch=call("torch.reshape", shape="shape"), tensorflow=call("tf.reshape", shape="shape"),
       jax=call("jnp.reshape", shape="shape")),
    op("squeeze", "shape", "x", "drop size-1 axes: `axis` only, or every size-1 axis when unpinned",
       lambda r, x, axis: r.xp.squeeze(x, axis=r.axis(axis)),
       attrs={"axis": Attr("axes", nullable=True, reference=None)},
       torch=call("torch.squeeze", axis="dim"), tensorflow=call("tf.squeeze", axis="axis"),
       jax=call("jnp.squeeze", axis="axis")),
    op("expand_dims", "shape", "x", "insert a size-1 axis at `axis`",
       lambda r, x, axis: r.xp.expand_dims(x, axis), attrs={"axis": Attr("axis", REQUIRED)},
       torch=call("torch.unsqueeze", axis="dim"), tensorflow=call("tf.expand_dims", axis="axis"),
       jax=call("jnp.expand_dims", axis="axis")),
]
