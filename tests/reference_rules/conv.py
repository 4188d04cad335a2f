"""Convolution and pooling: by hand, NumPy's correlate and SciPy's correlate2d."""

from __future__ import annotations

import numpy as np
from scipy import signal

from reference_rules.common import NAN, Rule, S, a

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
    Rule("max_pool2d", "NaN in a window makes its maximum NaN", (a(1.0, NAN, 3.0, 4.0).reshape(1, 1, 2, 2),),
         a(NAN).reshape(1, 1, 1, 1), {"kernel_size": 2}),
]
