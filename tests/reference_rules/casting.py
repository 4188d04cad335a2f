"""Casting: NumPy's conversions, and values worked out by hand."""

from __future__ import annotations

import numpy as np

from oracle.ops.refctx import Undefined
from reference_rules.common import INF, NAN, Raises, Rule, a

RULES = [
    Rule("cast", "float to int32 truncates toward 0", (a(1.7, -1.7, 0.5),), a(1.0, -1.0, 0.0), {"dtype": "int32"}),
    Rule("true_divide", "true division of integers is a float", (np.array([1, 3]), np.array([2, 2])), a(0.5, 1.5)),
    Rule("float_power", "float_power is NumPy's", (a(2.0, 4.0, 0.0), a(0.5, -1.0, 0.0)), np.float_power),
    # by hand: int8 -1 is 0xff, uint8 255; -128 is 0x80, 128
    Rule("bitcast", "int8 to uint8 keeps the bits: two's complement", (np.array([-1, -128, 5, 0], dtype=np.int8),),
         a(255.0, 128.0, 5.0, 0.0), {"dtype": "uint8"}),
    Rule("bitcast", "a float input has no stored bits in the reference: undefined", (a(1.0),), Raises(Undefined),
         {"dtype": "int64"}),
    Rule("bitcast", "a change of element size is undefined", (np.array([1], dtype=np.int32),), Raises(Undefined),
         {"dtype": "int8"}),
    # by hand: int8 holds [-128, 127]; trunc(1.7) = 1, trunc(-1.7) = -1; +-inf saturate too
    Rule("saturate_cast", "out-of-range floats clamp to the int8 limits; the rest truncate toward 0",
         (a(300.0, -300.0, 1.7, -1.7, INF, -INF, 127.9),), a(127.0, -128.0, 1.0, -1.0, 127.0, -128.0, 127.0),
         {"dtype": "int8"}),
    Rule("saturate_cast", "integers clamp to uint8's [0, 255]", (np.array([300, -300, 5]),), a(255.0, 0.0, 5.0),
         {"dtype": "uint8"}),
    Rule("saturate_cast", "NaN has no integer value: undefined", (a(NAN, 1.0),), Raises(Undefined), {"dtype": "int32"}),
    # by hand: 100 + 100 + 100 = 300 = 256 + 44
    Rule("sum_as", "int8 accumulation wraps modulo 256", (a(100.0, 100.0, 100.0),), 44.0, {"dtype": "int8"}),
    # by hand: 1 + 4 * 2^-24 = 1 + 2^-22 is a float32; a float32 running sum stays at 1 (1 + 2^-24 ties to even 1)
    Rule("sum_as", "float32: the exact sum rounded once, not a float32 running sum",
         (a(1.0, 2.0 ** -24, 2.0 ** -24, 2.0 ** -24, 2.0 ** -24),), float(np.float32(1.0 + 2.0 ** -22)),
         {"dtype": "float32"}),
    Rule("mean_as", "float32: the exact mean 7/3 rounded once", (a(1.0, 2.0, 4.0),), float(np.float32(7.0 / 3.0)),
         {"dtype": "float32"}),
    Rule("mean_as", "an integer mean has no stated rounding: undefined", (a(1.0, 2.0),), Raises(Undefined),
         {"dtype": "int32"}),
    Rule("cast_like", "an integer `like` truncates toward 0", (a(1.7, -1.7, -0.0), np.array([0, 0, 0], dtype=np.int32)),
         a(1.0, -1.0, 0.0), signed=True),
    Rule("cast_like", "a float `like` keeps the values (float64 in the reference)", (a(1.5, -0.0, INF), a(0.0)),
         a(1.5, -0.0, INF), signed=True),
]
