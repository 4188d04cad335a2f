"""Idioms: eager Python, computed by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Raises, Rule, a

RULES = [
    Rule("compiled_if_on_value", "eager: a positive sum takes the doubling branch", (a(1.0, -0.5, 2.0),),
         a(2.0, -1.0, 4.0)),
    Rule("compiled_if_on_value", "eager: a sum of 0 or less negates", (a(-1.0, 0.5),), a(1.0, -0.5)),
    Rule("compiled_side_effect_count", "eager: two calls append twice", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_global_read", "eager: the second call reads scale = 2.0", (a(1.0, 2.0),), a(2.0, 4.0)),
    Rule("compiled_scalar_argument_runs", "eager: the body runs on both calls", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_new_shape_runs", "eager: the body runs on all three calls", (a(1.0, -0.5, 2.0),), np.float64(3.0)),
    Rule("compiled_new_dtype_runs", "eager: the body runs on all three calls",
         (a(1.0, -0.5, 2.0), np.array([1, 2, 3], dtype=np.int32)), np.float64(3.0)),
    Rule("compiled_float_of_value", "eager: float(sum) = 2.5 scales x", (a(1.0, -0.5, 2.0),), a(2.5, -1.25, 5.0)),
    Rule("compiled_boolean_mask", "eager: the positive values, in order", (a(1.0, -0.5, 2.0),), a(1.0, 2.0)),
    Rule("compiled_boolean_mask", "eager: no positive value, an empty result", (a(-1.0, 0.0),), a()),
    Rule("compiled_while_on_value", "eager: doubled until the sum reaches 10", (a(1.0, -0.5, 2.0),), a(4.0, -2.0, 8.0)),
    Rule("compiled_while_on_value", "eager: a sum of 10 or more never loops", (a(20.0),), a(20.0)),
    Rule("compiled_item_assignment", "eager: y[0] = 0 on a copy", (a(1.0, -0.5, 2.0),), a(0.0, -0.5, 2.0)),
    Rule("compiled_int_argument_slice", "eager: x[:2]", (a(1.0, -0.5, 2.0),), a(1.0, -0.5)),
    Rule("compiled_print_count", "eager: two calls print twice", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_leaked_intermediate", "eager: the kept 2x is a value, 2x + 1", (a(1.0, -0.5, 2.0),), a(3.0, 0.0, 5.0)),
    Rule("compiled_strict_if_on_value", "eager: a positive sum takes the doubling branch", (a(1.0, -0.5, 2.0),),
         a(2.0, -1.0, 4.0)),
    Rule("compiled_strict_if_on_value", "eager: a sum of 0 or less negates", (a(-1.0, 0.5),), a(1.0, -0.5)),
    Rule("compiled_static_argument_runs", "eager: the body runs on all three calls", (a(1.0, -0.5, 2.0),),
         np.float64(3.0)),
    Rule("compiled_closure_list_read", "eager: the second call reads two items", (a(1.0, -0.5),), a(2.0, -1.0)),
    Rule("compiled_out_of_bounds_index", "eager: x[3] of a length-3 vector raises IndexError", (a(1.0, -0.5, 2.0),),
         Raises(IndexError)),
]
