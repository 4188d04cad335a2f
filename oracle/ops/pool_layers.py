"""Pooling layers, channels-last as Keras and flax build them (x [batch, *spatial, channels]); torch's modules are
channels-first, so its binding moves the channel axis in and out. One op per reduction serves 1-, 2- and 3-D
inputs (the rank says which layer: MaxPooling1D/2D/3D, MaxPool1d/2d/3d)."""

from __future__ import annotations

import itertools
from typing import Any

from oracle.ops.conv import _same
from oracle.ops.spec import FRAMEWORK, REQUIRED, Attr, custom, fix, op


def _pool(r: Any, x: Any, pool_size: int, strides: int | None, padding: str, reduce: str) -> Any:
    """Windows of pool_size per spatial axis every `strides` (pool_size when unpinned); 'same' gives
    ceil(n / strides) windows, the odd unit of padding at the end, and padded positions take no part (a max over
    the real elements, an average over their count)."""
    xp, nd = r.xp, x.ndim - 2
    s = strides or pool_size
    size = x.shape[1:-1]
    if padding == "same":
        pads = [(t // 2, t - t // 2) for t in (_same(n, pool_size, s) for n in size)]
    else:
        pads = [(0, 0)] * nd
    outs = [(n + lo + hi - pool_size) // s + 1 for n, (lo, hi) in zip(size, pads)]
    rows = []
    for pos in itertools.product(*map(range, outs)):
        window = tuple(slice(max(p * s - lo, 0), min(p * s - lo + pool_size, n))
                       for p, (lo, _), n in zip(pos, pads, size))
        patch = x[(slice(None), *window, slice(None))]
        axes = tuple(range(1, nd + 1))
        rows.append(xp.max(patch, axis=axes) if reduce == "max" else xp.mean(patch, axis=axes))
    return xp.stack(rows, axis=1).reshape(x.shape[0], *outs, x.shape[-1])


_ATTRS = {"pool_size": Attr("int", REQUIRED, low=1),
          "strides": Attr("int", FRAMEWORK, low=1, nullable=True, reference=None,
                          doc="the reference: pool_size when unpinned (torch's and Keras' rule; flax.linen's pools "
                              "stride 1)"),
          "padding": Attr("str", "valid", choices=("valid", "same"),
                          doc="torch's pooling modules take integer padding only: 'same' is unsupported there")}
_CHANNELS_FIRST = fix(True, "torch's modules are channels-first: x is moved to [N, C, *S] and back")


def _pool_op(reduce: str, torch_cls: str, keras_cls: str, flax_fn: str, doc: str, conventions: str) -> Any:
    name = f"{reduce}_pool_layer"
    return op(
        name, "layers", "x", doc,
        lambda r, x, pool_size, strides=None, padding="valid": _pool(r, x, pool_size, strides, padding, reduce),
        attrs=_ATTRS, conventions=conventions,
        torch=custom(f"torch_{name}", f"torch.nn.{torch_cls}1d/2d/3d({{pool_size}}, stride={{strides}})"
                     "({x}.movedim(-1, 1)).movedim(1, -1)", fixed={"channels_first": _CHANNELS_FIRST}),
        tensorflow=custom(f"keras_{name}", f"keras.layers.{keras_cls}1D/2D/3D({{pool_size}}, strides={{strides}}, "
                          "padding={padding})({x})"),
        jax=custom(f"linen_{name}", f"flax.linen.{flax_fn}({{x}}, ({{pool_size}},) * spatial axes, "
                   "strides={strides} per axis, padding={padding}.upper())"))


OPS = [
    _pool_op("max", "MaxPool", "MaxPooling", "max_pool", "max pooling layer (channels-last, 1-3 spatial axes)",
             "'same' windows take the maximum of their real elements"),
    _pool_op("avg", "AvgPool", "AveragePooling", "avg_pool", "average pooling layer (channels-last, 1-3 spatial axes)",
             "'same' windows average their real elements only (padding not counted)"),
]
