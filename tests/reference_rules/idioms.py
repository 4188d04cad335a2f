"""Idioms: eager Python, computed by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, a

RULES = [
    Rule("compiled_if_on_value", "eager: a positive sum takes the doubling branch", (a(1.0, -0.5, 2.0),),
         a(2.0, -1.0, 4.0)),
    Rule("compiled_if_on_value", "eager: a sum of 0 or less negates", (a(-1.0, 0.5),), a(1.0, -0.5)),
    Rule("compiled_side_effect_count", "eager: two calls append twice", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_global_read", "eager: the second call reads scale = 2.0", (a(1.0, 2.0),), a(2.0, 4.0)),
    Rule("compiled_scalar_argument_runs", "eager: the body runs on both calls", (a(1.0, 2.0),), np.float64(2.0)),
]
