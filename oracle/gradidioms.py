"""Each framework's gradient idioms, declared once: one function per framework writes the lines a user
writes for a case's `grad` (oracle/gradopts.py), and everything else comes from those lines.

- the column's adapter executes them (`run`), over the recorded forward and the inputs it built;
- the outcome records them as `native_api` (`api_text`), with the case's names;
- the report's snippet holds them (snippet_grad.py), around the steps written as code.

The lines are made only of the names given in `var` and of the options' enumerated values (an idiom, a
count, `none` or `zero`), never of a case file's text: what `run` executes is this module's code. Where a
framework has no idiom for an option, the lines raise Unsupported where a user would find that out: after
the forward where it runs eagerly (torch, JAX), before it where the tape must be opened first (TensorFlow).
A leaf module: workers import it, and it imports no framework (`run` is given them).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from oracle.gradopts import TRANSFORMS, GradOptions
from oracle.request import Unsupported

# params -> the lines defining `loss_fn(*params)`, the forward as the function a transform differentiates
Define = Callable[[list[str]], list[str]]
# names the gradient lines define; a case name equal to one is renamed in the snippet (name_)
NAMES = {"tape", "outer", "loss_fn", "grad_sum", "first_grads", "pullback", "acc"}
REFUSE = "raise Unsupported("


def indent(lines: list[str], depth: int = 1) -> list[str]:
    """Lines as a block `depth` levels in; a blank line stays blank."""
    return [f"{'    ' * depth}{line}" if line else "" for line in lines]


def _refuse(reason: str) -> str:
    return f"{REFUSE}{reason!r})"


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _targets(wrt: list[str]) -> str:
    return ", ".join(f"grad_{w}" for w in wrt) + ("," if len(wrt) == 1 else "")


def _options(options: list[str]) -> str:
    return "".join(f", {o}" for o in options)


def _torch(g: GradOptions, var: Mapping[str, str], body: list[str], define: Define) -> list[str]:
    of, wrt = var[g.of], [var[n] for n in g.wrt]
    if g.idiom in TRANSFORMS:  # function transforms over the forward
        lines = body + define(wrt)
        if g.idiom == "jacobian":
            return lines + [f"{_targets(wrt)} = torch.autograd.functional.jacobian(loss_fn, {_tuple(wrt)})"]
        if g.idiom == "jvp":
            return lines + [f"_, grad_{wrt[0]} = torch.func.jvp(loss_fn, {_tuple(wrt)}, ({var[g.tangent or '']},))"]
        argnums = _tuple([str(i) for i in range(len(wrt))])
        if g.idiom == "jacfwd":
            return lines + [f"{_targets(wrt)} = torch.func.jacfwd(loss_fn, argnums={argnums})({', '.join(wrt)})"]
        return lines + [f"({_targets(wrt)}), _ = torch.func.grad_and_value(loss_fn, argnums={argnums})"
                        f"({', '.join(wrt)})"]
    if g.idiom == "default" and g.order == 1 and not g.unconnected:  # loss.backward(), then each input's .grad
        # accumulate: every pass but the last keeps the graph, as users write it
        backward = [f"{of}.backward({'retain_graph=True' if g.accumulate and i < g.calls - 1 else ''})"
                    for i in range(g.calls)]
        return body + backward + [f"grad_{w} = {w}.grad" for w in wrt]
    if g.accumulate:
        return body + [_refuse("torch.autograd.grad returns gradients; only backward() accumulates into .grad")]
    options = [f"grad_outputs={var[g.cotangent or '']}"] if g.idiom == "vjp" else []
    options += ["create_graph=True"] * (g.order == 2)
    unused = ["allow_unused=True", f"materialize_grads={g.unconnected == 'zero'}"] if g.unconnected else []
    call = f"torch.autograd.grad({of}, [{', '.join(wrt)}]{_options(options + unused)})"
    if g.order == 1:
        return body + [f"{_targets(wrt)} = {call}"] * g.calls
    total = "sum(g.sum() for g in first_grads if g is not None)"  # the gradient of the sum of the first ones
    return body + [f"first_grads = {call}"] * g.calls + [
        f"{_targets(wrt)} = torch.autograd.grad({total}, [{', '.join(wrt)}]{_options(unused)})"]


def _tensorflow(g: GradOptions, var: Mapping[str, str], body: list[str], define: Define) -> list[str]:
    of, wrt = var[g.of], [var[n] for n in g.wrt]
    if g.accumulate:
        return [_refuse("TensorFlow has no .grad to accumulate into: tape.gradient returns the gradients")]
    if g.idiom == "value_and_grad":
        return [_refuse("TensorFlow has no value_and_grad: the tape records the value as the forward runs")]
    if g.idiom == "jacfwd":
        return [_refuse("TensorFlow has no forward-mode Jacobian function: tf.autodiff.ForwardAccumulator "
                        "pushes one tangent per pass (tape.jacobian is reverse mode)")]
    if g.idiom == "jvp":  # forward mode: the accumulator watches the primal as the forward runs
        return [f"with tf.autodiff.ForwardAccumulator(primals={wrt[0]}, tangents={var[g.tangent or '']}) as acc:",
                *indent(body)] + [f"grad_{wrt[0]} = acc.jvp({of})"] * g.calls
    options = [f"output_gradients={var[g.cotangent or '']}"] if g.idiom == "vjp" else []
    if g.unconnected:
        options.append(f"unconnected_gradients=tf.UnconnectedGradients.{g.unconnected.upper()}")
    sources = f"[{', '.join(wrt)}]"
    if g.order == 2:  # nested tapes: the outer one watches the inner gradient's computation
        return ["with tf.GradientTape() as outer:", "    with tf.GradientTape() as tape:", *indent(body, 2),
                f"    first_grads = [g for g in tape.gradient({of}, {sources}{_options(options)}) if g is not None]",
                f"{_targets(wrt)} = outer.gradient(first_grads, {sources}{_options(options)})"]
    method = "jacobian" if g.idiom == "jacobian" else "gradient"
    # a second call on a non-persistent tape is the finding
    call = f"{_targets(wrt)} = tape.{method}({of}, {sources}{_options(options)})"
    return ["with tf.GradientTape() as tape:", *indent(body)] + [call] * g.calls


def _jax(g: GradOptions, var: Mapping[str, str], body: list[str], define: Define) -> list[str]:
    lines = list(body)  # the forward, for the observed values; the transforms trace loss_fn
    if g.accumulate:
        return lines + [_refuse("JAX is functional: gradients are returned, there is no .grad to accumulate into")]
    tracked = [var[n] for n in g.tracked]
    untracked = [var[n] for n in g.wrt if n in g.untracked]
    if tracked:
        lines += define(tracked)
        args, targets = ", ".join(tracked), _targets(tracked)
        argnums = _tuple([str(i) for i in range(len(tracked))])
        if g.idiom == "vjp":
            call = [f"_, pullback = jax.vjp(loss_fn, {args})", f"{targets} = pullback({var[g.cotangent or '']})"]
        elif g.idiom == "jacobian":
            call = [f"{targets} = jax.jacobian(loss_fn, argnums={argnums})({args})"]
        elif g.idiom == "jvp":
            call = [f"_, grad_{tracked[0]} = jax.jvp(loss_fn, {_tuple(tracked)}, ({var[g.tangent or '']},))"]
        elif g.idiom == "jacfwd":
            call = [f"{targets} = jax.jacfwd(loss_fn, argnums={argnums})({args})"]
        elif g.idiom == "value_and_grad":
            call = [f"_, ({targets}) = jax.value_and_grad(loss_fn, argnums={argnums})({args})"]
        elif g.order == 2:
            lines += [f"def grad_sum({args}):  # the sum of the first gradients",
                      f"    return sum(jnp.sum(g) for g in jax.grad(loss_fn, argnums={argnums})({args}))", ""]
            call = [f"{targets} = jax.grad(grad_sum, argnums={argnums})({args})"]
        else:
            call = [f"{targets} = jax.grad(loss_fn, argnums={argnums})({args})"]
        if g.unconnected:
            lines.append("# JAX has no option for an unconnected input: its gradient is zeros")
        lines += call * g.calls  # pure functions: a second call is the same call
    if untracked:
        lines += ["", f"# not in argnums ({', '.join(untracked)}: track false): JAX computes no gradient for it"]
        lines += [f"grad_{w} = None" for w in untracked]
    return lines


IDIOMS: dict[str, Callable[[GradOptions, Mapping[str, str], list[str], Define], list[str]]] = {
    "torch": _torch, "tensorflow": _tensorflow, "jax": _jax}


def gradient_lines(framework: str, g: GradOptions, var: Mapping[str, str], body: list[str],
                   define: Define) -> list[str]:
    """The forward `body` (lines that compute var[g.of]) and the gradient of g.of wrt g.wrt by `framework`'s
    idiom, as one block; the gradient of input `w` is left in `grad_<var[w]>`."""
    return IDIOMS[framework](g, var, body, define)


def refused(lines: list[str]) -> bool:
    """Whether the lines find that the framework has no idiom for an option (no snippet then)."""
    return any(line.startswith(REFUSE) for line in lines)


# the forward in a recorded idiom: the case's calls, recorded before it in the same `native_api`
STEPS_ABOVE = "(the steps above)"


def api_text(framework: str, g: GradOptions) -> str:
    """The idiom as the outcome's `native_api` records it: its lines with the case's names, the forward said as
    STEPS_ABOVE (the calls recorded before it), never an elided `...`."""
    return one_line(gradient_lines(framework, g, {n: n for n in g.names}, [STEPS_ABOVE],
                                   lambda params: [f"def loss_fn({', '.join(params)}): return {STEPS_ABOVE}"]))


def one_line(lines: list[str]) -> str:
    """Code lines as `native_api` records them: joined by "; ", a block after its colon, comments left out."""
    kept = [line.split("  #")[0].strip() for line in lines]
    return "; ".join(line for line in kept if line and not line.startswith("#")).replace(":; ", ": ")


def run(framework: str, g: GradOptions, forward: Callable[[dict[str, Any], bool], dict[str, Any]],
        inputs: dict[str, Any], modules: dict[str, Any], body: bool = True,
        reduce: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """Execute the idiom's lines: the recorded forward (forward(inputs, True)) where the lines compute the
    target (`body` False: the caller already ran it), loss_fn over forward(inputs, False), every name in
    `modules` (torch; tf; jax and jnp) in scope. `reduce` turns the target into what loss_fn returns (the
    reference's implicit sum). -> input -> its gradient (None: none)."""
    names = g.names
    var = {n: f"v{i}" for i, n in enumerate(names)}  # the lines hold none of a case's names
    scope: dict[str, Any] = {**modules, "Unsupported": Unsupported,
                             "forward": lambda: forward(inputs, True)[g.of]}
    scope.update({var[n]: inputs[n] for n in names if n in inputs})

    def define(params: list[str]) -> list[str]:
        sources = [next(n for n in names if var[n] == p) for p in params]

        def loss_fn(*xs: Any) -> Any:
            value = forward({**inputs, **dict(zip(sources, xs))}, False)[g.of]
            return reduce(value) if reduce is not None else value

        scope["loss_fn"] = loss_fn
        return []

    lines = gradient_lines(framework, g, var, [f"{var[g.of]} = forward()"] if body else [], define)
    exec(compile("\n".join(lines), f"<{framework} gradient idiom>", "exec"), scope)  # noqa: S102 - our own lines
    return {n: scope[f"grad_{var[n]}"] for n in g.wrt}
