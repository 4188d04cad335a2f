"""3-D pooling and 1-D adaptive pooling: NumPy reshapes and sliding windows, and values by hand."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from reference_rules.common import INF, NAN, Rule, a

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
    # bins [0, 2), [1, 4), [3, 5) of [inf, 1, 2, 3, 4]: only the first holds the inf
    Rule("adaptive_avg_pool1d", "an inf makes only the bins that hold it inf",
         (a(INF, 1.0, 2.0, 3.0, 4.0).reshape(1, 1, 5),), a(INF, 2.0, 3.5).reshape(1, 1, 3), {"output_size": 3}),
]


def bin_loop(size: int, out: int) -> list[tuple[int, int]]:
    """torch's adaptive bins written out: start floor(i size / out), end ceil((i + 1) size / out)."""
    return [(int(np.floor(i * size / out)), int(np.ceil((i + 1) * size / out))) for i in range(out)]


def adaptive_avg3d_loops(x: np.ndarray, out: tuple[int, int, int]) -> np.ndarray:
    y = np.zeros(x.shape[:2] + out)
    for i, (d0, d1) in enumerate(bin_loop(x.shape[2], out[0])):
        for j, (h0, h1) in enumerate(bin_loop(x.shape[3], out[1])):
            for k, (w0, w1) in enumerate(bin_loop(x.shape[4], out[2])):
                y[:, :, i, j, k] = x[:, :, d0:d1, h0:h1, w0:w1].mean(axis=(2, 3, 4))
    return y


RULES += [
    # by hand: L = 5 into 3 bins [0, 2), [1, 4), [3, 5): max 1, 3, 4
    Rule("adaptive_max_pool1d", "overlapping bins by hand", (a(0.0, 1.0, 2.0, 3.0, 4.0).reshape(1, 1, 5),),
         a(1.0, 3.0, 4.0).reshape(1, 1, 3), {"output_size": 3}),
    # by hand: the NaN at 1 sits in bins [0, 2) and [1, 4); bin [3, 5) holds 3 and 4
    Rule("adaptive_max_pool1d", "a NaN poisons every bin that holds it", (a(0.0, NAN, 2.0, 3.0, 4.0).reshape(1, 1, 5),),
         a(NAN, NAN, 4.0).reshape(1, 1, 3), {"output_size": 3}),
    Rule("adaptive_max_pool1d", "7 into 3 bins by a NumPy loop", (V[0, :, 0, :, :].reshape(1, 2, 24)[..., :7],),
         lambda x: np.stack([x[..., s:e].max(-1) for s, e in bin_loop(7, 3)], axis=-1), {"output_size": 3}),
    Rule("adaptive_avg_pool3d", "divisible sizes: the mean of each 2x2x2 block", (V,),
         lambda x: blocks(x, 2).mean(axis=(-3, -2, -1)), {"output_size": [2, 2, 3]}),
    Rule("adaptive_avg_pool3d", "uneven bins (4 to 3, 4 to 3, 6 to 4) by NumPy loops", (V,),
         lambda x: adaptive_avg3d_loops(x, (3, 3, 4)), {"output_size": [3, 3, 4]}),
    Rule("adaptive_avg_pool3d", "an inf in one bin only", (np.where(np.arange(8).reshape(1, 1, 2, 2, 2) == 0, INF, 1.0),),
         a(INF, 1.0).reshape(1, 1, 2, 1, 1), {"output_size": [2, 1, 1]}),
    # by hand: p = 2, windows [3, 4] and [0, 5]: sqrt(9 + 16) = 5, sqrt(0 + 25) = 5
    Rule("lp_pool1d", "p = 2 by hand", (a(3.0, 4.0, 0.0, 5.0).reshape(1, 1, 4),), a(5.0, 5.0).reshape(1, 1, 2),
         {"norm_type": 2.0, "kernel_size": 2}),
    Rule("lp_pool1d", "p = 1 is the window's sum (stride 1, sliding windows)", (V[0, :, 0, 0].reshape(1, 2, 6),),
         lambda x: sliding_window_view(x, 3, axis=2).sum(-1), {"norm_type": 1.0, "kernel_size": 3, "stride": 1}),
    # by hand: a NaN or inf stays in its window; (-8 + 1)^(1/3) of a negative sum is NaN (real roots only)
    Rule("lp_pool1d", "NaN and inf stay in their windows", (a(NAN, 1.0, INF, 1.0).reshape(1, 1, 4),),
         a(NAN, INF).reshape(1, 1, 2), {"norm_type": 2.0, "kernel_size": 2}),
    Rule("lp_pool1d", "a negative sum under a cube root is NaN", (a(-2.0, 1.0, 2.0, 1.0).reshape(1, 1, 4),),
         a(NAN, 9.0 ** (1 / 3)).reshape(1, 1, 2), {"norm_type": 3.0, "kernel_size": 2}),
    Rule("lp_pool2d", "p = 2 over 2x2 blocks: the block's Euclidean norm", (V[:, :, 0],),
         lambda x: np.sqrt((x.reshape(1, 2, 2, 2, 3, 2) ** 2).sum(axis=(3, 5))), {"norm_type": 2.0, "kernel_size": 2}),
    Rule("lp_pool2d", "p = 3, kernel 2, stride 1 by NumPy sliding windows", (np.abs(V[:, :, 0]),),
         lambda x: np.cbrt((sliding_window_view(x, (2, 2), axis=(2, 3)) ** 3).sum(axis=(-2, -1))),
         {"norm_type": 3.0, "kernel_size": 2, "stride": 1}),
]
