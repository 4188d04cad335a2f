"""3-D pooling and 1-D adaptive pooling: NumPy reshapes and sliding windows, and values by hand."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from reference_rules.common import NAN, Rule, a

rng = np.random.default_rng(31)
V = rng.normal(size=(1, 2, 4, 4, 6))  # [N, C, D, H, W]


def blocks(x: np.ndarray, k: int) -> np.ndarray:
    """Non-overlapping k^3 blocks of [N, C, D, H, W] (each side a multiple of k), as [..., k, k, k] trailing."""
    n, c, d, h, w = x.shape
    return x.reshape(n, c, d // k, k, h // k, k, w // k, k).transpose(0, 1, 2, 4, 6, 3, 5, 7)


RULES = [
    Rule("max_pool3d", "the stride is the window when unpinned: the max of each 2x2x2 block", (V,),
         lambda x: blocks(x, 2).max(axis=(-3, -2, -1)), {"kernel_size": 2}),
    Rule("max_pool3d", "stride 1: the max of every 3x3x3 window (sliding windows)", (V,),
         lambda x: sliding_window_view(x, (3, 3, 3), axis=(2, 3, 4)).max(axis=(-3, -2, -1)),
         {"kernel_size": 3, "stride": 1}),
    # by hand: the NaN at [d=1, h=0, w=1] of a 2x2x2 cube, each w repeated: it lands in w 2 and 3, the second window
    Rule("max_pool3d", "a NaN in a window gives NaN for that window only",
         (np.where(np.arange(8).reshape(1, 1, 2, 2, 2) == 5, NAN, 1.0).repeat(2, axis=4),),
         a(1.0, NAN).reshape(1, 1, 1, 1, 2), {"kernel_size": 2}),
    Rule("avg_pool3d", "the mean of each 2x2x2 block", (V,), lambda x: blocks(x, 2).mean(axis=(-3, -2, -1)),
         {"kernel_size": 2}),
    # by hand: a 2x2x2 cube of ones padded by 1 with kernel 2, stride 2: each window holds one real element,
    # which is 1 / 1 without count_include_pad, 1 / 8 with it
    Rule("avg_pool3d", "padding without count_include_pad divides by the real elements", (np.ones((1, 1, 2, 2, 2)),),
         np.ones((1, 1, 2, 2, 2)), {"kernel_size": 2, "padding": 1}),
    Rule("avg_pool3d", "padding with count_include_pad divides by the window", (np.ones((1, 1, 2, 2, 2)),),
         np.full((1, 1, 2, 2, 2), 1 / 8), {"kernel_size": 2, "padding": 1, "count_include_pad": True}),
    # by hand: L = 5 into 3 bins [0, 2), [1, 4), [3, 5): (0 + 1) / 2, (1 + 2 + 3) / 3, (3 + 4) / 2
    Rule("adaptive_avg_pool1d", "overlapping bins by hand", (a(0.0, 1.0, 2.0, 3.0, 4.0).reshape(1, 1, 5),),
         a(0.5, 2.0, 3.5).reshape(1, 1, 3), {"output_size": 3}),
    Rule("adaptive_avg_pool1d", "a divisor of L: the mean of each equal block", (V[0, :, 0],),
         lambda x: x.reshape(2, 4, 3, 2).mean(-1), {"output_size": 3}),
]
