"""Comparison and logic: elementwise comparisons, logical ops, where, isclose and the NaN/Inf tests.

Results are bool; operands broadcast as NumPy does. Comparisons with NaN are false (not_equal is true).
"""

from __future__ import annotations

from oracle.ops.spec import Arg, Attr, OpDef, call, functions, methods, op, with_forms


def _compare(name: str, symbol: str, torch: str, tf: str, jnp: str) -> OpDef:
    def reference(r, x, y):  # type: ignore[no-untyped-def]
        return {"==": lambda: x == y, "!=": lambda: x != y, "<": lambda: x < y, "<=": lambda: x <= y,
                ">": lambda: x > y, ">=": lambda: x >= y}[symbol]()

    nan = "true" if symbol == "!=" else "false"
    return op(name, "comparison", "x y", f"x {symbol} y elementwise, a bool tensor; NumPy broadcasting; any "
              f"comparison with NaN is {nan}", reference,
              torch=call(torch), tensorflow=call(tf), jax=call(jnp))


def _logical(name: str, fn: str, doc: str) -> OpDef:
    def reference(r, x, y):  # type: ignore[no-untyped-def]
        return getattr(r.xp, fn)(x, y)

    return op(name, "comparison", "x y", f"{doc}; non-bool operands count as true where nonzero (NaN is true); "
              "a bool tensor", reference,
              torch=call(f"torch.{fn}"), tensorflow=call(f"tf.math.{fn}"), jax=call(f"jnp.{fn}"))


def _where(r, condition, x, y):  # type: ignore[no-untyped-def]
    return r.xp.where(condition, x, y)


def _isclose(r, x, y, rtol, atol, equal_nan):  # type: ignore[no-untyped-def]
    xp = r.xp
    finite = xp.isfinite(x) & xp.isfinite(y)
    close = xp.abs(xp.where(finite, x - y, 0.0)) <= atol + rtol * xp.abs(xp.where(finite, y, 0.0))
    result = xp.where(finite, close, x == y)
    if equal_nan:
        result = result | (xp.isnan(x) & xp.isnan(y))
    return result


OPS = [
    _compare("equal", "==", "torch.eq", "tf.math.equal", "jnp.equal"),
    _compare("not_equal", "!=", "torch.ne", "tf.math.not_equal", "jnp.not_equal"),
    _compare("less", "<", "torch.lt", "tf.math.less", "jnp.less"),
    _compare("less_equal", "<=", "torch.le", "tf.math.less_equal", "jnp.less_equal"),
    _compare("greater", ">", "torch.gt", "tf.math.greater", "jnp.greater"),
    _compare("greater_equal", ">=", "torch.ge", "tf.math.greater_equal", "jnp.greater_equal"),
    _logical("logical_and", "logical_and", "x and y elementwise"),
    _logical("logical_or", "logical_or", "x or y elementwise"),
    _logical("logical_xor", "logical_xor", "x xor y elementwise"),
    op("logical_not", "comparison", "x", "not x elementwise; non-bool operands count as true where nonzero; "
       "a bool tensor", lambda r, x: r.xp.logical_not(x),
       torch=call("torch.logical_not"), tensorflow=call("tf.math.logical_not"), jax=call("jnp.logical_not")),
    op("where", "comparison", (Arg("condition", domain="binary"), "x", "y"),
       "x where condition else y, NumPy broadcasting of all three; a non-bool condition counts as true where "
       "nonzero", _where,
       conventions="the gradient flows only to the chosen operand (0 to the other): the untaken branch's own "
                   "derivative still multiplies that 0, so an inf there gives NaN (0 * inf), as jax.grad does",
       torch=call("torch.where"), tensorflow=call("tf.where"), jax=call("jnp.where")),
    op("isclose", "comparison", "x y", "|x - y| <= atol + rtol * |y| elementwise (asymmetric: scaled by y); "
       "infinities are close only to themselves; NaN is close to NaN only with equal_nan "
       "(TensorFlow: keras.ops.isclose, tf.math has none)", _isclose,
       attrs={"rtol": Attr("float", low=0, reference=1e-5, doc="relative tolerance; the reference uses 1e-5"),
              "atol": Attr("float", low=0, reference=1e-8, doc="absolute tolerance; the reference uses 1e-8"),
              "equal_nan": Attr("bool", reference=False, doc="NaN close to NaN; the reference says no")},
       torch=call("torch.isclose", rtol="rtol", atol="atol", equal_nan="equal_nan"),
       tensorflow=call("keras.ops.isclose", rtol="rtol", atol="atol", equal_nan="equal_nan"),
       jax=call("jnp.isclose", rtol="rtol", atol="atol", equal_nan="equal_nan")),
    op("isnan", "comparison", "x", "x is NaN, a bool tensor; false for every integer", lambda r, x: r.xp.isnan(x),
       torch=call("torch.isnan"), tensorflow=call("tf.math.is_nan"), jax=call("jnp.isnan")),
    op("isinf", "comparison", "x", "x is +inf or -inf, a bool tensor; false for every integer",
       lambda r, x: r.xp.isinf(x),
       torch=call("torch.isinf"), tensorflow=call("tf.math.is_inf"), jax=call("jnp.isinf")),
    op("isfinite", "comparison", "x", "x is neither NaN nor infinite, a bool tensor; true for every integer",
       lambda r, x: r.xp.isfinite(x),
       torch=call("torch.isfinite"), tensorflow=call("tf.math.is_finite"), jax=call("jnp.isfinite")),
    op("isposinf", "comparison", "x", "x is +inf, a bool tensor; false for every integer (TensorFlow: keras.ops)",
       lambda r, x: x == r.xp.inf,
       torch=call("torch.isposinf"), tensorflow=call("keras.ops.isposinf"), jax=call("jnp.isposinf")),
    op("isneginf", "comparison", "x", "x is -inf, a bool tensor; false for every integer (TensorFlow: keras.ops)",
       lambda r, x: x == -r.xp.inf,
       torch=call("torch.isneginf"), tensorflow=call("keras.ops.isneginf"), jax=call("jnp.isneginf")),
]


# ---- forms: the tensor method beside the function (`torch.eq(a, b)` / `a.eq(b)`), keras.ops beside tf.math
OPS = with_forms(OPS, "torch", "method", methods(
    OPS, "torch", "equal:eq not_equal:ne less:lt less_equal:le greater:gt greater_equal:ge logical_and logical_or "
                  "logical_xor logical_not isclose isnan isinf isfinite isposinf isneginf"))
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(
    OPS, "tensorflow", "keras.ops", "equal not_equal less less_equal greater greater_equal logical_and logical_or "
                                    "logical_xor logical_not where"))
