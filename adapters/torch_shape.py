"""The torch column's custom bindings of the shape family (oracle/ops/shape.py)."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from adapters.band import band_part


def _pad_pairs(x: Any, pad_width: Any, mode: str | None = None) -> Any:
    """F.pad takes a flat list that starts from the LAST axis: [[b0, a0], [b1, a1]] -> [b1, a1, b0, a0]."""
    flat = [p for pair in reversed(pad_width) for p in pair]
    if mode is None:
        return torch.nn.functional.pad(x, flat)
    return torch.nn.functional.pad(x, flat, mode={"edge": "replicate"}.get(mode, mode))


CUSTOM: dict[str, Callable[..., Any]] = {"pad_pairs": _pad_pairs,
                                         "band_part_tril_triu": functools.partial(band_part, "torch")}
