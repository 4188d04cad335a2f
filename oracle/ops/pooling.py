"""Pooling, round two: 3-D max and average pooling, 1-D adaptive average pooling (channels first, torch's layout).

The 3-D pools share the window formulas of the 2-D and 1-D ones (oracle/ops/conv.py), which read the rank;
TensorFlow and JAX pool channels-last, so their bindings are the same adapter functions as the 2-D ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.ops.conv import (
    AVG_POOL_ATTRS,
    AVG_POOL_TORCH,
    CF,
    MAX_POOL_ATTRS,
    MAX_POOL_TIES,
    MAX_POOL_TORCH,
    _avg_pool,
    _bins,
    _max_pool,
)
from oracle.ops.spec import REQUIRED, Attr, call, custom, none, op, retarget, with_forms


def _rank(name: str, pool: Any, spatial: int) -> Any:
    def formula(r: Any, x: Any, **attrs: Any) -> Any:
        if x.ndim != spatial + 2:
            raise ValueError(f"{name} needs x of rank {spatial + 2} [N, C, ...], got {x.ndim}")
        return pool(r, x, **attrs)
    return formula


def _adaptive_avg1d(r: Any, x: Any, output_size: int) -> Any:
    """Bin i averages [floor(i L / out), ceil((i + 1) L / out)): a [out, L] averaging matrix applied to the length."""
    if x.ndim != 3:
        raise ValueError(f"adaptive_avg_pool1d needs x of rank 3 [N, C, L], got {x.ndim}")
    m = np.zeros((output_size, x.shape[2]))
    for i, (a, b) in enumerate(_bins(x.shape[2], output_size)):
        m[i, a:b] = 1.0 / (b - a)
    return r.xp.einsum("ncl,ol->nco", x, r.xp.asarray(m))


OPS = [
    op("max_pool3d", "conv", "x", "3-D max pooling of x [N,C,D,H,W] over kernel_size^3 windows, symmetric -inf "
       "padding; ceil_mode adds windows at the end that start inside the input or left padding",
       _rank("max_pool3d", _max_pool, 3), attrs=dict(MAX_POOL_ATTRS), conventions=MAX_POOL_TIES,
       torch=retarget(MAX_POOL_TORCH, "torch.nn.functional.max_pool3d"),
       tensorflow=custom("max_pool3d", "keras.ops.max_pool({x}, {kernel_size}, strides, padding='valid' if {padding} "
                         "== 0 else 'same', data_format='channels_first')", fixed=CF),
       jax=custom("max_pool3d", "flax.nnx.max_pool(NDHWC {x}, ({kernel_size},) * 3, strides, "
                  "padding=(({padding}, {padding}),) * 3)")),
    op("avg_pool3d", "conv", "x", "3-D average pooling of x [N,C,D,H,W]; with padding, count_include_pad divides by "
       "the whole window (zeros counted) or by the real elements only (the reference's choice when unpinned)",
       _rank("avg_pool3d", _avg_pool, 3), attrs=dict(AVG_POOL_ATTRS),
       torch=retarget(AVG_POOL_TORCH, "torch.nn.functional.avg_pool3d"),
       tensorflow=custom("avg_pool3d", "keras.ops.average_pool({x}, {kernel_size}, strides, padding='valid' if "
                         "{padding} == 0 else 'same', data_format='channels_first')", fixed=CF),
       jax=custom("avg_pool3d", "flax.nnx.avg_pool(NDHWC {x}, ({kernel_size},) * 3, strides, "
                  "padding=(({padding}, {padding}),) * 3, count_include_pad=...)")),
    op("adaptive_avg_pool1d", "conv", "x", "adaptive average pooling of x [N,C,L] to output_size: bin i covers "
       "[floor(i L / out), ceil((i + 1) L / out)) (bins overlap where out does not divide L)", _adaptive_avg1d,
       attrs={"output_size": Attr("int", REQUIRED, low=1)},
       torch=call("torch.nn.functional.adaptive_avg_pool1d", output_size="output_size"),
       tensorflow=call("keras.ops.adaptive_average_pool", fixed=CF, output_size="output_size"),
       jax=none("neither jax.numpy, jax.nn, jax.lax nor flax.nnx has adaptive pooling")),
]

# ---- forms: torch's pooling modules beside their functions (`F.max_pool3d(x, 2)` / `nn.MaxPool3d(2)(x)`)
_TORCH = {d.name: d.torch for d in OPS}
OPS = with_forms(OPS, "torch", "module", {name: retarget(_TORCH[name], f"torch.nn.{cls}", kind="construct")
                                          for name, cls in (("max_pool3d", "MaxPool3d"), ("avg_pool3d", "AvgPool3d"),
                                                            ("adaptive_avg_pool1d", "AdaptiveAvgPool1d"))})
