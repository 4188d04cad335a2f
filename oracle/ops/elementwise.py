"""Elementwise math: arithmetic operators and unary/binary functions, NumPy broadcasting throughout.

Reference conventions at kinks, ties and poles are stated per op (`conventions=`) and
implemented explicitly, so jax.numpy and NumPy compute the same thing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from oracle.ops.refctx import ShapeMismatch, Undefined
from oracle.ops.spec import (
    Arg,
    Attr,
    OpDef,
    call,
    expression,
    fix,
    functions,
    methods,
    none,
    op,
    operator,
    switch,
    with_forms,
)


def _int_zero_check(r: Any, name: str, x: Any, y: Any) -> None:
    """Integer division (or remainder) by zero has no integer result: the reference raises."""
    if hasattr(y, "dtype") and r.is_integer(y) and (not hasattr(x, "dtype") or r.is_integer(x)):
        if (np.asarray(r.concrete(y)) == 0).any():
            raise ZeroDivisionError(f"{name}: integer division by zero")
    elif isinstance(y, int) and y == 0 and hasattr(x, "dtype") and r.is_integer(x):
        raise ZeroDivisionError(f"{name}: integer division by zero")


def _pow(r, x, y):  # type: ignore[no-untyped-def]
    int_x = hasattr(x, "dtype") and r.is_integer(x) or isinstance(x, int)
    int_y = hasattr(y, "dtype") and r.is_integer(y) or isinstance(y, int)
    if int_x and int_y and (np.asarray(y if isinstance(y, int) else r.concrete(y)) < 0).any():
        raise ValueError("pow: integers to negative integer powers have no integer result")
    return x ** y


def _binary_operator(name: str, symbol: str, doc: str, formula: str, reference: Any = None) -> OpDef:
    def default(r, x, y):  # type: ignore[no-untyped-def]
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y}[symbol]()

    return op(name, "elementwise", "x y", f"{doc}; {formula}", reference or default,
              torch=operator(symbol), tensorflow=operator(symbol), jax=operator(symbol))


def _unary(name: str, doc: str, formula: Any, torch: str, tensorflow: str, jax: str, domain: str = "real",
           conventions: str = "") -> OpDef:
    tf_binding = none(tensorflow.removeprefix("none:").strip()) if tensorflow.startswith("none:") else call(tensorflow)
    return op(name, "elementwise", (Arg("x", domain=domain),), doc, formula, conventions=conventions,
              torch=call(torch), tensorflow=tf_binding, jax=call(jax))


def _binary(name: str, doc: str, formula: Any, torch: str, tensorflow: str, jax: str, args: str = "x y",
            conventions: str = "") -> OpDef:
    tf_binding = none(tensorflow.removeprefix("none:").strip()) if tensorflow.startswith("none:") else call(tensorflow)
    return op(name, "elementwise", args, doc, formula, conventions=conventions,
              torch=call(torch), tensorflow=tf_binding, jax=call(jax))


def _floor_divide(r, x, y):  # type: ignore[no-untyped-def]
    _int_zero_check(r, "floor_divide", x, y)
    return r.xp.floor_divide(x, y)


def _trunc_divide(r, x, y):  # type: ignore[no-untyped-def]
    _int_zero_check(r, "trunc_divide", x, y)
    if hasattr(x, "dtype") and r.is_integer(x) and (not hasattr(y, "dtype") or r.is_integer(y)):
        q = r.xp.abs(x) // r.xp.abs(y)
        return r.xp.where((x < 0) != (y < 0), -q, q)
    return r.xp.trunc(x / y)


def _remainder(r, x, y):  # type: ignore[no-untyped-def]
    _int_zero_check(r, "remainder", x, y)
    result = r.xp.remainder(x, y)
    if hasattr(result, "dtype") and r.is_integer(result):
        return result
    return r.xp.where(result == 0, r.xp.copysign(result * 0.0, y), result)  # a zero takes the divisor's sign


def _fmod(r, x, y):  # type: ignore[no-untyped-def]
    _int_zero_check(r, "fmod", x, y)
    return r.xp.fmod(x, y)


def _sign(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x > 0, 1.0, xp.where(x < 0, -1.0, x * 0.0))


def _abs(r, x):  # type: ignore[no-untyped-def]
    if r.xp.iscomplexobj(x):
        return r.xp.hypot(r.xp.real(x), r.xp.imag(x))
    return x * (r.xp.sign(x) if r.is_integer(x) else _sign(r, x))


def _max(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x > y, x, xp.where(x < y, y, (x + y) / 2))


def _min(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x < y, x, xp.where(x > y, y, (x + y) / 2))


def _fmax(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, _max(r, x, y)))


def _fmin(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, _min(r, x, y)))


def _clip(r, x, min, max):  # type: ignore[no-untyped-def]
    xp, y = r.xp, x
    if min is not None:
        y = xp.where(y < min, min, y)
    if max is not None:
        y = xp.where(y > max, max, y)
    return y


def _round(r, x, decimals):  # type: ignore[no-untyped-def]
    if not decimals:
        return r.xp.round(x)
    scale = 10.0 ** decimals
    return r.xp.round(x * scale) / scale


def _nonpositive_integer(r, x):  # type: ignore[no-untyped-def]
    return (x <= 0) & (r.xp.floor(x) == x)


def _digamma(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    pole = _nonpositive_integer(r, x)
    return xp.where(pole, xp.nan, r.special.digamma(xp.where(pole, 0.5, x)))


def _lgamma(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    pole = _nonpositive_integer(r, x)
    return xp.where(pole, xp.inf, r.special.gammaln(xp.where(pole, 0.5, x)))


def _xlogy(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    safe = (x == 0) & ((y == 0) | xp.isposinf(y))
    return x * xp.where(safe, 0.0, xp.log(xp.where(safe, 1.0, y)))


def _logaddexp(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    m = xp.maximum(x, y)
    both_inf = xp.isinf(m) & (x == y)
    m_safe = xp.where(xp.isinf(m), 0.0, m)
    return xp.where(both_inf, m, m_safe + xp.log(xp.exp(x - m_safe) + xp.exp(y - m_safe)))


def _nan_to_num(r, x, nan, posinf, neginf):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import Undefined

    xp = r.xp
    if posinf is None or neginf is None:
        try:
            values = np.asarray(r.concrete(x), dtype=np.float64)
            needed = bool((posinf is None and np.isposinf(values).any()) or (neginf is None and np.isneginf(values).any()))
        except Exception:  # a traced value (under jax.grad): its values are unknown here
            needed = True
        if needed:
            raise Undefined("nan_to_num with posinf/neginf unpinned replaces inf by the largest finite value of "
                            "the column's dtype; the float64 reference cannot state it: pin posinf and neginf")
    y = xp.where(xp.isnan(x), nan, x)
    if posinf is not None:
        y = xp.where(xp.isposinf(x), posinf, y)
    if neginf is not None:
        y = xp.where(xp.isneginf(x), neginf, y)
    return y


BOUND = Attr("float", nullable=True, reference=None, doc="a bound; the reference applies none when unpinned")


def _hypot(r, x, y):  # type: ignore[no-untyped-def]
    """Scaled by the larger magnitude, so neither square overflows nor underflows (value and gradient)."""
    xp = r.xp
    m = xp.maximum(xp.abs(x), xp.abs(y))
    safe = xp.where(m == 0, 1.0, m)
    scaled = xp.where(m == 0, 0.0 * (x + y), m * xp.sqrt((x / safe) ** 2 + (y / safe) ** 2))
    # an infinite side makes the result +inf even beside NaN (Array API hypot); scaling would give inf / inf
    return xp.where(xp.isinf(x) | xp.isinf(y), xp.inf, scaled)


def _add_n(r, x, y):  # type: ignore[no-untyped-def]
    if r.xp.shape(x) != r.xp.shape(y):
        raise ShapeMismatch(f"add_n sums tensors of one shape, got {list(r.xp.shape(x))} and {list(r.xp.shape(y))}")
    return x + y


# ---- integer, bit-level and special functions (catalogue round 2)

def _bitwise(name: str, doc: str, formula: Any, torch: str, tensorflow: str, jax: str, args: int = 2,
             conventions: str = "") -> OpDef:
    """Integer (or bool) operands only: a float operand is an error in every framework (and in the reference)."""
    tf_binding = none(tensorflow.removeprefix("none:").strip()) if tensorflow.startswith("none:") else call(tensorflow)
    return op(name, "elementwise", tuple(Arg(n, "int_tensor") for n in ("x", "y")[:args]), doc, formula,
              conventions=conventions, torch=call(torch), tensorflow=tf_binding, jax=call(jax))


def _integers(r: Any, name: str, *values: Any) -> None:
    for v in values:
        if hasattr(v, "dtype") and not r.is_integer(v) and str(v.dtype) != "bool":
            raise TypeError(f"{name} takes integer or bool operands, got {v.dtype}")


def _shift_count(r: Any, name: str, x: Any, y: Any) -> None:
    """A count outside [0, bit width) has no stated result: C leaves it undefined and the frameworks differ."""
    _integers(r, name, x, y)
    bits = np.dtype(str(x.dtype)).itemsize * 8
    counts = np.asarray(r.concrete(y))
    if counts.size and (counts.min() < 0 or counts.max() >= bits):
        raise Undefined(f"{name}: a shift count outside [0, {bits}) for {x.dtype} has no stated result "
                        f"(C leaves it undefined), got {counts.min()}..{counts.max()}")


def _bit_and(r, x, y):  # type: ignore[no-untyped-def]
    _integers(r, "bitwise_and", x, y)
    return x & y


def _bit_or(r, x, y):  # type: ignore[no-untyped-def]
    _integers(r, "bitwise_or", x, y)
    return x | y


def _bit_xor(r, x, y):  # type: ignore[no-untyped-def]
    _integers(r, "bitwise_xor", x, y)
    return x ^ y


def _bit_not(r, x):  # type: ignore[no-untyped-def]
    _integers(r, "bitwise_not", x)
    return ~x


def _left_shift(r, x, y):  # type: ignore[no-untyped-def]
    _shift_count(r, "left_shift", x, y)
    return x << y.astype(x.dtype)


def _right_shift(r, x, y):  # type: ignore[no-untyped-def]
    _shift_count(r, "right_shift", x, y)
    return x >> y.astype(x.dtype)


def _cbrt(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x == 0, x, xp.sign(x) * xp.abs(x) ** (1.0 / 3.0))


def _arctanh(r, x):  # type: ignore[no-untyped-def]
    return 0.5 * r.xp.log1p(2 * x / (1 - x))


def _logaddexp2(r, x, y):  # type: ignore[no-untyped-def]
    ln2 = math.log(2.0)
    return _logaddexp(r, x * ln2, y * ln2) / ln2


def _copysign(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(xp.signbit(y), -xp.abs(x), xp.abs(x))


def _heaviside(r, x, values):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(xp.isnan(x), x, xp.where(x < 0, 0.0, xp.where(x > 0, 1.0, values)))


def _logit(r, x):  # type: ignore[no-untyped-def]
    return r.xp.log(x) - r.xp.log1p(-x)


def _sinc(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    zero = x == 0
    px = math.pi * xp.where(zero, 1.0, x)
    return xp.where(zero, 1.0, xp.sin(px) / px)


def _ldexp(r, x, e):  # type: ignore[no-untyped-def]
    if hasattr(e, "dtype") and not r.is_integer(e):
        raise TypeError(f"ldexp takes an integer exponent, got {e.dtype}")
    return x * 2.0 ** e


def _gcd(r, x, y):  # type: ignore[no-untyped-def]
    _integers(r, "gcd", x, y)
    return r.xp.gcd(x, y)


def _lcm(r, x, y):  # type: ignore[no-untyped-def]
    _integers(r, "lcm", x, y)
    return r.xp.lcm(x, y)


def _xlog1py(r, x, y):  # type: ignore[no-untyped-def]
    xp = r.xp
    safe = (x == 0) & ~xp.isnan(y)
    return xp.where(safe, 0.0, x * xp.log1p(xp.where(safe, 0.0, y)))


def _entr(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    positive = x > 0
    return xp.where(positive, -x * xp.log(xp.where(positive, x, 1.0)), xp.where(x == 0, 0.0, xp.where(
        xp.isnan(x), x, -xp.inf)))


TRUNC = fix("trunc", "torch.div divides truly by default; trunc is the op")

OPS = [
    _binary_operator("add", "+", "x + y as users write it (the operator)", "NumPy broadcasting"),
    op("add_n", "elementwise", "x y", "the sum of the list [x, y] (tf.math.add_n)", _add_n,
       conventions="no broadcasting: the tensors have one shape (and, in TensorFlow, one dtype)",
       torch=none("torch has no add_n: users write x + y or torch.stack([x, y]).sum(0)"),
       tensorflow=expression("tf.math.add_n([x, y])"),
       jax=none("jax.numpy has no add_n: users write x + y or sum([x, y])")),
    _binary_operator("subtract", "-", "x - y as users write it (the operator)", "NumPy broadcasting"),
    _binary_operator("multiply", "*", "x * y as users write it (the operator)", "NumPy broadcasting"),
    _binary_operator("divide", "/", "x / y, true division, as users write it (the operator)",
                     "x / 0 is +-inf, 0 / 0 is NaN; integers divide to a floating result"),
    _binary_operator("pow", "**", "x ** y as users write it (the operator)",
                     "NumPy broadcasting; integers to negative integer powers raise ValueError (as NumPy)", _pow),
    op("negative", "elementwise", "x", "-x", lambda r, x: -x,
       torch=call("torch.neg"), tensorflow=call("tf.math.negative"), jax=call("jnp.negative")),
    op("abs", "elementwise", "x", "|x|; for a complex x the modulus sqrt(re^2 + im^2), a real tensor", _abs,
       conventions="the gradient at 0 is 0 (the subgradient sign(0) = 0); abs(-0.0) = +0.0; integers stay in their "
                   "dtype, so |INT_MIN| wraps to INT_MIN (two's complement); complex: hypot(re, im), so an "
                   "infinite part gives inf even beside NaN",
       torch=call("torch.abs"), tensorflow=call("tf.math.abs"), jax=call("jnp.abs")),
    op("exp", "elementwise", "x", "e ** x", lambda r, x: r.xp.exp(x),
       torch=call("torch.exp"), tensorflow=call("tf.math.exp"), jax=call("jnp.exp")),
    op("log", "elementwise", "x", "natural logarithm; log(0) = -inf, log(x < 0) = NaN", lambda r, x: r.xp.log(x),
       torch=call("torch.log"), tensorflow=call("tf.math.log"), jax=call("jnp.log")),
    op("sqrt", "elementwise", "x", "square root; sqrt(x < 0) = NaN, its gradient at 0 is +inf",
       lambda r, x: r.xp.sqrt(x),
       torch=call("torch.sqrt"), tensorflow=call("tf.math.sqrt"), jax=call("jnp.sqrt")),
    # division family
    _binary("floor_divide", "floor(x / y) (Python's //): rounds toward -inf; float x / 0 gives +-inf or NaN",
            _floor_divide, "torch.floor_divide", "tf.math.floordiv", "jnp.floor_divide",
            conventions="integer division by zero raises ZeroDivisionError; the gradient is 0 almost everywhere"),
    op("trunc_divide", "elementwise", "x y", "trunc(x / y) (C integer division): rounds toward 0",
       _trunc_divide, conventions="integer division by zero raises ZeroDivisionError; the gradient is 0",
       torch=call("torch.div", fixed={"rounding_mode": TRUNC}), tensorflow=call("tf.truncatediv"),
       jax=switch("x", integer=call("jax.lax.div"),
                  floating=none("jax has no truncating division of floats: jax.lax.div truncates integers only and "
                                "divides floats exactly"))),
    _binary("remainder", "x - floor(x / y) * y (Python's %): the result takes the divisor's sign",
            _remainder, "torch.remainder", "tf.math.floormod", "jnp.remainder",
            conventions="integer remainder by zero raises ZeroDivisionError; float remainder by 0 is NaN"),
    _binary("fmod", "C fmod: x - trunc(x / y) * y, the result takes the dividend's sign",
            _fmod, "torch.fmod", "tf.truncatemod", "jnp.fmod",
            conventions="integer fmod by zero raises ZeroDivisionError; float fmod by 0 is NaN"),
    # unary arithmetic
    _unary("sign", "-1, 0 or 1 by the sign of x", _sign, "torch.sign", "tf.math.sign", "jnp.sign",
           conventions="sign(+-0) is the zero itself (-0 stays -0), sign(NaN) = NaN; the gradient is 0 everywhere"),
    _unary("reciprocal", "1 / x in floating point, also for integer inputs (1 / 0 = inf)",
           lambda r, x: 1.0 / x, "torch.reciprocal", "tf.math.reciprocal", "jnp.reciprocal"),
    _unary("square", "x * x", lambda r, x: x * x, "torch.square", "tf.math.square", "jnp.square"),
    _unary("rsqrt", "1 / sqrt(x): rsqrt(+0) = inf, rsqrt(-0) = -inf (1 / -0), rsqrt(x < 0) = NaN",
           lambda r, x: 1.0 / r.xp.sqrt(x), "torch.rsqrt", "tf.math.rsqrt", "jax.lax.rsqrt"),
    _unary("expm1", "e ** x - 1, accurate for small x", lambda r, x: r.xp.expm1(x),
           "torch.expm1", "tf.math.expm1", "jnp.expm1"),
    _unary("log1p", "log(1 + x), accurate for small x; log1p(-1) = -inf", lambda r, x: r.xp.log1p(x),
           "torch.log1p", "tf.math.log1p", "jnp.log1p"),
    _unary("log2", "base-2 logarithm (TensorFlow: keras.ops.log2, tf.math has none)", lambda r, x: r.xp.log2(x),
           "torch.log2", "keras.ops.log2", "jnp.log2"),
    _unary("log10", "base-10 logarithm (TensorFlow: keras.ops.log10, tf.math has none)",
           lambda r, x: r.xp.log10(x), "torch.log10", "keras.ops.log10", "jnp.log10"),
    # trigonometric and hyperbolic
    _unary("sin", "sine (radians)", lambda r, x: r.xp.sin(x), "torch.sin", "tf.math.sin", "jnp.sin"),
    _unary("cos", "cosine (radians)", lambda r, x: r.xp.cos(x), "torch.cos", "tf.math.cos", "jnp.cos"),
    _unary("tan", "tangent (radians)", lambda r, x: r.xp.tan(x), "torch.tan", "tf.math.tan", "jnp.tan"),
    _unary("tanh", "hyperbolic tangent", lambda r, x: r.xp.tanh(x), "torch.tanh", "tf.math.tanh", "jnp.tanh"),
    _unary("sinh", "hyperbolic sine; overflows to +-inf", lambda r, x: r.xp.sinh(x),
           "torch.sinh", "tf.math.sinh", "jnp.sinh"),
    _unary("cosh", "hyperbolic cosine; overflows to inf", lambda r, x: r.xp.cosh(x),
           "torch.cosh", "tf.math.cosh", "jnp.cosh"),
    _unary("arcsin", "inverse sine; NaN outside [-1, 1], gradient +inf at +-1", lambda r, x: r.xp.arcsin(x),
           "torch.asin", "tf.math.asin", "jnp.arcsin"),
    _unary("arccos", "inverse cosine; NaN outside [-1, 1], gradient -inf at +-1", lambda r, x: r.xp.arccos(x),
           "torch.acos", "tf.math.acos", "jnp.arccos"),
    _unary("arctan", "inverse tangent", lambda r, x: r.xp.arctan(x), "torch.atan", "tf.math.atan", "jnp.arctan"),
    _binary("arctan2", "the angle of the point (x, y) in (-pi, pi], y first (C atan2): signed zeros pick the "
            "half-plane, atan2(+0, -0) = pi, atan2(-0, -0) = -pi", lambda r, y, x: r.xp.arctan2(y, x),
            "torch.atan2", "tf.math.atan2", "jnp.arctan2", args="y x"),
    # rounding
    _unary("floor", "largest integer <= x; gradient 0", lambda r, x: r.xp.floor(x),
           "torch.floor", "tf.math.floor", "jnp.floor"),
    _unary("ceil", "smallest integer >= x; gradient 0", lambda r, x: r.xp.ceil(x),
           "torch.ceil", "tf.math.ceil", "jnp.ceil"),
    _unary("trunc", "x rounded toward 0 (TensorFlow: keras.ops.trunc, tf.math has none); gradient 0",
           lambda r, x: r.xp.trunc(x), "torch.trunc", "keras.ops.trunc", "jnp.trunc"),
    op("round", "elementwise", "x", "round to the nearest integer (or `decimals` places), halves to even "
       "(0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0)", _round,
       attrs={"decimals": Attr("int", reference=0, doc="decimal places; the reference rounds to integers unpinned")},
       conventions="halves round to the even neighbour; the gradient is 0",
       torch=call("torch.round", decimals="decimals"), tensorflow=call("tf.math.round"),
       jax=call("jnp.round", decimals="decimals")),
    op("clip", "elementwise", "x", "min(max(x, min), max): x limited to [min, max]; a bound left null is not "
       "applied; with min > max every element becomes max", _clip,
       attrs={"min": BOUND, "max": BOUND},
       conventions="the gradient is 1 where min <= x <= max (bounds included) and 0 outside; min > max gives max",
       torch=call("torch.clamp", min="min", max="max"),
       tensorflow=call("tf.clip_by_value", min="clip_value_min", max="clip_value_max"),
       jax=call("jnp.clip", min="min", max="max")),
    # extrema
    _binary("maximum", "elementwise max; NaN in either operand propagates", _max,
            "torch.maximum", "tf.math.maximum", "jnp.maximum",
            conventions="at ties (x == y) the gradient is split, 0.5 to each operand"),
    _binary("minimum", "elementwise min; NaN in either operand propagates", _min,
            "torch.minimum", "tf.math.minimum", "jnp.minimum",
            conventions="at ties (x == y) the gradient is split, 0.5 to each operand"),
    _binary("fmax", "elementwise max ignoring NaN: a NaN operand yields the other (NaN only when both are); "
            "TensorFlow: keras.ops.fmax", _fmax, "torch.fmax", "keras.ops.fmax", "jnp.fmax",
            conventions="at ties the gradient is split, 0.5 to each operand; a NaN operand gets gradient 0"),
    _binary("fmin", "elementwise min ignoring NaN: a NaN operand yields the other (NaN only when both are); "
            "TensorFlow: keras.ops.fmin", _fmin, "torch.fmin", "keras.ops.fmin", "jnp.fmin",
            conventions="at ties the gradient is split, 0.5 to each operand; a NaN operand gets gradient 0"),
    _binary("hypot", "sqrt(x ** 2 + y ** 2) without intermediate overflow; +inf when either is infinite, NaN "
            "included (TensorFlow: keras.ops.hypot)",
            _hypot, "torch.hypot", "keras.ops.hypot", "jnp.hypot",
            conventions="written out as m * sqrt((x/m)^2 + (y/m)^2), m = max(|x|, |y|), so its gradient is x / hypot "
                        "at every scale (jnp.hypot's own gradient is not: see hypot-overflow-underflow-and-origin-"
                        "gradient); at the origin the gradient is NaN (0/0)"),
    # special functions
    _unary("erf", "the error function", lambda r, x: r.special.erf(x),
           "torch.erf", "tf.math.erf", "jax.scipy.special.erf"),
    _unary("erfc", "1 - erf(x), accurate where erf(x) is near 1", lambda r, x: r.special.erfc(x),
           "torch.erfc", "tf.math.erfc", "jax.scipy.special.erfc"),
    _unary("lgamma", "log |Gamma(x)|", _lgamma, "torch.lgamma", "tf.math.lgamma", "jax.scipy.special.gammaln",
           conventions="+inf at the poles x = 0, -1, -2, ..."),
    _unary("digamma", "d/dx log Gamma(x)", _digamma, "torch.digamma", "tf.math.digamma",
           "jax.scipy.special.digamma",
           conventions="NaN at the poles x = 0, -1, -2, ... (the limits from either side differ: -inf and +inf)"),
    _binary("logaddexp", "log(exp(x) + exp(y)) computed stably (TensorFlow: keras.ops.logaddexp)", _logaddexp,
            "torch.logaddexp", "keras.ops.logaddexp", "jnp.logaddexp",
            conventions="logaddexp(-inf, -inf) = -inf and logaddexp(inf, inf) = inf"),
    _binary("xlogy", "x * log(y) with 0 * log(y) = 0 for y in [0, inf]; NaN when y is NaN", _xlogy,
            "torch.xlogy", "tf.math.xlogy", "jax.scipy.special.xlogy",
            conventions="xlogy(0, 0) = 0; at x = 0 the gradient wrt x is log(y) (0 where y is 0 or inf) and "
                        "wrt y is 0"),
    op("nan_to_num", "elementwise", "x", "NaN -> `nan`, +inf -> `posinf`, -inf -> `neginf`; an unpinned "
       "posinf/neginf means the dtype's largest finite value (TensorFlow: keras.ops.nan_to_num)", _nan_to_num,
       attrs={"nan": Attr("float", reference=0.0, doc="NaN's replacement; the reference uses 0 unpinned"),
              "posinf": Attr("float", nullable=True, reference=None,
                             doc="+inf's replacement; unpinned it depends on the column's dtype"),
              "neginf": Attr("float", nullable=True, reference=None,
                             doc="-inf's replacement; unpinned it depends on the column's dtype")},
       conventions="the reference is undefined (unsupported) where an inf must be replaced and its replacement "
                   "is unpinned",
       torch=call("torch.nan_to_num", nan="nan", posinf="posinf", neginf="neginf"),
       tensorflow=call("keras.ops.nan_to_num", nan="nan", posinf="posinf", neginf="neginf"),
       jax=call("jnp.nan_to_num", nan="nan", posinf="posinf", neginf="neginf")),
    # integer and bit-level (int8/uint8/int16/int32/int64 or bool operands)
    _bitwise("bitwise_and", "x & y bit by bit (two's complement for signed integers)", _bit_and,
             "torch.bitwise_and", "tf.bitwise.bitwise_and", "jnp.bitwise_and",
             conventions="a floating operand raises TypeError"),
    _bitwise("bitwise_or", "x | y bit by bit", _bit_or, "torch.bitwise_or", "tf.bitwise.bitwise_or",
             "jnp.bitwise_or", conventions="a floating operand raises TypeError"),
    _bitwise("bitwise_xor", "x ^ y bit by bit", _bit_xor, "torch.bitwise_xor", "tf.bitwise.bitwise_xor",
             "jnp.bitwise_xor", conventions="a floating operand raises TypeError"),
    _bitwise("bitwise_not", "~x: every bit flipped (-x - 1 for signed integers, MAX - x for unsigned)", _bit_not,
             "torch.bitwise_not", "tf.bitwise.invert", "jnp.bitwise_not", args=1,
             conventions="a floating operand raises TypeError"),
    _bitwise("left_shift", "x << y: bits shifted left, the high bits dropped (wraps in the dtype)", _left_shift,
             "torch.bitwise_left_shift", "tf.bitwise.left_shift", "jnp.left_shift",
             conventions="a count outside [0, bit width) is undefined (the reference is unsupported there)"),
    _bitwise("right_shift", "x >> y: arithmetic shift (the sign bit copied in for signed integers)", _right_shift,
             "torch.bitwise_right_shift", "tf.bitwise.right_shift", "jnp.right_shift",
             conventions="a count outside [0, bit width) is undefined (the reference is unsupported there)"),
    _bitwise("gcd", "greatest common divisor of |x| and |y|; gcd(0, 0) = 0 (TensorFlow: keras.ops.gcd)", _gcd,
             "torch.gcd", "keras.ops.gcd", "jnp.gcd", conventions="a floating operand raises TypeError"),
    _bitwise("lcm", "least common multiple of |x| and |y|; lcm(x, 0) = 0 (tf.math and keras.ops have none)", _lcm,
             "torch.lcm", "none: TensorFlow has no lcm in tf.math or keras.ops", "jnp.lcm",
             conventions="a floating operand raises TypeError"),
    op("ldexp", "elementwise", ("x", Arg("e", "int_tensor")), "x * 2 ** e (e an integer tensor); "
       "TensorFlow: keras.ops.ldexp", _ldexp, conventions="a floating exponent raises TypeError in the reference",
       torch=call("torch.ldexp"), tensorflow=call("keras.ops.ldexp"), jax=call("jnp.ldexp")),
    # exponentials, roots, inverse hyperbolic
    _unary("exp2", "2 ** x (TensorFlow: keras.ops.exp2, tf.math has none)", lambda r, x: 2.0 ** x,
           "torch.exp2", "keras.ops.exp2", "jnp.exp2"),
    op("cbrt", "elementwise", "x", "the real cube root: cbrt(-8) = -2 (not NaN as (-8) ** (1/3) is)", _cbrt,
       conventions="sign(x) * |x| ** (1/3); +-0 and +-inf keep their sign; the gradient at 0 is inf",
       torch=none("torch has no cbrt: users write torch.sign(x) * x.abs() ** (1 / 3)"),
       tensorflow=call("keras.ops.cbrt"), jax=call("jnp.cbrt")),
    _unary("arcsinh", "inverse hyperbolic sine", lambda r, x: r.xp.arcsinh(x),
           "torch.asinh", "tf.math.asinh", "jnp.arcsinh"),
    _unary("arccosh", "inverse hyperbolic cosine; NaN for x < 1, gradient +inf at 1",
           lambda r, x: r.xp.log(x + r.xp.sqrt(x - 1) * r.xp.sqrt(x + 1)),
           "torch.acosh", "tf.math.acosh", "jnp.arccosh",
           conventions="log(x + sqrt(x - 1) sqrt(x + 1)); overflows to inf for x above ~1e154"),
    _unary("arctanh", "inverse hyperbolic tangent; +-inf at +-1, NaN outside [-1, 1]", _arctanh,
           "torch.atanh", "tf.math.atanh", "jnp.arctanh",
           conventions="0.5 * log1p(2x / (1 - x)); arctanh(-0) = -0"),
    _binary("logaddexp2", "log2(2 ** x + 2 ** y) computed stably (TensorFlow: keras.ops.logaddexp2)", _logaddexp2,
            "torch.logaddexp2", "keras.ops.logaddexp2", "jnp.logaddexp2",
            conventions="logaddexp2(-inf, -inf) = -inf and logaddexp2(inf, inf) = inf"),
    _binary("copysign", "|x| with the sign bit of y (a -0 or -NaN y gives a negative result)", _copysign,
            "torch.copysign", "none: TensorFlow has no copysign in tf.math or keras.ops", "jnp.copysign",
            conventions="the gradient wrt x is +-1 by y's sign bit, wrt y 0"),
    _binary("heaviside", "the step function: 0 for x < 0, 1 for x > 0, `values` at x == 0 (NaN stays NaN); "
            "TensorFlow: keras.ops.heaviside", _heaviside, "torch.heaviside", "keras.ops.heaviside", "jnp.heaviside",
            args="x values", conventions="the gradient is 0 everywhere"),
    # rounding-free conversions
    _unary("deg2rad", "x * pi / 180 (TensorFlow: keras.ops.deg2rad)", lambda r, x: x * (math.pi / 180.0),
           "torch.deg2rad", "keras.ops.deg2rad", "jnp.deg2rad"),
    _unary("rad2deg", "x * 180 / pi (TensorFlow: keras.ops.rad2deg)", lambda r, x: x * (180.0 / math.pi),
           "torch.rad2deg", "keras.ops.rad2deg", "jnp.rad2deg"),
    _unary("signbit", "true where the sign bit is set: -0.0 and -inf are true, +0.0 false (TensorFlow: "
           "keras.ops.signbit)", lambda r, x: r.xp.signbit(x), "torch.signbit", "keras.ops.signbit", "jnp.signbit"),
    _unary("sinc", "the normalized sinc sin(pi x) / (pi x), 1 at x = 0 (TensorFlow: keras.ops.sinc)", _sinc,
           "torch.sinc", "keras.ops.sinc", "jnp.sinc", conventions="sinc(0) = 1 with gradient 0; sinc(+-inf) = 0"),
    # special functions
    op("logit", "elementwise", (Arg("x", domain="probability"),), "log(x / (1 - x)); +-inf at 1 and 0, NaN "
       "outside [0, 1]", _logit, conventions="log(x) - log1p(-x); no eps clamping (torch's eps left unpinned)",
       torch=call("torch.logit"), tensorflow=none("TensorFlow has no logit in tf.math or keras.ops"),
       jax=call("jax.scipy.special.logit")),
    _unary("erfinv", "the inverse error function; +-inf at +-1, NaN outside [-1, 1]",
           lambda r, x: r.special.ndtri((1.0 + x) / 2.0) / math.sqrt(2.0),
           "torch.erfinv", "tf.math.erfinv", "jax.scipy.special.erfinv",
           conventions="ndtri((1 + x) / 2) / sqrt(2)"),
    op("ndtri", "elementwise", (Arg("p", domain="probability"),), "the standard normal quantile (inverse CDF); "
       "-inf at 0, +inf at 1, NaN outside [0, 1]", lambda r, p: r.special.ndtri(p),
       conventions="the special function itself: sqrt(2) * erfinv(2p - 1) loses the lower tail (2p - 1 rounds to -1)",
       torch=call("torch.special.ndtri"), tensorflow=call("tf.math.ndtri"), jax=call("jax.scipy.special.ndtri")),
    _unary("ndtr", "the standard normal CDF Phi(x)", lambda r, x: 0.5 * r.special.erfc(-x / math.sqrt(2.0)),
           "torch.special.ndtr", "none: TensorFlow has no ndtr in tf.math or keras.ops", "jax.scipy.special.ndtr",
           conventions="erfc(-x / sqrt(2)) / 2, accurate in the lower tail"),
    _unary("i0", "the modified Bessel function of the first kind, order 0", lambda r, x: r.special.i0e(x) *
           r.xp.exp(r.xp.abs(x)), "torch.i0", "tf.math.bessel_i0", "jax.scipy.special.i0",
           conventions="i0e(x) * exp(|x|): overflows to inf past x ~ 713"),
    _unary("i0e", "exp(-|x|) * I0(x), the exponentially scaled Bessel function", lambda r, x: r.special.i0e(x),
           "torch.special.i0e", "tf.math.bessel_i0e", "jax.scipy.special.i0e"),
    _unary("i1", "the modified Bessel function of the first kind, order 1", lambda r, x: r.special.i1e(x) *
           r.xp.exp(r.xp.abs(x)), "torch.special.i1", "tf.math.bessel_i1", "jax.scipy.special.i1",
           conventions="i1e(x) * exp(|x|)"),
    _binary("xlog1py", "x * log1p(y) with 0 where x = 0 (y not NaN)", _xlog1py,
            "torch.special.xlog1py", "tf.math.xlog1py", "jax.scipy.special.xlog1py",
            conventions="xlog1py(0, -1) = 0; NaN y gives NaN"),
    _unary("entr", "the elementwise entropy -x log x: 0 at 0, -inf for x < 0", _entr,
           "torch.special.entr", "none: TensorFlow has no entr in tf.math or keras.ops", "jax.scipy.special.entr"),
    _binary("gammainc", "the regularized lower incomplete gamma function P(a, x)",
            lambda r, a, x: r.special.gammainc(a, x), "torch.special.gammainc", "tf.math.igamma",
            "jax.scipy.special.gammainc", args="a x", conventions="NaN for a <= 0 or x < 0"),
    _binary("gammaincc", "the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), accurate in the "
            "upper tail", lambda r, a, x: r.special.gammaincc(a, x), "torch.special.gammaincc", "tf.math.igammac",
            "jax.scipy.special.gammaincc", args="a x", conventions="NaN for a <= 0 or x < 0"),
    _unary("i1e", "exp(-|x|) * I1(x), the exponentially scaled Bessel function of order 1",
           lambda r, x: r.special.i1e(x), "torch.special.i1e", "tf.math.bessel_i1e", "jax.scipy.special.i1e"),
    _unary("log_ndtr", "log Phi(x), the log of the standard normal CDF, finite far into the lower tail",
           lambda r, x: r.special.log_ndtr(x), "torch.special.log_ndtr",
           "none: TensorFlow has no log_ndtr in tf.math or keras.ops", "jax.scipy.special.log_ndtr"),
    _binary("zeta", "the Hurwitz zeta function sum over k >= 0 of (k + q) ** -x", lambda r, x, q: r.special.zeta(x, q),
            "torch.special.zeta", "tf.math.zeta", "jax.scipy.special.zeta", args="x q",
            conventions="inf at x = 1; NaN for x < 1"),
]


# ---- forms: the tensor method beside the function (`torch.abs(x)` / `x.abs()`), keras.ops beside tf.math
OPS = with_forms(OPS, "torch", "method", methods(
    OPS, "torch", "negative:neg abs exp log sqrt floor_divide trunc_divide:div remainder fmod sign reciprocal square "
                  "rsqrt expm1 log1p log2 log10 sin cos tan tanh sinh cosh arcsin:asin arccos:acos arctan:atan "
                  "arctan2:atan2 floor ceil trunc round clip:clamp maximum minimum fmax fmin hypot erf erfc lgamma "
                  "digamma logaddexp xlogy nan_to_num bitwise_and bitwise_or bitwise_xor bitwise_not "
                  "left_shift:bitwise_left_shift right_shift:bitwise_right_shift gcd lcm ldexp exp2 arcsinh arccosh "
                  "arctanh logaddexp2 copysign heaviside deg2rad rad2deg signbit sinc logit erfinv i0"))
OPS = with_forms(OPS, "jax", "method", methods(OPS, "jax", "round clip"))
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(
    OPS, "tensorflow", "keras.ops", "negative abs exp log sqrt sign reciprocal square rsqrt expm1 log1p sin cos tan "
                                    "tanh sinh cosh floor ceil round maximum minimum erf erfc"))
