"""Gradient control: by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import NAN, Rule, S, a

RULES = [
    Rule("stop_gradient", "the value is x itself, NaN and -0 included", (a(NAN, -0.0, 2.0),), a(NAN, -0.0, 2.0),
         signed=True),
    Rule("stop_gradient", "no gradient flows back: d sum(stop_gradient(x)) / dx is 0", (S,), np.zeros_like(S), grad=True),
]
