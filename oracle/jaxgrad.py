"""A custom gradient rule in JAX's functional style, shared by the JAX column and the float64 reference.

JAX is given as a parameter (this module imports no framework): the JAX column passes its
x64-off JAX, the reference its x64-on one. (Their gradient idioms are oracle/gradidioms.py's.)
"""

from __future__ import annotations

from typing import Any, Callable

from oracle.execute import Backward


def jax_custom_vjp(jax: Any, forward: Callable[..., Any], backward: Backward) -> Callable[..., Any]:
    """forward with the rule backward(args, output, cotangent) as JAX writes it: custom_vjp with fwd saving the
    arguments and the output as residuals."""
    @jax.custom_vjp
    def f(*args: Any) -> Any:
        return forward(*args)

    def fwd(*args: Any) -> tuple[Any, Any]:
        output = forward(*args)
        return output, (args, output)

    def bwd(saved: Any, cotangent: Any) -> tuple[Any, ...]:
        args, output = saved
        return tuple(backward(args, output, cotangent))

    f.defvjp(fwd, bwd)
    return f
