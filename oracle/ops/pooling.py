"""Pooling, round two: 3-D max and average pooling, 1-D adaptive average pooling (channels first, torch's layout).

The 3-D pools share the window formulas of the 2-D and 1-D ones (oracle/ops/conv.py), which read the rank;
TensorFlow and JAX pool channels-last, so their bindings are the same adapter functions as the 2-D ones.
"""

from __future__ import annotations

from typing import Any

from oracle.ops.conv import (
    AVG_POOL_ATTRS,
    AVG_POOL_TORCH,
    CF,
    MAX_POOL_ATTRS,
    MAX_POOL_TIES,
    MAX_POOL_TORCH,
    NO_ADAPTIVE_JAX,
    _avg_pool,
    _bins,
    _max_pool,
    _windows,
)
from oracle.ops.spec import REQUIRED, Attr, call, custom, none, op, retarget, with_forms


def _rank(name: str, pool: Any, spatial: int) -> Any:
    def formula(r: Any, x: Any, **attrs: Any) -> Any:
        if x.ndim != spatial + 2:
            raise ValueError(f"{name} needs x of rank {spatial + 2} [N, C, ...], got {x.ndim}")
        return pool(r, x, **attrs)
    return formula


def _adaptive_avg1d(r: Any, x: Any, output_size: int) -> Any:
    """Bin i is the mean of x[..., floor(i L / out):ceil((i + 1) L / out)]: slices, not an averaging matrix, so an
    inf stays in its bins (0 * inf would spread NaN to the others)."""
    if x.ndim != 3:
        raise ValueError(f"adaptive_avg_pool1d needs x of rank 3 [N, C, L], got {x.ndim}")
    return r.xp.stack([r.xp.mean(x[:, :, a:b], axis=2) for a, b in _bins(x.shape[2], output_size)], axis=-1)


def _adaptive_max1d(r: Any, x: Any, output_size: int) -> Any:
    """Bin i (as adaptive_avg_pool1d's) takes the max of x[..., floor(i L / out):ceil((i + 1) L / out)]."""
    if x.ndim != 3:
        raise ValueError(f"adaptive_max_pool1d needs x of rank 3 [N, C, L], got {x.ndim}")
    return r.xp.stack([r.xp.max(x[:, :, a:b], axis=2) for a, b in _bins(x.shape[2], output_size)], axis=-1)


def _adaptive_avg3d(r: Any, x: Any, output_size: list[int]) -> Any:
    """The mean of each bin's block (bins per axis as adaptive_avg_pool1d's): slices, not an averaging matrix, so
    an inf stays in its bins (0 * inf would spread NaN to the others)."""
    if x.ndim != 5 or len(output_size) != 3:
        raise ValueError(f"adaptive_avg_pool3d needs x of rank 5 [N, C, D, H, W] and 3 output sizes, got rank "
                         f"{x.ndim} and {list(output_size)}")
    xp = r.xp
    d_bins, h_bins, w_bins = (_bins(size, out) for size, out in zip(x.shape[2:], output_size))
    return xp.stack([xp.stack([xp.stack([xp.mean(x[:, :, d0:d1, h0:h1, w0:w1], axis=(2, 3, 4)) for w0, w1 in w_bins],
                                        axis=-1) for h0, h1 in h_bins], axis=-2) for d0, d1 in d_bins], axis=-3)


def _lp_pool(spatial: int) -> Any:
    def formula(r: Any, x: Any, norm_type: float, kernel_size: int, stride: int | None, ceil_mode: bool) -> Any:
        """(sum of x^p over the window)^(1/p), no padding; a ceil_mode window at the end sums its real elements."""
        if x.ndim != spatial + 2:
            raise ValueError(f"lp_pool{spatial}d needs x of rank {spatial + 2} [N, C, ...], got {x.ndim}")
        total = sum(_windows(r, x ** norm_type, kernel_size, stride or kernel_size, 0, ceil_mode, 0.0))
        return total ** (1.0 / norm_type)
    return formula


LP_ATTRS = {"norm_type": Attr("float", REQUIRED), "kernel_size": Attr("int", REQUIRED, low=1),
            "stride": Attr("int", low=1, reference=None, nullable=True), "ceil_mode": Attr("bool", reference=False)}
LP_NONE = "the power-average pool is torch's only: tf.nn.pool and keras.ops pool by max or average, and neither " \
          "jax.lax nor flax.nnx has an Lp pool"

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
       jax=NO_ADAPTIVE_JAX),
    op("adaptive_max_pool1d", "conv", "x", "adaptive max pooling of x [N,C,L] to output_size (bins as "
       "adaptive_avg_pool1d's; they overlap where out does not divide L); NaN in a bin gives NaN", _adaptive_max1d,
       attrs={"output_size": Attr("int", REQUIRED, low=1)},
       torch=call("torch.nn.functional.adaptive_max_pool1d", output_size="output_size"),
       tensorflow=call("keras.ops.adaptive_max_pool", fixed=CF, output_size="output_size"),
       jax=NO_ADAPTIVE_JAX),
    op("adaptive_avg_pool3d", "conv", "x", "adaptive average pooling of x [N,C,D,H,W] to output_size [d, h, w] "
       "(bins per axis as adaptive_avg_pool1d's)", _adaptive_avg3d, attrs={"output_size": Attr("ints", REQUIRED)},
       torch=call("torch.nn.functional.adaptive_avg_pool3d", output_size="output_size"),
       tensorflow=call("keras.ops.adaptive_average_pool", fixed=CF, output_size="output_size"),
       jax=NO_ADAPTIVE_JAX),
    op("lp_pool1d", "conv", "x", "power-average pooling of x [N,C,L]: (sum of x^norm_type over each window)^(1 / "
       "norm_type), no padding, stride the window when unpinned; a negative sum with a fractional root is NaN",
       _lp_pool(1), attrs=dict(LP_ATTRS),
       torch=call("torch.nn.functional.lp_pool1d", norm_type="norm_type", kernel_size="kernel_size", stride="stride",
                  ceil_mode="ceil_mode"),
       tensorflow=none(LP_NONE), jax=none(LP_NONE)),
    op("lp_pool2d", "conv", "x", "power-average pooling of x [N,C,H,W] over kernel_size^2 windows: (sum of "
       "x^norm_type)^(1 / norm_type), no padding, stride the window when unpinned",
       _lp_pool(2), attrs=dict(LP_ATTRS),
       torch=call("torch.nn.functional.lp_pool2d", norm_type="norm_type", kernel_size="kernel_size", stride="stride",
                  ceil_mode="ceil_mode"),
       tensorflow=none(LP_NONE), jax=none(LP_NONE)),
]

# ---- forms: torch's pooling modules beside their functions (`F.max_pool3d(x, 2)` / `nn.MaxPool3d(2)(x)`)
_TORCH = {d.name: d.torch for d in OPS}
OPS = with_forms(OPS, "torch", "module", {name: retarget(_TORCH[name], f"torch.nn.{cls}", kind="construct")
                                          for name, cls in (("max_pool3d", "MaxPool3d"), ("avg_pool3d", "AvgPool3d"),
                                                            ("adaptive_avg_pool1d", "AdaptiveAvgPool1d"),
                                                            ("adaptive_max_pool1d", "AdaptiveMaxPool1d"),
                                                            ("adaptive_avg_pool3d", "AdaptiveAvgPool3d"),
                                                            ("lp_pool1d", "LPPool1d"), ("lp_pool2d", "LPPool2d"))})
