"""The TensorFlow column's custom bindings of the indexing family (oracle/ops/indexing.py)."""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf


def _slice_axis(x: Any, start: int, length: int, axis: int) -> Any:
    """tf.slice takes a begin and a size for every axis: the whole of the others."""
    begin, size = [0] * x.shape.rank, [-1] * x.shape.rank
    begin[axis], size[axis] = start, length
    return tf.slice(x, begin, size)


CUSTOM: dict[str, Callable[..., Any]] = {"slice_axis": _slice_axis}
