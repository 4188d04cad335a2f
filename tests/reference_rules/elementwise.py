"""Elementwise ops: NumPy's ufuncs, SciPy's special functions and mpmath on the special values."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import scipy.special as sp

from reference_rules.common import API, INF, NAN, SPECIAL, Rule, a, mp

RULES = [
    Rule("exp", "exp on special values is NumPy's exp", (a(*SPECIAL),), np.exp, cite=API.format("exp")),
    Rule("log", "if x < 0, NaN; if x is +-0, -inf; if x is +inf, +inf", (a(-1.0, 0.0, -0.0, INF, NAN, 2.0),),
         a(NAN, -INF, -INF, INF, NAN, math.log(2.0)), cite=API.format("log")),
    Rule("sqrt", "if x < 0, NaN; if x is -0, -0; sqrt(+inf) is +inf", (a(-1.0, -0.0, 0.0, INF, 4.0),),
         a(NAN, -0.0, 0.0, INF, 2.0), signed=True, cite=API.format("sqrt")),
    Rule("abs", "if x is -0 or 0, +0; |+-inf| is +inf; NaN stays NaN", (a(-0.0, 0.0, -INF, INF, NAN, -2.5),),
         a(0.0, 0.0, INF, INF, NAN, 2.5), signed=True, cite=API.format("abs")),
    Rule("negative", "-(+0) is -0", (a(0.0, -0.0, INF, NAN),), a(-0.0, 0.0, -INF, NAN), signed=True),
    Rule("sign", "sign(+-0) is 0, sign(NaN) is NaN", (a(-0.0, 0.0, -3.0, 2.0, NAN, -INF),), np.sign,
         cite=API.format("sign")),
    Rule("sin", "sin on special values is NumPy's", (a(*SPECIAL),), np.sin, cite=API.format("sin")),
    Rule("cos", "cos on special values is NumPy's", (a(*SPECIAL),), np.cos, cite=API.format("cos")),
    Rule("tanh", "tanh(+-inf) is +-1, tanh(-0) is -0", (a(*SPECIAL),), np.tanh, signed=True, cite=API.format("tanh")),
    Rule("sinh", "sinh on special values is NumPy's", (a(*SPECIAL[:7]),), np.sinh, cite=API.format("sinh")),
    Rule("cosh", "cosh on special values is NumPy's", (a(*SPECIAL[:7]),), np.cosh, cite=API.format("cosh")),
    Rule("arcsin", "|x| > 1 gives NaN", (a(-1.5, -1.0, 0.5, 1.0, 2.0, NAN),), np.arcsin, cite=API.format("asin")),
    Rule("arctan", "arctan(+-inf) is +-pi/2", (a(*SPECIAL),), np.arctan, cite=API.format("atan")),
    Rule("expm1", "expm1 near 0 keeps precision (mpmath)", (a(1e-10, -1e-12, 0.5, -INF),), mp(mpmath.expm1)),
    Rule("log1p", "log1p near 0 keeps precision; log1p(-1) is -inf", (a(1e-10, -1e-12, 0.5, -1.0),),
         a(float(mpmath.log1p(mpmath.mpf(1e-10))), float(mpmath.log1p(mpmath.mpf(-1e-12))), math.log1p(0.5), -INF)),
    Rule("log2", "log2 is NumPy's", (a(1.0, 8.0, 0.0, INF, -1.0),), np.log2),
    Rule("log10", "log10 is NumPy's", (a(1.0, 1000.0, 0.0, INF, -1.0),), np.log10),
    Rule("floor", "floor keeps -0 and +-inf", (a(-0.0, -1.5, 1.5, INF, -INF, NAN),), np.floor, signed=True),
    Rule("ceil", "ceil(-0.5) is -0", (a(-0.5, 1.2, -INF, NAN),), np.ceil, signed=True),
    Rule("trunc", "trunc rounds toward 0", (a(-1.7, 1.7, -0.2, INF),), np.trunc, signed=True),
    Rule("square", "square on special values is NumPy's", (a(*SPECIAL[:7]),), np.square),
    Rule("reciprocal", "1/+-0 is +-inf", (a(0.0, -0.0, INF, 4.0),), a(INF, -INF, 0.0, 0.25), signed=True),
    Rule("erf", "erf is SciPy's", (a(*SPECIAL),), sp.erf),
    Rule("erfc", "erfc is SciPy's (tails included)", (a(-INF, 0.0, 5.0, 30.0, NAN),), sp.erfc),
    Rule("lgamma", "lgamma is log|Gamma| (SciPy's gammaln); poles give +inf", (a(0.5, 3.0, -2.5, 0.0, -1.0),),
         sp.gammaln),
    Rule("digamma", "digamma is SciPy's psi", (a(0.5, 3.0, 10.0, -2.5),), sp.psi),
    Rule("add", "inf + -inf is NaN; -0 + -0 is -0", (a(INF, -0.0, 1.0), a(-INF, -0.0, NAN)), np.add, signed=True,
         cite=API.format("add")),
    Rule("subtract", "inf - inf is NaN", (a(INF, 1.0), a(INF, 2.0)), np.subtract),
    Rule("multiply", "0 * inf is NaN", (a(0.0, -2.0, INF), a(INF, -0.0, -1.0)), np.multiply, signed=True,
         cite=API.format("multiply")),
    Rule("divide", "x / 0 is +-inf or NaN (0 / 0)", (a(1.0, -1.0, 0.0, 1.0), a(0.0, 0.0, 0.0, -0.0)), np.divide,
         cite=API.format("divide")),
    Rule("maximum", "if either is NaN, the result is NaN", (a(NAN, 1.0, -INF), a(0.0, NAN, 2.0)), np.maximum,
         cite=API.format("maximum")),
    Rule("minimum", "if either is NaN, the result is NaN", (a(NAN, 1.0, INF), a(0.0, NAN, 2.0)), np.minimum,
         cite=API.format("minimum")),
    Rule("fmax", "a NaN operand is ignored", (a(NAN, 1.0, NAN), a(0.0, NAN, NAN)), np.fmax),
    Rule("fmin", "a NaN operand is ignored", (a(NAN, 1.0, NAN), a(0.0, NAN, NAN)), np.fmin),
    Rule("hypot", "if either is +-inf, the result is +inf, even beside NaN",
         (a(INF, 3.0, 1e300, -INF, NAN, 0.0), a(NAN, 4.0, 1e300, 2.0, 1.0, 0.0)), np.hypot, cite=API.format("hypot")),
    Rule("logaddexp", "logaddexp(-inf, -inf) is -inf; large arguments do not overflow",
         (a(-INF, 1000.0, 1.0), a(-INF, 1000.0, 2.0)), np.logaddexp, cite=API.format("logaddexp")),
    Rule("xlogy", "0 * log(0) is 0; xlogy is SciPy's", (a(0.0, 0.0, 2.0, 1.0), a(0.0, 3.0, 0.0, NAN)), sp.xlogy),
    Rule("arctan2", "the signs of zeros choose the quadrant", (a(0.0, -0.0, 0.0, -0.0), a(-0.0, -0.0, 0.0, 0.0)),
         np.arctan2, signed=True, cite=API.format("atan2")),
    Rule("pow", "x ** 0 is 1 even for NaN; 1 ** y is 1", (a(NAN, 1.0, 2.0, 0.0), a(0.0, NAN, -1.0, -1.0)), np.power,
         cite=API.format("pow")),
    Rule("remainder", "the result takes the divisor's sign", (a(5.0, -5.0, 5.0), a(3.0, 3.0, -3.0)), np.remainder),
    Rule("fmod", "the result takes the dividend's sign", (a(5.0, -5.0, 5.0), a(3.0, 3.0, -3.0)), np.fmod),
    Rule("floor_divide", "rounds toward -inf; 1 // 0 is inf", (a(5.0, -5.0, 1.0), a(3.0, 3.0, 0.0)), np.floor_divide),
    Rule("round", "halves round to even", (a(0.5, 1.5, 2.5, -0.5),), a(0.0, 2.0, 2.0, -0.0), signed=True,
         cite=API.format("round")),
]
