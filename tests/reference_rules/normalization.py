"""Normalization: the formulas by hand in NumPy."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, S, rng

RULES = [
    Rule("layer_norm", "(x - mean) / sqrt(var + 1e-5) over the last axis", (S,),
         lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5), {"normalized_shape": [4]}),
    Rule("group_norm", "[N, C, L]: each group of channels with all of L", (rng.normal(size=(2, 4, 3)),),
         lambda x: ((x.reshape(2, 2, 6) - x.reshape(2, 2, 6).mean(-1, keepdims=True))
                    / np.sqrt(x.reshape(2, 2, 6).var(-1, keepdims=True) + 1e-5)).reshape(2, 4, 3), {"num_groups": 2}),
    Rule("l2_normalize", "x / ||x|| along the last axis", (S,), lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)),
    Rule("instance_norm", "[N, C, L]: each channel of each sample over L", (rng.normal(size=(2, 3, 4)),),
         lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)),
    Rule("rms_norm", "x / sqrt(mean(x^2) + 1e-5) over the last axis", (S,),
         lambda x: x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-5), {"normalized_shape": [4]}),
]
