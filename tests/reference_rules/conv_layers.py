"""Convolution and normalization layers from canonical weights (channels-last): loops over output positions in
NumPy written from torch.nn.Conv2d's and keras.layers.Conv2DTranspose's documented definitions, a transposed
convolution as a scatter-add, normalizations from their formulas, and tiny cases by hand."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from reference_rules.common import Rule, a, rng


def conv(x: np.ndarray, k: np.ndarray, b: np.ndarray, pads: list[tuple[int, int]], stride: int = 1,
         dilation: int = 1, groups: int = 1, mode: str = "constant") -> np.ndarray:
    """out[n, p, o] = b[o] + sum over taps j and the group's channels c of x_padded[n, p * stride + j * dilation, c]
    k[j, c, o]; kernel [*k, C / groups, O]."""
    nd = x.ndim - 2
    x = np.pad(x, [(0, 0), *pads, (0, 0)], mode=mode)  # type: ignore[call-overload]
    span = [dilation * (s - 1) + 1 for s in k.shape[:nd]]
    outs = [(x.shape[1 + d] - span[d]) // stride + 1 for d in range(nd)]
    cin, per = k.shape[nd], k.shape[-1] // groups
    y = np.zeros((x.shape[0], *outs, k.shape[-1]))
    for pos in itertools.product(*map(range, outs)):
        window: tuple[Any, ...] = tuple(slice(p * stride, p * stride + span[d], dilation) for d, p in enumerate(pos))
        for g in range(groups):
            where: tuple[Any, ...] = (slice(None), *window, slice(g * cin, (g + 1) * cin))
            patch = x[where]
            out: tuple[Any, ...] = (slice(None), *pos, slice(g * per, (g + 1) * per))
            taps = k[..., g * per:(g + 1) * per]  # summed over every tap and channel of the group
            y[out] = np.tensordot(patch, taps, axes=(list(range(1, patch.ndim)), list(range(taps.ndim - 1))))
    return y + b


def conv_transpose(x: np.ndarray, k: np.ndarray, b: np.ndarray, stride: int = 1, dilation: int = 1,
                   same: bool = False) -> np.ndarray:
    """Each input position p scatters x[n, p, :] @ k[j].T to output p * stride + j * dilation (kernel [*k, O, C]);
    'same' keeps n * stride outputs starting at (span - stride) // 2."""
    nd = x.ndim - 2
    span = [dilation * (s - 1) + 1 for s in k.shape[:nd]]
    full = [(x.shape[1 + d] - 1) * stride + span[d] for d in range(nd)]
    y = np.zeros((x.shape[0], *full, k.shape[-2]))
    for pos in itertools.product(*(range(x.shape[1 + d]) for d in range(nd))):
        for tap in itertools.product(*(range(s) for s in k.shape[:nd])):
            at: tuple[Any, ...] = tuple(p * stride + j * dilation for p, j in zip(pos, tap))
            here: tuple[Any, ...] = (slice(None), *pos)
            y[(slice(None), *at)] += x[here] @ k[tuple(tap)].T
    if same:
        y = y[(slice(None), *(slice((span[d] - stride) // 2, (span[d] - stride) // 2 + x.shape[1 + d] * stride)
                              for d in range(nd)))]
    return y + b


def group_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, groups: int, eps: float) -> np.ndarray:
    g = x.reshape(*x.shape[:-1], groups, -1)
    axes: Any = (*range(1, x.ndim - 1), x.ndim)
    z = (g - g.mean(axis=axes, keepdims=True)) / np.sqrt(g.var(axis=axes, keepdims=True) + eps)
    return z.reshape(x.shape) * gamma + beta


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps) * gamma + beta


X2, K2, B4 = rng.normal(size=(1, 5, 5, 4)), rng.normal(size=(2, 2, 2, 4)), rng.normal(size=4)
X1, K1, B3 = rng.normal(size=(2, 8, 2)), rng.normal(size=(3, 2, 3)), rng.normal(size=3)
X3, K3 = rng.normal(size=(1, 5, 5, 5, 4)), rng.normal(size=(2, 2, 2, 2, 4))
XT, KT, BT = rng.normal(size=(1, 3, 3, 2)), rng.normal(size=(3, 3, 4, 2)), rng.normal(size=4)
XN, GN, BN = rng.normal(size=(2, 3, 3, 4)), rng.normal(size=4), rng.normal(size=4)
X3T, K3T = rng.normal(size=(1, 2, 3, 2, 2)), rng.normal(size=(2, 2, 2, 3, 2))
XB = a(1, 0, 2, 0, 3, 4, 6, 4).reshape(4, 2)  # column means [3, 2], biased variances [3.5, 4], unbiased [14/3, 16/3]


def batch_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray, var: np.ndarray,
               training: bool, momentum: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch.nn.BatchNorm's documented update: moving = (1 - momentum) * moving + momentum * batch, with the
    unbiased batch variance (ddof=1) in the update and the biased one in the normalization."""
    flat = x.reshape(-1, x.shape[-1])
    if not training:
        return (x - mean) / np.sqrt(var + eps) * gamma + beta, mean, var
    y = (x - flat.mean(0)) / np.sqrt(flat.var(0) + eps) * gamma + beta
    return y, (1 - momentum) * mean + momentum * flat.mean(0), (1 - momentum) * var + momentum * flat.var(0, ddof=1)

RULES = [
    # by hand: kernel of ones over [1, 2, 3, 4], 3 taps, valid: 1 + 2 + 3 = 6 and 2 + 3 + 4 = 9, bias 0.5
    Rule("conv1d_layer", "a kernel of ones sums each window, plus the bias",
         (a(1, 2, 3, 4).reshape(1, 4, 1), np.ones((3, 1, 1)), a(0.5)), a(6.5, 9.5).reshape(1, 2, 1),
         {"padding": "valid"}),
    Rule("conv1d_layer", "causal, dilation 2: 2 * (3 - 1) steps of zeros on the left only", (X1, K1, B3),
         lambda x, k, b: conv(x, k, b, [(4, 0)], dilation=2), {"padding": "causal", "dilation": 2}),
    Rule("conv2d_layer", "two groups, dilation 2, 'same' (span 3: one on each side)", (X2, K2, B4),
         lambda x, k, b: conv(x, k, b, [(1, 1), (1, 1)], dilation=2, groups=2),
         {"padding": "same", "dilation": 2, "groups": 2}, atol=1e-12),  # sums in another order: ulps of cancellation
    Rule("conv2d_layer", "'same' with stride 2 on 5: 3 outputs, total padding (3 - 1) * 2 + 2 - 5 = 1, at the end",
         (X2, np.concatenate([K2, K2], axis=2), B4), lambda x, k, b: conv(x, k, b, [(0, 1), (0, 1)], stride=2),
         {"padding": "same", "strides": 2}),
    Rule("conv2d_layer", "circular 'same' padding wraps the other edge", (X2, rng.normal(size=(3, 3, 4, 2)), a(0, 1)),
         lambda x, k, b: conv(x, k, b, [(1, 1), (1, 1)], mode="wrap"), {"padding": "same", "padding_mode": "circular"}),
    Rule("conv2d_layer", "reflect 'same' padding mirrors without the edge", (X2, rng.normal(size=(3, 3, 4, 2)), a(0, 1)),
         lambda x, k, b: conv(x, k, b, [(1, 1), (1, 1)], mode="reflect"), {"padding": "same", "padding_mode": "reflect"}),
    Rule("conv3d_layer", "two groups, stride 2, valid", (X3, K3, B4),
         lambda x, k, b: conv(x, k, b, [(0, 0)] * 3, stride=2, groups=2), {"strides": 2, "groups": 2}),
    Rule("conv_transpose2d_layer", "stride 2, valid: a scatter-add to (3 - 1) * 2 + 3 = 7 per axis", (XT, KT, BT),
         lambda x, k, b: conv_transpose(x, k, b, stride=2), {"strides": 2}),
    Rule("conv_transpose2d_layer", "stride 2, 'same': 6 per axis, from (3 - 2) // 2 = 0", (XT, KT, BT),
         lambda x, k, b: conv_transpose(x, k, b, stride=2, same=True), {"strides": 2, "padding": "same"}),
    Rule("conv_transpose3d_layer", "stride 2, valid: (n - 1) * 2 + 2 per axis, a scatter-add in three axes",
         (X3T, K3T, B3), lambda x, k, b: conv_transpose(x, k, b, stride=2), {"strides": 2}),
    Rule("conv_transpose3d_layer", "stride 1, dilation 2, 'same': n per axis from (3 - 1) // 2 = 1",
         (X3T, K3T, B3), lambda x, k, b: conv_transpose(x, k, b, dilation=2, same=True),
         {"dilation": 2, "padding": "same"}),
    Rule("batch_norm_canonical_layer", "training, momentum 0.1 by hand: means [0.3, 0.2], variances "
         "0.9 + [14, 16] / 30 (unbiased batch term)", (XB, a(1, 2), a(0, 1), a(0, 0), a(1, 1)),
         lambda x, g, b, m, v: (batch_norm(x, g, b, m, v, True, 0.1, 1e-5)[0], a(0.3, 0.2),
                                a(0.9 + 14 / 30, 0.9 + 16 / 30)), {"training": True, "momentum": 0.1, "epsilon": 1e-5}),
    Rule("batch_norm_canonical_layer", "training on a [2, 2, 3, 4] map: statistics over every axis but the last",
         (XN, GN, BN, GN, np.abs(BN)), lambda x, g, b, m, v: batch_norm(x, g, b, m, v, True, 0.3, 1e-3),
         {"training": True, "momentum": 0.3, "epsilon": 1e-3}),
    Rule("batch_norm_canonical_layer", "inference: the moving statistics as given, unchanged",
         (XN, GN, BN, GN, np.abs(BN)), lambda x, g, b, m, v: batch_norm(x, g, b, m, v, False, 0.3, 1e-3),
         {"training": False, "momentum": 0.3, "epsilon": 1e-3}),
    # by hand: one channel, x = [1, 2], kernel [1, 10] with dilation 2: y = [1, 2, 10, 20]
    Rule("conv_transpose1d_layer", "dilation 2 spreads the taps: [1, 2] with taps [1, 10] is [1, 2, 10, 20]",
         (a(1, 2).reshape(1, 2, 1), a(1, 10).reshape(2, 1, 1), a(0.0)), a(1, 2, 10, 20).reshape(1, 4, 1),
         {"dilation": 2}),
    # by hand: [1, 3] has mean 2 and variance 1: (x - 2) / 1 = [-1, 1], then * gamma + beta
    Rule("layer_norm_layer", "[1, 3], epsilon 0: [-1, 1] * gamma + beta", (a(1, 3).reshape(1, 2), a(2, 3), a(0, 1)),
         a(-2, 4).reshape(1, 2), {"epsilon": 0.0}),
    Rule("layer_norm_layer", "over the last axis, biased variance", (XN, GN, BN),
         lambda x, g, b: layer_norm(x, g, b, 1e-5), {"epsilon": 1e-5}),
    Rule("group_norm_layer", "two groups of two channels, over the spatial axes too", (XN, GN, BN),
         lambda x, g, b: group_norm(x, g, b, 2, 1e-3), {"groups": 2, "epsilon": 1e-3}),
    Rule("instance_norm_layer", "each channel of each sample over the spatial axes", (XN, GN, BN),
         lambda x, g, b: group_norm(x, g, b, 4, 1e-5), {"epsilon": 1e-5}),
]

# Pooling layers (oracle/ops/pool_layers.py), by hand on one channel of [[1, 2, 3, 4]] and a 4x4 map
ROW = a(1, 2, 3, 4).reshape(1, 4, 1)
MAP = np.arange(16.0).reshape(1, 4, 4, 1)
RULES += [
    Rule("max_pool_layer", "unpinned strides are the window: [1, 2 | 3, 4] -> [2, 4]", (ROW,), a(2, 4).reshape(1, 2, 1),
         {"pool_size": 2}),
    Rule("max_pool_layer", "2x2 windows of 0..15 every 2: the bottom-right of each, 5 7 13 15", (MAP,),
         a(5, 7, 13, 15).reshape(1, 2, 2, 1), {"pool_size": 2}),
    # 'same', window 3, stride 2 on 4: 2 outputs, total padding (2 - 1) * 2 + 3 - 4 = 1, at the end
    Rule("avg_pool_layer", "'same' averages real elements only: [1, 2, 3] -> 2, [3, 4, pad] -> 3.5", (ROW,),
         a(2, 3.5).reshape(1, 2, 1), {"pool_size": 3, "strides": 2, "padding": "same"}),
    Rule("avg_pool_layer", "stride 1, valid: [1.5, 2.5, 3.5]", (ROW,), a(1.5, 2.5, 3.5).reshape(1, 3, 1),
         {"pool_size": 2, "strides": 1}),
]
