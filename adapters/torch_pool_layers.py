"""The torch column's pooling layers (oracle/ops/pool_layers.py): torch.nn.MaxPoolNd / AvgPoolNd modules on the
channels-last input moved to channels-first and back (adapters/torch_layers.py's `layer`, run on the data below)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.layer_spec import Layer
from adapters.torch_layers import layer


def _pool(cls: str) -> Layer:
    """torch.nn.<cls>Nd picked by x's rank, channels-first around the call."""
    return Layer("x", f"torch.nn.{cls}{{nd}}d(pool_size, stride=strides)(x.movedim(-1, 1)).movedim(1, -1)",
                 rank="a pooling layer needs x of rank 3 to 5, got {rank}",
                 refuse=(("padding", "same", f"torch.nn.{cls}{{nd}}d takes integer padding only (at most half the "
                          "window), no 'same'"),))


CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_max_pool_layer": functools.partial(layer, _pool("MaxPool")),
    "torch_avg_pool_layer": functools.partial(layer, _pool("AvgPool")),
}
