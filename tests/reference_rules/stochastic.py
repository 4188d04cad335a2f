"""Stochastic layers: the cases where dropout has one intended value (the default initialisers are EXCLUDED)."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, S, a

RULES = [
    Rule("dropout_layer", "inference (the reference's unpinned mode): x unchanged", (S,), S, {"rate": 0.5}),
    Rule("dropout_layer", "training with rate 0: every element kept, scaled by 1 / (1 - 0) = 1", (S,), S,
         {"rate": 0.0, "training": True}),
]

# Samplers (oracle/ops/sampling.py): a sample has no single value, but a degenerate distribution has one
RULES += [
    Rule("categorical_sample", "logits [0, 1000]: softmax puts all mass on class 1", (a(0.0, 1000.0),),
         np.ones(5), {"num_samples": 5}),
    Rule("multinomial_sample", "weights [0, 2]: every draw is class 1", (a(0.0, 2.0),), np.ones(5), {"num_samples": 5}),
    Rule("normal_sample", "std 0: every draw is the mean", (), np.full(4, 1.5), {"num_samples": 4, "mean": 1.5,
                                                                                 "std": 0.0}),
    Rule("uniform_sample", "low = high: every draw is that value", (), np.full(4, 2.0),
         {"num_samples": 4, "low": 2.0, "high": 2.0}),
    Rule("truncated_normal_sample", "std 0: every draw is 0", (), np.zeros(4), {"num_samples": 4, "std": 0.0}),
]
