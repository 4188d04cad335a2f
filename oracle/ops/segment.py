"""Segment reductions and masked fills: values grouped by an integer id per row, or replaced where a mask holds.

Segment ids index rows of `data` (axis 0); `num_segments` sets the output length (max id + 1 when unpinned).
What an empty segment gives is where frameworks part ways, so each op states its reference's choice.
"""

from __future__ import annotations

from typing import Any

from oracle.ops.spec import REQUIRED, Arg, Attr, call, method, none, op

NUM_SEGMENTS = Attr("int", nullable=True, low=0, reference=None,
                    doc="the output's length; the reference uses max(segment_ids) + 1 when unpinned")
IDS = Arg("segment_ids", "int_tensor", "index")
NO_TORCH = ("torch has no segment reduction by ids (torch.segment_reduce takes lengths or offsets of sorted "
            "segments); users write scatter_reduce")


def _segments(r: Any, data: Any, segment_ids: Any, num_segments: int | None) -> tuple[Any, int]:
    """A [num_segments, n] membership mask (ids outside [0, num_segments) belong to none) and the count."""
    ids = r.concrete(segment_ids)
    count = int(ids.max()) + 1 if num_segments is None and ids.size else (num_segments or 0)
    member = r.xp.arange(count)[:, None] == r.xp.asarray(ids)[None, :]
    return member, count


def _rows_of(r: Any, data: Any, segment_ids: Any, num_segments: int | None, fill: float) -> Any:
    """[num_segments, n, ...]: data's rows where they belong to the segment, `fill` (the reduction's identity) elsewhere."""
    member, _ = _segments(r, data, segment_ids, num_segments)
    return r.xp.where(member.reshape(member.shape + (1,) * (data.ndim - 1)), data[None], fill)


def _segment_sum(r: Any, data: Any, segment_ids: Any, num_segments: int | None) -> Any:
    return r.xp.sum(_rows_of(r, data, segment_ids, num_segments, 0.0), axis=1)


def _segment_max(r: Any, data: Any, segment_ids: Any, num_segments: int | None) -> Any:
    return r.xp.max(_rows_of(r, data, segment_ids, num_segments, -r.xp.inf), axis=1, initial=-r.xp.inf)


def _segment_min(r: Any, data: Any, segment_ids: Any, num_segments: int | None) -> Any:
    return r.xp.min(_rows_of(r, data, segment_ids, num_segments, r.xp.inf), axis=1, initial=r.xp.inf)


def _segment_prod(r: Any, data: Any, segment_ids: Any, num_segments: int | None) -> Any:
    return r.xp.prod(_rows_of(r, data, segment_ids, num_segments, 1.0), axis=1)


def _segment_mean(r: Any, data: Any, segment_ids: Any, num_segments: int | None) -> Any:
    """The segment's sum over its row count; an empty segment is 0 / 0."""
    member, _ = _segments(r, data, segment_ids, num_segments)
    count = r.xp.sum(member, axis=1).reshape((member.shape[0],) + (1,) * (data.ndim - 1))
    return _segment_sum(r, data, segment_ids, num_segments) / count


def _masked_fill(r: Any, x: Any, mask: Any, value: Any) -> Any:
    if str(mask.dtype) != "bool":
        raise TypeError(f"masked_fill: the mask must be boolean, got {mask.dtype}")
    return r.xp.where(mask, value, x)


OPS = [
    op("segment_sum", "segment", ("data", IDS), "out[i] = sum of the rows of data whose segment id is i",
       _segment_sum, attrs={"num_segments": NUM_SEGMENTS},
       conventions="an empty segment sums to 0; ids need not be sorted; an id outside [0, num_segments) is dropped",
       torch=none("torch has no segment reduction by ids (torch.segment_reduce takes lengths); users write "
                  "index_add (see scatter_add)"),
       tensorflow=call("tf.math.segment_sum"),
       jax=call("jax.ops.segment_sum", num_segments="num_segments")),
    op("segment_max", "segment", ("data", IDS), "out[i] = max of the rows of data whose segment id is i",
       _segment_max, attrs={"num_segments": NUM_SEGMENTS},
       conventions="an empty segment gives -inf, the identity of max (tf.math.segment_max documents 0, "
                   "jax.ops.segment_max the dtype's lowest value); ids need not be sorted",
       torch=none("torch has no segment reduction by ids (torch.segment_reduce takes lengths); users write "
                  "scatter_reduce"),
       tensorflow=call("tf.math.segment_max"),
       jax=call("jax.ops.segment_max", num_segments="num_segments")),
    op("segment_min", "segment", ("data", IDS), "out[i] = min of the rows of data whose segment id is i",
       _segment_min, attrs={"num_segments": NUM_SEGMENTS},
       conventions="an empty segment gives +inf, the identity of min (tf.math.segment_min documents 0, "
                   "jax.ops.segment_min the dtype's highest value); ids need not be sorted; NaN propagates",
       torch=none(NO_TORCH),
       tensorflow=call("tf.math.segment_min"),
       jax=call("jax.ops.segment_min", num_segments="num_segments")),
    op("segment_prod", "segment", ("data", IDS), "out[i] = product of the rows of data whose segment id is i",
       _segment_prod, attrs={"num_segments": NUM_SEGMENTS},
       conventions="an empty segment gives 1, the identity of the product; ids need not be sorted",
       torch=none(NO_TORCH),
       tensorflow=call("tf.math.segment_prod"),
       jax=call("jax.ops.segment_prod", num_segments="num_segments")),
    op("segment_mean", "segment", ("data", IDS), "out[i] = mean of the rows of data whose segment id is i",
       _segment_mean, attrs={"num_segments": NUM_SEGMENTS},
       conventions="an empty segment's mean is 0 / 0, NaN (tf.math.segment_mean documents 0); ids need not be "
                   "sorted",
       torch=none(NO_TORCH),
       tensorflow=call("tf.math.segment_mean"),
       jax=none("jax.ops has segment_sum, segment_max, segment_min and segment_prod, no segment_mean; users "
                "divide two segment_sums")),
    op("unsorted_segment_sum", "segment", ("data", IDS), "out[i] = sum of the rows of data whose segment id is "
       "i, for i in [0, num_segments): ids in any order; a row whose id is negative or >= num_segments is dropped",
       _segment_sum, attrs={"num_segments": Attr("int", REQUIRED, low=0)},
       conventions="an empty segment sums to 0; an id outside [0, num_segments) is dropped",
       torch=none(NO_TORCH),
       tensorflow=call("tf.math.unsorted_segment_sum", num_segments="num_segments"),
       jax=call("jax.ops.segment_sum", num_segments="num_segments")),
    op("masked_fill", "segment", ("x", Arg("mask", "int_tensor", "binary"), Arg("value", "scalar")),
       "x with `value` where mask is true (mask broadcast against x)",
       _masked_fill,
       conventions="the gradient is 0 where the mask holds and 1 elsewhere",
       torch=method("masked_fill", args=("x", "mask", "value")),
       tensorflow=call("tf.where", args=("mask", "value", "x")),
       jax=call("jnp.where", args=("mask", "value", "x"))),
]
