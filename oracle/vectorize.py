"""vmap as a step wrapper: `y = vmap(op, in_axes=[0, null], out_axes=0, randomness=different)(x, w)`.

Each column maps the op with its framework's transform: jax.vmap(f, in_axes, out_axes),
torch.func.vmap(f, in_dims, out_dims, randomness), tf.vectorized_map(f, elems) (axis 0 only; the
unmapped arguments are closed over). `randomness` is torch.func's (error, different, same); JAX and
TensorFlow have no such option. The reference states what vmap means, without a vmap: the op applied
to each slice along the mapped axes in a Python loop, the results stacked along `out_axes`.
A leaf module: workers import it.
"""

from __future__ import annotations

from typing import Any, Callable

from oracle.steps import Ref, Step

OPTIONS = ("in_axes", "out_axes", "randomness")
RANDOMNESS = ("error", "different", "same")


def vmap_problem(step: Step) -> str:
    """Why a step's vmap options are not valid ('' when they are)."""
    options = step.vmap or {}
    unknown = [k for k in options if k not in OPTIONS]
    if unknown:
        return f"unknown vmap option {unknown[0]!r}; vmap takes {', '.join(OPTIONS)}"
    if not all(isinstance(a, Ref) for a in step.args):
        return "a vmapped step's positional arguments are names (inputs or earlier outputs)"
    axes = options.get("in_axes", 0)
    listed = axes if isinstance(axes, list) else [axes] * len(step.args)
    if len(listed) != len(step.args):
        return f"in_axes has {len(listed)} entries for {len(step.args)} arguments"
    if any(a is not None and (isinstance(a, bool) or not isinstance(a, int)) for a in listed):
        return "in_axes entries are integers or null"
    if all(a is None for a in listed):
        return "in_axes maps no argument: give at least one axis"
    out = options.get("out_axes", 0)
    if isinstance(out, bool) or not isinstance(out, int):
        return "out_axes is an integer"
    if options.get("randomness", "error") not in RANDOMNESS:
        return f"randomness is one of {', '.join(RANDOMNESS)}"
    return ""


def in_axes(step: Step) -> tuple[int | None, ...]:
    axes = (step.vmap or {}).get("in_axes", 0)
    return tuple(axes) if isinstance(axes, list) else (axes,) * len(step.args)


def out_axes(step: Step) -> int:
    return int((step.vmap or {}).get("out_axes", 0))


def randomness(step: Step) -> str | None:
    return (step.vmap or {}).get("randomness")


def loop_map(fn: Callable[..., Any], axes: tuple[int | None, ...], out: int, take: Callable[[Any, int, int], Any],
             stack: Callable[[list[Any], int], Any], size: Callable[[Any, int], int]) -> Callable[..., Any]:
    """vmap's meaning, without a vmap: fn on each slice along the mapped axes, results stacked at `out`
    (each part of a tuple result stacked on its own). The array functions are the caller's."""
    def run(*values: Any) -> Any:
        sizes = {size(v, a) for v, a in zip(values, axes) if a is not None}
        if len(sizes) != 1:
            raise ValueError(f"vmap got mapped axes of different sizes {sorted(sizes)}")
        n = sizes.pop()
        results = [fn(*[v if a is None else take(v, i, a) for v, a in zip(values, axes)]) for i in range(n)]
        if results and isinstance(results[0], tuple):
            return tuple(stack([r[j] for r in results], out) for j in range(len(results[0])))
        return stack(results, out)

    return run


def vmap_call(framework: str, step: Step, params: list[str], inner: str) -> str:
    """The vmapped call as the user writes it (the adapters record it, the snippets show it), e.g.
    `jax.vmap(lambda x, w: jnp.dot(x, w), in_axes=(0, None), out_axes=0)(x, w)`."""
    axes, out, rule = in_axes(step), out_axes(step), randomness(step)
    fn = f"lambda {', '.join(params)}: {inner}"
    if framework == "reference":  # no vmap: what it means, as a loop
        sliced = ", ".join(p if a is None else f"take({p}, i, axis={a})" for p, a in zip(params, axes))
        return f"stack([({fn})({sliced}) for i in range(n)], axis={out}) (a Python loop over the mapped axis)"
    if framework == "tensorflow":  # elems: the mapped arguments, as one tuple; the others are closed over
        mapped = ", ".join(p for p, a in zip(params, axes) if a is not None)
        return f"tf.vectorized_map(lambda elems: (lambda {mapped}: {inner})(*elems), ({mapped},))"
    if framework == "torch":
        options = f"in_dims={_tuple(axes)}, out_dims={out}" + (f", randomness={rule!r}" if rule else "")
        return f"torch.func.vmap({fn}, {options})({', '.join(params)})"
    return f"jax.vmap({fn}, in_axes={_tuple(axes)}, out_axes={out})({', '.join(params)})"


def _tuple(axes: tuple[int | None, ...]) -> str:
    return "(" + ", ".join(repr(a) for a in axes) + ("," if len(axes) == 1 else "") + ")"
