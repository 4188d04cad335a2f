"""Gradient idioms in JAX's functional style, shared by the JAX column and the float64 reference.

JAX is given as a parameter (this module imports no framework): the JAX column passes its
x64-off JAX, the reference its x64-on one. Every option of a case's `grad` maps to what a
JAX user writes: `jax.grad(f, argnums)`, `jax.vjp`, `jax.jacobian`, `jax.value_and_grad`,
`jax.grad(jax.grad(f))`; an untracked input is an argument outside `argnums` (no gradient).
"""

from __future__ import annotations

from typing import Any, Callable

from oracle.execute import Backward, Forward
from oracle.request import Unsupported


def jax_gradients(jax: Any, forward: Forward, inputs: dict[str, Any], grad: dict[str, Any],
                  reduce: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """`reduce` turns the target into what is differentiated (the reference's implicit sum); None: as is."""
    of, wrt, idiom = grad["of"], grad["wrt"], grad.get("idiom", "default")
    if grad.get("accumulate"):
        raise Unsupported("JAX is functional: gradients are returned, there is no .grad to accumulate into")
    tracked = [n for n in wrt if n not in grad.get("untracked", [])]
    found: dict[str, Any] = {n: None for n in wrt}  # outside argnums: JAX gives no gradient at all
    if not tracked:
        return found

    def f(*sources: Any) -> Any:
        value = forward({**inputs, **dict(zip(tracked, sources))}, False)[of]
        return reduce(value) if reduce is not None else value

    argnums = tuple(range(len(tracked)))
    args = [inputs[n] for n in tracked]
    for _ in range(grad.get("calls", 1)):  # pure functions: a second call is the same call
        if idiom == "vjp":
            _, pull = jax.vjp(f, *args)
            result = pull(inputs[grad["cotangent"]])
        elif idiom == "jvp":  # one input, one tangent: the output's tangent
            _, pushed = jax.jvp(f, tuple(args), (inputs[grad["tangent"]],))
            result = (pushed,)
        elif idiom == "jacfwd":
            result = jax.jacfwd(f, argnums)(*args)
        elif idiom == "jacobian":
            result = jax.jacobian(f, argnums)(*args)
        elif idiom == "value_and_grad":
            _, result = jax.value_and_grad(f, argnums)(*args)
        elif grad.get("order", 1) == 2:
            first = jax.grad(f, argnums)

            def total(*sources: Any) -> Any:  # the gradient of the sum of the first gradients
                return sum(jax.numpy.sum(g) for g in first(*sources))  # noqa: B023

            result = jax.grad(total, argnums)(*args)
        else:
            result = jax.grad(f, argnums)(*args)
    found.update(zip(tracked, result))
    return found


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


def jax_gradient_api(grad: dict[str, Any]) -> str:
    idiom = grad.get("idiom", "default")
    text = {"vjp": "jax.vjp(f, *primals)[1](cotangent)", "jacobian": "jax.jacobian(f, argnums)(*args)",
            "jvp": f"jax.jvp(f, primals, ({grad.get('tangent')},))[1]", "jacfwd": "jax.jacfwd(f, argnums)(*args)",
            "value_and_grad": "jax.value_and_grad(f, argnums)(*args)"}.get(idiom, "jax.grad(f, argnums)(*args)")
    if grad.get("order", 1) == 2 and idiom in ("default", "autograd_grad"):
        text = "jax.grad(lambda *a: sum(jnp.sum(g) for g in jax.grad(f, argnums)(*a)), argnums)(*args)"
    if grad.get("untracked"):
        text += f"; not in argnums: {', '.join(grad['untracked'])}"
    if grad.get("unconnected"):
        text += "; unconnected inputs: JAX always gives zeros (no option)"
    return text
