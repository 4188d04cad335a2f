"""The torch column's pooling layers (oracle/ops/pool_layers.py): torch.nn.MaxPoolNd / AvgPoolNd modules on the
channels-last input moved to channels-first and back."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from oracle.request import Unsupported


def _pool(cls: str, x: Any, pool_size: int, strides: int | None = None, padding: str = "valid") -> Any:
    """torch.nn.<cls>Nd picked by x's rank, channels-first around the call."""
    nd = len(x.shape) - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"a pooling layer needs x of rank 3 to 5, got {len(x.shape)}")
    if padding == "same":
        raise Unsupported(f"torch.nn.{cls}{nd}d takes integer padding only (at most half the window), no 'same'")
    options = {} if strides is None else {"stride": strides}  # unpinned: torch's own default
    return getattr(torch.nn, f"{cls}{nd}d")(pool_size, **options)(x.movedim(-1, 1)).movedim(1, -1)


CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_max_pool_layer": functools.partial(_pool, "MaxPool"),
    "torch_avg_pool_layer": functools.partial(_pool, "AvgPool"),
}
