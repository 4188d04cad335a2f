"""Casting: NumPy's conversions, and values worked out by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, a

RULES = [
    Rule("cast", "float to int32 truncates toward 0", (a(1.7, -1.7, 0.5),), a(1.0, -1.0, 0.0), {"dtype": "int32"}),
    Rule("true_divide", "true division of integers is a float", (np.array([1, 3]), np.array([2, 2])), a(0.5, 1.5)),
    Rule("float_power", "float_power is NumPy's", (a(2.0, 4.0, 0.0), a(0.5, -1.0, 0.0)), np.float_power),
]
