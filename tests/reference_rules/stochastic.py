"""Stochastic layers: the cases where dropout has one intended value (the default initialisers are EXCLUDED)."""

from __future__ import annotations

from reference_rules.common import Rule, S

RULES = [
    Rule("dropout_layer", "inference (the reference's unpinned mode): x unchanged", (S,), S, {"rate": 0.5}),
    Rule("dropout_layer", "training with rate 0: every element kept, scaled by 1 / (1 - 0) = 1", (S,), S,
         {"rate": 0.0, "training": True}),
]
