"""Conversions to Python values: NumPy's item(), float() and tolist()."""

from __future__ import annotations

import numpy as np

from reference_rules.common import NAN, Raises, Rule, S, a

RULES = [
    Rule("item", "the single element, -0 kept", (np.array(-0.0),), -0.0, signed=True),
    Rule("item", "a one-element array of any rank", (a(2.5).reshape(1, 1),), 2.5),
    Rule("item", "more than one element raises (NumPy: ValueError)", (a(1.0, 2.0),), Raises(ValueError)),
    Rule("to_float", "Python's float of a 0-d array, NaN kept", (np.array(NAN),), NAN),
    Rule("to_float", "a 1-D array raises, as NumPy 2's float(): only 0-d arrays convert", (a(2.5),), Raises(TypeError)),
    Rule("to_list", "nested lists, as np.ndarray.tolist", (S,), S.tolist()),
]
