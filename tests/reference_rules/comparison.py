"""Comparisons and logic: IEEE 754 as NumPy implements it."""

from __future__ import annotations

import numpy as np

from reference_rules.common import API, INF, NAN, SPECIAL, Rule, a

RULES = [
    Rule("equal", "NaN equals nothing, itself included; -0 == +0", (a(NAN, -0.0, 1.0), a(NAN, 0.0, 2.0)), np.equal,
         cite=API.format("equal")),
    Rule("not_equal", "NaN != NaN is true", (a(NAN, 1.0), a(NAN, 1.0)), np.not_equal, cite=API.format("not_equal")),
    Rule("less", "a comparison with NaN is false", (a(NAN, 1.0, -INF), a(1.0, NAN, INF)), np.less, cite=API.format("less")),
    Rule("greater_equal", "a comparison with NaN is false; inf >= inf", (a(NAN, INF), a(NAN, INF)), np.greater_equal,
         cite=API.format("greater_equal")),
    Rule("isnan", "only NaN is NaN", (a(*SPECIAL),), np.isnan, cite=API.format("isnan")),
    Rule("isinf", "+-inf only", (a(*SPECIAL),), np.isinf, cite=API.format("isinf")),
    Rule("isfinite", "neither NaN nor +-inf", (a(*SPECIAL),), np.isfinite, cite=API.format("isfinite")),
    Rule("isclose", "NaN is not close to NaN unless equal_nan; inf is close to inf",
         (a(NAN, INF, 1.0), a(NAN, INF, 1.0 + 1e-9)),
         lambda x, y: np.isclose(x, y, rtol=1e-5, atol=1e-8)),
    Rule("logical_xor", "nonzero is true, NaN included", (a(NAN, 0.0, 1.0), a(0.0, 0.0, 2.0)), np.logical_xor),
    Rule("where", "picks x where the condition holds", (np.array([True, False]), a(1.0, 2.0), a(3.0, 4.0)), a(1.0, 4.0)),
    Rule("less_equal", "a comparison with NaN is false; -0 <= +0",
         (a(NAN, 1.0, -INF, -0.0, 2.0), a(NAN, NAN, INF, 0.0, 1.0)), np.less_equal, cite=API.format("less_equal")),
    Rule("greater", "a comparison with NaN is false; inf > inf is false; -0 > +0 is false",
         (a(NAN, 2.0, INF, 0.0, 3.0), a(1.0, NAN, INF, -0.0, -INF)), np.greater, cite=API.format("greater")),
    Rule("logical_and", "nonzero is true, NaN included; -0 is false",
         (a(NAN, 0.0, 1.0, -0.0, 2.0), a(1.0, 1.0, 2.0, 1.0, 0.0)), np.logical_and),
    Rule("logical_or", "nonzero is true, NaN included; -0 is false", (a(NAN, 0.0, -0.0, 0.0), a(0.0, 0.0, 0.0, INF)),
         np.logical_or),
    Rule("logical_not", "nonzero is true, NaN included; -0 is false", (a(NAN, 0.0, -0.0, 3.0, -INF),), np.logical_not),
]

RULES += [
    Rule("isposinf", "true for +inf only: not -inf, NaN or the largest float (np.isposinf)",
         (a(INF, -INF, NAN, 1.7976931348623157e308, 0.0),), np.isposinf),
    Rule("isposinf", "false for every integer", (np.array([0, 2**62, -1]),), a(0.0, 0.0, 0.0)),
    Rule("isneginf", "true for -inf only (np.isneginf)", (a(INF, -INF, NAN, -1.7976931348623157e308, -0.0),),
         np.isneginf),
]
