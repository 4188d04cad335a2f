"""The gradient part of a reproduction snippet: each `grad` option as the column's adapter differentiates it.

One function per framework mirrors that adapter's `gradients` (adapters/torch.py, adapters/tensorflow.py,
oracle/jaxgrad.py): the same idiom, the same options passed, the same calls in the same order, so the
snippet reproduces the recorded outcome, errors included (torch's second `backward()` without
`retain_graph`, a second `tape.gradient` on a non-persistent tape, `jax.grad` of an integer input).
Where the adapter raises Unsupported (TensorFlow's value_and_grad, accumulating into `.grad` outside
torch), there is no snippet: None.
"""

from __future__ import annotations

from typing import Any, Callable

# names the gradient code defines; a case's input or step output with one of them is renamed (name_)
NAMES = {"tape", "outer", "loss_fn", "grad_sum", "first_grads", "pullback", "acc"}
Code = Callable[[dict[str, Any], dict[str, str], list[str]], list[str] | None]


def gradient_code(framework: str, grad: dict[str, Any], var: dict[str, str], body: list[str]) -> list[str] | None:
    """The forward `body` (one line per step) and the gradient of grad["of"] wrt grad["wrt"], as one block.

    `grad` is the case's, with `untracked` (inputs with `track: false`); `var` maps case names to the
    snippet's variables; the gradient of input `w` is left in `grad_<w>`.
    """
    code: dict[str, Code] = {"torch": _torch, "tensorflow": _tensorflow, "jax": _jax}
    return code[framework](grad, var, body)


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _targets(wrt: list[str]) -> str:
    return ", ".join(f"grad_{w}" for w in wrt) + ("," if len(wrt) == 1 else "")


def _options(options: list[str]) -> str:
    return "".join(f", {o}" for o in options)


def indent(lines: list[str], depth: int = 1) -> list[str]:
    """Lines as a block `depth` levels in; a blank line stays blank."""
    return [f"{'    ' * depth}{line}" if line else "" for line in lines]


def _function(params: list[str], body: list[str], of: str) -> list[str]:
    """The forward again as the function a transform differentiates (the adapters re-run it the same way)."""
    return ["", f"def loss_fn({', '.join(params)}):", *indent(body), f"    return {of}", ""]


def _torch(grad: dict[str, Any], var: dict[str, str], body: list[str]) -> list[str] | None:
    of, wrt, idiom = var[grad["of"]], [var[n] for n in grad["wrt"]], grad.get("idiom") or "default"
    calls, order, unconnected = grad.get("calls") or 1, grad.get("order") or 1, grad.get("unconnected")
    if idiom in ("jacobian", "value_and_grad", "jvp", "jacfwd"):  # function transforms over the forward
        lines = body + _function(wrt, body, of)
        if idiom == "jacobian":
            return lines + [f"{_targets(wrt)} = torch.autograd.functional.jacobian(loss_fn, {_tuple(wrt)})"]
        if idiom == "jvp":
            return lines + [f"_, grad_{wrt[0]} = torch.func.jvp(loss_fn, {_tuple(wrt)}, "
                            f"({var[grad['tangent']]},))"]
        argnums = _tuple([str(i) for i in range(len(wrt))])
        if idiom == "jacfwd":
            return lines + [f"{_targets(wrt)} = torch.func.jacfwd(loss_fn, argnums={argnums})({', '.join(wrt)})"]
        return lines + [f"({_targets(wrt)}), _ = torch.func.grad_and_value(loss_fn, argnums={argnums})"
                        f"({', '.join(wrt)})"]
    if idiom == "default" and order == 1 and not unconnected:  # loss.backward(), then each input's .grad
        backward = [f"{of}.backward({'retain_graph=True' if grad.get('accumulate') and i < calls - 1 else ''})"
                    for i in range(calls)]
        return body + backward + [f"grad_{w} = {w}.grad" for w in wrt]
    if grad.get("accumulate"):
        return None  # torch.autograd.grad returns gradients; only backward() accumulates into .grad
    options = [f"grad_outputs={var[grad['cotangent']]}"] if idiom == "vjp" else []
    options += ["create_graph=True"] * (order == 2)
    unused = ["allow_unused=True", f"materialize_grads={unconnected == 'zero'}"] if unconnected else []
    call = f"torch.autograd.grad({of}, [{', '.join(wrt)}]{_options(options + unused)})"
    if order == 1:
        return body + [f"{_targets(wrt)} = {call}"] * calls
    total = "sum(g.sum() for g in first_grads if g is not None)"  # the gradient of the sum of the first ones
    return body + [f"first_grads = {call}"] * calls + [
        f"{_targets(wrt)} = torch.autograd.grad({total}, [{', '.join(wrt)}]{_options(unused)})"]


def _tensorflow(grad: dict[str, Any], var: dict[str, str], body: list[str]) -> list[str] | None:
    of, wrt, idiom = var[grad["of"]], [var[n] for n in grad["wrt"]], grad.get("idiom") or "default"
    if grad.get("accumulate") or idiom in ("value_and_grad", "jacfwd"):
        return None  # no .grad to accumulate into; no value_and_grad (the tape records the value as it runs)
    if idiom == "jvp":  # forward mode: the accumulator watches the primal as the forward runs
        return [f"with tf.autodiff.ForwardAccumulator(primals={wrt[0]}, tangents={var[grad['tangent']]}) as acc:",
                *indent(body)] + [f"grad_{wrt[0]} = acc.jvp({of})"] * (grad.get("calls") or 1)
    options = [f"output_gradients={var[grad['cotangent']]}"] if idiom == "vjp" else []
    if grad.get("unconnected"):
        options.append(f"unconnected_gradients=tf.UnconnectedGradients.{grad['unconnected'].upper()}")
    sources = f"[{', '.join(wrt)}]"
    if (grad.get("order") or 1) == 2:  # nested tapes: the outer one watches the inner gradient's computation
        return ["with tf.GradientTape() as outer:", "    with tf.GradientTape() as tape:", *indent(body, 2),
                f"    first_grads = [g for g in tape.gradient({of}, {sources}{_options(options)}) if g is not None]",
                f"{_targets(wrt)} = outer.gradient(first_grads, {sources}{_options(options)})"]
    method = "jacobian" if idiom == "jacobian" else "gradient"
    call = f"{_targets(wrt)} = tape.{method}({of}, {sources}{_options(options)})"
    return ["with tf.GradientTape() as tape:", *indent(body)] + [call] * (grad.get("calls") or 1)


def _jax(grad: dict[str, Any], var: dict[str, str], body: list[str]) -> list[str] | None:
    if grad.get("accumulate"):
        return None  # JAX is functional: gradients are returned, there is no .grad to accumulate into
    of, idiom = var[grad["of"]], grad.get("idiom") or "default"
    untracked = [var[n] for n in grad["wrt"] if n in grad.get("untracked", [])]
    tracked = [var[n] for n in grad["wrt"] if n not in grad.get("untracked", [])]
    lines = list(body)  # the forward, for the observed values; the transforms trace loss_fn
    if tracked:
        lines += _function(tracked, body, of)
        args, targets = ", ".join(tracked), _targets(tracked)
        argnums = _tuple([str(i) for i in range(len(tracked))])
        if idiom == "vjp":
            call = [f"_, pullback = jax.vjp(loss_fn, {args})", f"{targets} = pullback({var[grad['cotangent']]})"]
        elif idiom == "jacobian":
            call = [f"{targets} = jax.jacobian(loss_fn, argnums={argnums})({args})"]
        elif idiom == "jvp":
            call = [f"_, grad_{tracked[0]} = jax.jvp(loss_fn, {_tuple(tracked)}, ({var[grad['tangent']]},))"]
        elif idiom == "jacfwd":
            call = [f"{targets} = jax.jacfwd(loss_fn, argnums={argnums})({args})"]
        elif idiom == "value_and_grad":
            call = [f"_, ({targets}) = jax.value_and_grad(loss_fn, argnums={argnums})({args})"]
        elif (grad.get("order") or 1) == 2:
            lines += [f"def grad_sum({args}):  # the sum of the first gradients",
                      f"    return sum(jnp.sum(g) for g in jax.grad(loss_fn, argnums={argnums})({args}))", ""]
            call = [f"{targets} = jax.grad(grad_sum, argnums={argnums})({args})"]
        else:
            call = [f"{targets} = jax.grad(loss_fn, argnums={argnums})({args})"]
        if grad.get("unconnected"):
            lines.append("# JAX has no option for an unconnected input: its gradient is zeros")
        lines += call * (grad.get("calls") or 1)  # pure functions: a second call is the same call
    if untracked:
        lines += ["", f"# not in argnums ({', '.join(untracked)}: track false): JAX computes no gradient for it"]
        lines += [f"grad_{w} = None" for w in untracked]
    return lines
