"""Gradient control: values that pass forward and block the gradient, as users write it in each framework."""

from __future__ import annotations

from typing import Any

from oracle.ops.spec import call, method, op


def _stop_gradient(r: Any, x: Any) -> Any:
    return r.stop_gradient(x)


OPS = [
    op("stop_gradient", "gradient", "x", "x itself forward; no gradient flows back through it (torch: x.detach())",
       _stop_gradient, conventions="the gradient through it is 0 (None where nothing else connects the input)",
       blocks_gradient=True,
       torch=method("detach"), tensorflow=call("tf.stop_gradient"), jax=call("jax.lax.stop_gradient")),
]
