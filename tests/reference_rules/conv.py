"""Convolution and pooling: by hand, NumPy's correlate and SciPy's correlate2d."""

from __future__ import annotations

import numpy as np
from scipy import signal

from reference_rules.common import INF, NAN, Rule, S, a, rng

X3, W3 = rng.normal(size=(1, 2, 4, 5, 4)), rng.normal(size=(3, 2, 3, 3, 3))
X2D = rng.normal(size=(2, 2, 5, 6))
W2D = rng.normal(size=(3, 2, 2, 3))


def correlate(x: np.ndarray, w: np.ndarray, stride: int, pads: list[tuple[int, int]], dilation: int = 1) -> np.ndarray:
    """N-D cross-correlation by SciPy: x zero-padded, the kernel dilated (zeros between taps), each (out, in)
    channel pair correlated ('valid') and summed over in, then every stride-th output."""
    x = np.pad(x, [(0, 0), (0, 0), *pads])
    if dilation > 1:
        spread = np.zeros(w.shape[:2] + tuple((k - 1) * dilation + 1 for k in w.shape[2:]))
        taps: tuple[slice, ...] = (slice(None), slice(None), *(slice(None, None, dilation) for _ in w.shape[2:]))
        spread[taps] = w
        w = spread
    out = np.stack([[sum(signal.correlate(x[n, c], w[o, c], "valid") for c in range(x.shape[1]))
                     for o in range(w.shape[0])] for n in range(x.shape[0])])
    strided: tuple[slice, ...] = (slice(None), slice(None), *(slice(None, None, stride) for _ in pads))
    return out[strided]


def transpose_conv(x: np.ndarray, w: np.ndarray, stride: int, padding: int, output_padding: int) -> np.ndarray:
    """Transposed convolution by its definition: x[n, c, i, j] w[c, o] added at (i s - p, j s - p) onwards."""
    (n, _, h, wd), k = x.shape, w.shape[2]
    full = np.zeros((n, w.shape[1], (h - 1) * stride + k + output_padding, (wd - 1) * stride + k + output_padding))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * stride:i * stride + k, j * stride:j * stride + k] += np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
    return full[:, :, padding:full.shape[2] - padding, padding:full.shape[3] - padding]


RULES = [
    Rule("resize", "linear, half-pixel centres: [1, 2, 3, 4] to 3", (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 4),),
         a(7 / 6, 2.5, 23 / 6).reshape(1, 1, 3), {"size": [3], "method": "bilinear"}),
    Rule("resize", "nearest picks floor((i + 0.5) in / out): elements 1 and 3 of 4",
         (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 4),), a(2.0, 4.0).reshape(1, 1, 2), {"size": [2], "method": "nearest"}),
    Rule("conv1d", "conv1d is a cross-correlation (NumPy's correlate, valid)",
         (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 4), a(1.0, 0.0, -1.0).reshape(1, 1, 3)),
         np.correlate([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, -1.0], "valid").reshape(1, 1, 2)),
    Rule("conv2d", "conv2d is a cross-correlation (SciPy's correlate2d, valid)",
         (S.reshape(1, 1, 3, 4), a(1.0, -1.0, 0.5, 2.0).reshape(1, 1, 2, 2)),
         lambda x, w: signal.correlate2d(x[0, 0], w[0, 0], "valid")[None, None]),
    Rule("global_avg_pool2d", "the mean of each channel", (S.reshape(1, 1, 3, 4),), np.mean(S).reshape(1, 1)),
    Rule("adaptive_avg_pool2d", "bins [floor(i H / out), ceil((i + 1) H / out))", (S.reshape(1, 1, 3, 4),),
         np.array([[S[0:2, 0:2].mean(), S[0:2, 2:4].mean()], [S[1:3, 0:2].mean(), S[1:3, 2:4].mean()]])[None, None],
         {"output_size": [2, 2]}),
    # a 2x2 input into 2x2 bins: each bin one element, so the inf stays where it is
    Rule("adaptive_avg_pool2d", "an inf makes only the bins that hold it inf",
         (a(INF, 1.0, 2.0, 3.0).reshape(1, 1, 2, 2),), a(INF, 1.0, 2.0, 3.0).reshape(1, 1, 2, 2), {"output_size": [2, 2]}),
    Rule("max_pool2d", "NaN in a window makes its maximum NaN", (a(1.0, NAN, 3.0, 4.0).reshape(1, 1, 2, 2),),
         a(NAN).reshape(1, 1, 1, 1), {"kernel_size": 2}),
    Rule("conv3d", "valid: SciPy's correlate per (out, in) channel pair, summed over in",
         (X3, W3), lambda x, w: correlate(x, w, 1, [(0, 0)] * 3)),
    Rule("conv3d", "same, stride 1, odd kernel: one zero on each side", (X3, W3),
         lambda x, w: correlate(x, w, 1, [(1, 1), (1, 1), (1, 1)]), {"padding": "same"}),
    Rule("conv3d", "stride 2 takes every other valid output", (X3, W3), lambda x, w: correlate(x, w, 2, [(0, 0)] * 3),
         {"stride": 2}),
    Rule("conv2d_padded", "zero padding 1 and dilation 2", (X2D, W2D), lambda x, w: correlate(x, w, 1, [(1, 1)] * 2, 2),
         {"padding": 1, "dilation": 2}),
    Rule("conv2d_padded", "stride 2, padding 2", (X2D, W2D), lambda x, w: correlate(x, w, 2, [(2, 2)] * 2),
         {"stride": 2, "padding": 2}),
    # by hand: 1-D in 2-D: x = [1, 2], w = [1, 10], stride 1: out = [1, 2 + 10, 20]
    Rule("conv_transpose2d", "each input element scatters a scaled kernel: [1, 2] with [1, 10] gives [1, 12, 20]",
         (a(1.0, 2.0).reshape(1, 1, 1, 2), a(1.0, 10.0).reshape(1, 1, 1, 2)), a(1.0, 12.0, 20.0).reshape(1, 1, 1, 3)),
    Rule("conv_transpose2d", "stride 2, padding 1, output_padding 1, by scattering (the definition)",
         (X2D[:, :, :3, :3], rng.normal(size=(2, 3, 3, 3))), lambda x, w: transpose_conv(x, w, 2, 1, 1),
         {"stride": 2, "padding": 1, "output_padding": 1}),
    Rule("depthwise_conv2d", "multiplier 2: channel c with filters 2c and 2c + 1 (SciPy's correlate2d)",
         (X2D, rng.normal(size=(4, 1, 2, 2))),
         lambda x, w: np.stack([[signal.correlate2d(x[n, o // 2], w[o, 0], "valid") for o in range(4)]
                                for n in range(x.shape[0])])),
    # by hand: padding 1 around [[1, 2], [3, 4]], kernel 2, stride 2: the corners hold 1 real element each
    Rule("avg_pool2d", "padding without count_include_pad: each window's real elements only",
         (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 2, 2),), a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 2, 2),
         {"kernel_size": 2, "stride": 2, "padding": 1}),
    Rule("avg_pool2d", "count_include_pad: the padded zeros count", (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 2, 2),),
         a(0.25, 0.5, 0.75, 1.0).reshape(1, 1, 2, 2),
         {"kernel_size": 2, "stride": 2, "padding": 1, "count_include_pad": True}),
    Rule("avg_pool2d", "no padding, stride = kernel when unpinned: block means (the third row is left over)",
         (S.reshape(1, 1, 3, 4),), np.array([[[[S[0:2, 0:2].mean(), S[0:2, 2:4].mean()]]]]), {"kernel_size": 2}),
    Rule("adaptive_max_pool2d", "bins [floor(i H / out), ceil((i + 1) H / out)), the maximum of each",
         (S.reshape(1, 1, 3, 4),), np.array([[S[0:2, 0:2].max(), S[0:2, 2:4].max()], [S[1:3, 0:2].max(), S[1:3, 2:4].max()]])
         [None, None], {"output_size": [2, 2]}),
    Rule("global_avg_pool1d", "the mean over L of [N, C, L]", (rng.normal(size=(2, 3, 5)),), lambda x: x.mean(-1)),
    Rule("global_max_pool2d", "the maximum over H and W; NaN propagates", (np.where(X2D > 1.5, NAN, X2D),),
         lambda x: np.max(x, axis=(2, 3))),
    Rule("max_pool1d", "the stride is the window when unpinned: the max of each pair",
         (a(1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 8.0, 7.0).reshape(1, 1, 8),),
         lambda x: x.reshape(1, 1, 4, 2).max(axis=-1), {"kernel_size": 2}),
    Rule("max_pool1d", "ceil_mode keeps the last, partial window; NaN in a window gives NaN",
         (a(1.0, NAN, 2.0, 5.0, 4.0).reshape(1, 1, 5),), a(NAN, 5.0, 4.0).reshape(1, 1, 3),
         {"kernel_size": 2, "stride": 2, "ceil_mode": True}),
    Rule("avg_pool1d", "torch's page example: window 3, stride 2", (a(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0).reshape(1, 1, 7),),
         a(2.0, 4.0, 6.0).reshape(1, 1, 3), {"kernel_size": 3, "stride": 2}),
    Rule("avg_pool1d", "padding 1 without count_include_pad divides by the real elements",
         (a(3.0, 6.0, 9.0, 12.0).reshape(1, 1, 4),), a(4.5, 6.0, 9.0, 10.5).reshape(1, 1, 4),
         {"kernel_size": 3, "stride": 1, "padding": 1}),
    Rule("avg_pool1d", "padding 1 with count_include_pad divides by the window",
         (a(3.0, 6.0, 9.0, 12.0).reshape(1, 1, 4),), a(3.0, 6.0, 9.0, 7.0).reshape(1, 1, 4),
         {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": True}),
    Rule("conv_transpose1d", "NumPy's full convolution of the zero-stuffed input, output_padding a 0 at the end",
         (a(1.0, 2.0, 3.0).reshape(1, 1, 3), a(1.0, 2.0, -1.0).reshape(1, 1, 3)),
         np.append(np.convolve([1.0, 0.0, 2.0, 0.0, 3.0], [1.0, 2.0, -1.0]), 0.0).reshape(1, 1, 8),
         {"stride": 2, "output_padding": 1}),
    Rule("conv_transpose1d", "padding p crops p samples from each side of the full convolution (plus output_padding)",
         (a(1.0, 2.0, 3.0).reshape(1, 1, 3), a(1.0, 2.0, -1.0).reshape(1, 1, 3)),
         np.convolve([1.0, 0.0, 2.0, 0.0, 3.0], [1.0, 2.0, -1.0])[1:7].reshape(1, 1, 6),
         {"stride": 2, "padding": 1, "output_padding": 1}),
    Rule("conv_transpose1d", "input channels add up: two channels of ones", (np.ones((1, 2, 2)), np.ones((2, 1, 2))),
         a(2.0, 4.0, 2.0).reshape(1, 1, 3)),
]


def transpose3d_loops(x: np.ndarray, w: np.ndarray, s: int, p: int, op: int) -> np.ndarray:
    """Scatter form: x[n, c, d, h, v] w[c, o, a, b, e] lands at (d s + a, h s + b, v s + e) of a buffer of
    (size - 1) s + k + output_padding per axis, then p is cropped from the start of each axis."""
    n, cin, *size = x.shape
    cout, k = w.shape[1], w.shape[2:]
    full = [(z - 1) * s + kk + op for z, kk in zip(size, k)]
    buf = np.zeros((n, cout, *full))
    for d in range(size[0]):
        for h in range(size[1]):
            for v in range(size[2]):
                for a_ in range(k[0]):
                    for b in range(k[1]):
                        for e in range(k[2]):
                            buf[:, :, d * s + a_, h * s + b, v * s + e] += np.einsum(
                                "nc,co->no", x[:, :, d, h, v], w[:, :, a_, b, e])
    out = [z - 2 * p for z in full]
    return buf[:, :, p:p + out[0], p:p + out[1], p:p + out[2]]


def shuffle_loops(x: np.ndarray, f: int) -> np.ndarray:
    n, cf, h, w = x.shape
    y = np.zeros((n, cf // (f * f), h * f, w * f))
    for c in range(cf // (f * f)):
        for i in range(f):
            for j in range(f):
                y[:, c, i::f, j::f] = x[:, c * f * f + i * f + j]
    return y


def unshuffle_loops(x: np.ndarray, f: int) -> np.ndarray:
    n, c, h, w = x.shape
    y = np.zeros((n, c * f * f, h // f, w // f))
    for ch in range(c):
        for i in range(f):
            for j in range(f):
                y[:, ch * f * f + i * f + j] = x[:, ch, i::f, j::f]
    return y


def unfold_loops(x: np.ndarray, k: int, d: int, p: int, s: int) -> np.ndarray:
    x = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)])
    n, c, h, w = x.shape
    oh, ow = (h - d * (k - 1) - 1) // s + 1, (w - d * (k - 1) - 1) // s + 1
    y = np.zeros((n, c * k * k, oh * ow))
    for ch in range(c):
        for i in range(k):
            for j in range(k):
                for r in range(oh):
                    for q in range(ow):
                        y[:, ch * k * k + i * k + j, r * ow + q] = x[:, ch, r * s + i * d, q * s + j * d]
    return y


XT3, WT3 = rng.normal(size=(1, 2, 2, 3, 2)), rng.normal(size=(2, 3, 2, 2, 3))
XS = rng.normal(size=(2, 8, 2, 3))
RULES += [
    Rule("conv_transpose3d", "stride 1 by scattered NumPy loops", (XT3, WT3), lambda x, w: transpose3d_loops(x, w, 1, 0, 0),
         {}),
    Rule("conv_transpose3d", "stride 2, padding 1, output_padding 1 by scattered NumPy loops", (XT3, WT3),
         lambda x, w: transpose3d_loops(x, w, 2, 1, 1), {"stride": 2, "padding": 1, "output_padding": 1}),
    # by hand: x [inf, 1] along w, kernel [3, 2]: [inf 3, inf 2 + 1 3, 1 2] = [inf, inf, 2]
    Rule("conv_transpose3d", "an inf input element spreads over its kernel's reach only",
         (a(INF, 1.0).reshape(1, 1, 1, 1, 2), a(3.0, 2.0).reshape(1, 1, 1, 1, 2)),
         a(INF, INF, 2.0).reshape(1, 1, 1, 1, 3), {}),
    Rule("pixel_shuffle", "factor 2, 2 output channels, by NumPy loops", (XS,), lambda x: shuffle_loops(x, 2),
         {"upscale_factor": 2}),
    # by hand: channels 0..3 of one pixel, the NaN in channel 2 = offset (1, 0)
    Rule("pixel_shuffle", "a NaN moves with its element", (a(0.0, 1.0, NAN, 3.0).reshape(1, 4, 1, 1),),
         a(0.0, 1.0, NAN, 3.0).reshape(1, 1, 2, 2), {"upscale_factor": 2}),
    Rule("pixel_unshuffle", "factor 2 by NumPy loops", (XS.reshape(2, 2, 4, 6),), lambda x: unshuffle_loops(x, 2),
         {"downscale_factor": 2}),
    Rule("pixel_unshuffle", "factor 3 by NumPy loops, inf carried", (np.where(np.arange(36).reshape(1, 1, 6, 6) == 7,
                                                                             INF, XS.reshape(-1)[:36].reshape(1, 1, 6, 6)),),
         lambda x: unshuffle_loops(x, 3), {"downscale_factor": 3}),
    # by hand: 1..9 as a 3x3 image, 2x2 kernel: row i 2 + j is offset (i, j) over the windows at (0,0), (0,1), (1,0), (1,1)
    Rule("unfold", "a 3x3 image, 2x2 kernel, by hand",
         (np.arange(1.0, 10.0).reshape(1, 1, 3, 3),),
         np.array([[[1.0, 2.0, 4.0, 5.0], [2.0, 3.0, 5.0, 6.0], [4.0, 5.0, 7.0, 8.0], [5.0, 6.0, 8.0, 9.0]]]),
         {"kernel_size": 2}),
    Rule("unfold", "2 channels, stride 2, padding 1, dilation 1 by NumPy loops", (X2D,),
         lambda x: unfold_loops(x, 3, 1, 1, 2), {"kernel_size": 3, "padding": 1, "stride": 2}),
    Rule("unfold", "dilation 2 by NumPy loops, NaN carried", (np.where(X2D > 1.5, NAN, X2D),),
         lambda x: unfold_loops(x, 2, 2, 0, 1), {"kernel_size": 2, "dilation": 2}),
]
