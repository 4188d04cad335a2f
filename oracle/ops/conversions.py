"""Conversions out of a tensor into Python values; the outcome records the Python type each returned."""

from __future__ import annotations

from oracle.ops.spec import call, expression, method, op

OPS = [
    op("item", "conversions", "x", "the single element of x as a Python number (x must hold one element)",
       lambda r, x: x.item(),
       torch=method("item"), tensorflow=expression("x.numpy().item()"), jax=method("item")),
    op("to_float", "conversions", "x", "Python's float(x): the single element of x as a Python float",
       lambda r, x: float(x),
       torch=call("builtins.float"), tensorflow=call("builtins.float"), jax=call("builtins.float")),
    op("to_list", "conversions", "x", "x as nested Python lists of Python numbers",
       lambda r, x: x.tolist(),
       torch=method("tolist"), tensorflow=expression("x.numpy().tolist()"),
       jax=expression("x.tolist()")),  # jax.Array declares no tolist; its arrays have one
]
