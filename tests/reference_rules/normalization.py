"""Normalization: the formulas by hand in NumPy."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Built, P, Rule, S, a, rng

X2 = np.array([[1.0, 2.0], [3.0, 6.0]])
NEW = Built("batch_norm_layer", {"num_features": 2})
TRAINED = Built("batch_norm_layer", {"num_features": 2}, (("bn_call", (X2,), {"training": True}),))


def lrn(x: np.ndarray, size: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """Local response normalization by loops: channel c over channels c - size // 2 .. c + (size - 1) // 2."""
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        lo, hi = max(c - size // 2, 0), min(c + (size - 1) // 2, x.shape[1] - 1)
        out[:, c] = x[:, c] / (k + alpha / size * (x[:, lo:hi + 1] ** 2).sum(1)) ** beta
    return out


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
    Rule("batch_norm", "[N, C]: each channel by the batch's mean and biased variance", (S,),
         lambda x: (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)),
    Rule("batch_norm_inference", "(x - running_mean) / sqrt(running_var + eps)", (S, a(0.5, -1.0, 0.0, 2.0), P[0]),
         lambda x, m, v: (x - m) / np.sqrt(v + 1e-5)),
    Rule("local_response_norm", "size 3: a window of one channel before and one after, zero-padded",
         (rng.normal(size=(2, 5, 3)),), lambda x: lrn(x, 3, 1e-4, 0.75, 1.0), {"size": 3}),
    Rule("local_response_norm", "size 4 (2 before, 1 after), alpha 0.5, beta 1, k 2",
         (rng.normal(size=(1, 6, 2)),), lambda x: lrn(x, 4, 0.5, 1.0, 2.0),
         {"size": 4, "alpha": 0.5, "beta": 1.0, "k": 2.0}),
    # a layer built once, then called: by hand, with X = [[1, 2], [3, 6]] (batch mean [2, 4], biased var [1, 4],
    # unbiased var [2, 8]) and momentum 0.1: running mean 0.9 * 0 + 0.1 * [2, 4] = [0.2, 0.4],
    # running var 0.9 * 1 + 0.1 * [2, 8] = [1.1, 1.7] (torch.nn.BatchNorm1d's documented update)
    Rule("running_mean", "a new layer's running mean is 0", (NEW,), a(0.0, 0.0)),
    Rule("running_var", "a new layer's running variance is 1", (NEW,),
         a(1.0, 1.0)),
    Rule("bn_call", "training: the batch's mean and biased variance", (NEW, X2),
         (X2 - a(2.0, 4.0)) / np.sqrt(a(1.0, 4.0) + 1e-5), {"training": True}),
    Rule("bn_call", "inference on a new layer: (x - 0) / sqrt(1 + eps)", (NEW, X2),
         X2 / np.sqrt(1.0 + 1e-5), {"training": False}),
    Rule("running_mean", "after one training call: 0.9 * 0 + 0.1 * batch mean", (TRAINED,), a(0.2, 0.4)),
    Rule("running_var", "after one training call: 0.9 * 1 + 0.1 * unbiased batch variance", (TRAINED,), a(1.1, 1.7)),
    Rule("bn_call", "inference after one training call uses the running statistics", (TRAINED, X2),
         (X2 - a(0.2, 0.4)) / np.sqrt(a(1.1, 1.7) + 1e-5), {"training": False}),
]
