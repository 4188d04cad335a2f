"""The torch column's custom bindings of the shape family (oracle/ops/shape.py)."""

from __future__ import annotations

from typing import Any, Callable

import torch


def _pad_pairs(x: Any, pad_width: Any, mode: str | None = None) -> Any:
    """F.pad takes a flat list that starts from the LAST axis: [[b0, a0], [b1, a1]] -> [b1, a1, b0, a0]."""
    flat = [p for pair in reversed(pad_width) for p in pair]
    if mode is None:
        return torch.nn.functional.pad(x, flat)
    return torch.nn.functional.pad(x, flat, mode={"edge": "replicate"}.get(mode, mode))


def _band_part(x: Any, num_lower: int, num_upper: int) -> Any:
    """tf.linalg.band_part as torch users write it: triu keeps num_lower subdiagonals, tril num_upper
    superdiagonals; a negative count keeps that whole triangle, so its call is left out."""
    kept = x if num_lower < 0 else torch.triu(x, -num_lower)
    return kept if num_upper < 0 else torch.tril(kept, num_upper)


CUSTOM: dict[str, Callable[..., Any]] = {"pad_pairs": _pad_pairs, "band_part_tril_triu": _band_part}
