"""Elementwise math: arithmetic operators and unary functions, NumPy broadcasting throughout."""

from __future__ import annotations

from oracle.ops.spec import OpDef, call, op, operator


def _binary_operator(name: str, symbol: str, doc: str, formula: str) -> OpDef:
    def reference(r, x, y):  # type: ignore[no-untyped-def]
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                "**": lambda: x ** y}[symbol]()

    return op(name, "elementwise", "x y", f"{doc}; {formula}", reference,
              torch=operator(symbol), tensorflow=operator(symbol), jax=operator(symbol))


OPS = [
    _binary_operator("add", "+", "x + y as users write it (the operator)", "NumPy broadcasting"),
    _binary_operator("subtract", "-", "x - y as users write it (the operator)", "NumPy broadcasting"),
    _binary_operator("multiply", "*", "x * y as users write it (the operator)", "NumPy broadcasting"),
    _binary_operator("divide", "/", "x / y, true division, as users write it (the operator)",
                     "x / 0 is +-inf, 0 / 0 is NaN"),
    _binary_operator("pow", "**", "x ** y as users write it (the operator)", "NumPy broadcasting"),
    op("negative", "elementwise", "x", "-x", lambda r, x: -x,
       torch=call("torch.neg"), tensorflow=call("tf.math.negative"), jax=call("jnp.negative")),
    op("abs", "elementwise", "x", "|x|", lambda r, x: x * r.xp.sign(x),
       conventions="the gradient at 0 is 0 (the subgradient sign(0) = 0)",
       torch=call("torch.abs"), tensorflow=call("tf.math.abs"), jax=call("jnp.abs")),
    op("exp", "elementwise", "x", "e ** x", lambda r, x: r.xp.exp(x),
       torch=call("torch.exp"), tensorflow=call("tf.math.exp"), jax=call("jnp.exp")),
    op("log", "elementwise", "x", "natural logarithm; log(0) = -inf, log(x < 0) = NaN", lambda r, x: r.xp.log(x),
       torch=call("torch.log"), tensorflow=call("tf.math.log"), jax=call("jnp.log")),
    op("sqrt", "elementwise", "x", "square root; sqrt(x < 0) = NaN, its gradient at 0 is +inf",
       lambda r, x: r.xp.sqrt(x),
       torch=call("torch.sqrt"), tensorflow=call("tf.math.sqrt"), jax=call("jnp.sqrt")),
]
