"""A case's custom gradient rule in each framework's mechanism, declared once: `rule_lines` writes the
definition a user writes (jax.custom_vjp with fwd saving the arguments and the output, tf.custom_gradient
returning a list of gradients, a torch.autograd.Function saving the same). The column's adapter executes
those lines around the step's op and the rule's steps (`build`), the outcome records them (`rule_text`),
and the report's snippet holds them with the steps written as code (snippet_rule.py).
A leaf module: workers import it, and it imports no framework (`build` is given them).
"""

from __future__ import annotations

from typing import Any, Callable

from oracle.gradidioms import indent, one_line

# names the rule's code defines; a case name equal to one is renamed in the snippet (name_)
NAMES = {"ctx", "saved", "grad_fn"}


def rule_lines(framework: str, out: str, params: list[str], forward: list[str], backward: list[str],
               cotangent: str, grads: list[str]) -> tuple[list[str], str]:
    """(the definition, what is called in the step's place) for the step making `out` from `params`;
    `forward` and `backward` are the op's and the rule's lines, over the same names."""
    args, name = ", ".join(params), f"rule_{out}"
    returned = ", ".join(grads) + ("," if len(grads) == 1 else "")
    if framework == "jax":
        return ["@jax.custom_vjp", f"def {name}({args}):", *indent(forward), f"    return {out}", "",
                f"def {name}_fwd({args}):", f"    {out} = {name}({args})", f"    return {out}, (({args},), {out})", "",
                f"def {name}_bwd(saved, {cotangent}):", f"    ({args},), {out} = saved", *indent(backward),
                f"    return ({returned})", "", f"{name}.defvjp({name}_fwd, {name}_bwd)", ""], name
    if framework == "tensorflow":
        return ["@tf.custom_gradient", f"def {name}({args}):", *indent(forward),
                f"    def grad_fn({cotangent}):", *indent(backward, 2), f"        return [{', '.join(grads)}]",
                f"    return {out}, grad_fn", ""], name
    cls = f"Rule_{out}"
    return [f"class {cls}(torch.autograd.Function):", "    @staticmethod", f"    def forward(ctx, {args}):",
            *indent(forward, 2), f"        ctx.save_for_backward({args}, {out})", f"        return {out}", "",
            "    @staticmethod", f"    def backward(ctx, {cotangent}):", f"        {args}, {out} = ctx.saved_tensors",
            *indent(backward, 2), f"        return {returned}", ""], f"{cls}.apply"


def rule_text(framework: str, out: str, params: list[str], forward: list[str], backward: list[str], cotangent: str,
              grads: list[str]) -> str:
    """The mechanism as the outcome's `native_api` records it: the definition's lines and the call in the step's
    place, joined in one line."""
    definition, callee = rule_lines(framework, out, params, forward, backward, cotangent, grads)
    return one_line([*definition, f"{out} = {callee}({', '.join(params)})"])


def build(framework: str, arity: int, forward: Callable[..., Any],
          backward: Callable[[tuple[Any, ...], Any, Any], tuple[Any, ...]], modules: dict[str, Any]) -> Any:
    """The definition executed: forward(*args) as the op, backward(args, output, cotangent) as the rule's
    steps, every name in `modules` (jax; tf; torch) in scope. -> what is called in the step's place."""
    params, grads = [f"a{i}" for i in range(arity)], [f"g{i}" for i in range(arity)]
    args = ", ".join(params)
    unpacked = ", ".join(grads) + ("," if arity == 1 else "")
    definition, callee = rule_lines(framework, "out", params, [f"out = forward({args})"],
                                    [f"{unpacked} = backward(({args},), out, cotangent)"], "cotangent", grads)
    scope: dict[str, Any] = {**modules, "forward": forward, "backward": backward}
    exec(compile("\n".join([*definition, f"built = {callee}"]), f"<{framework} gradient rule>", "exec"),  # noqa: S102
         scope)  # our own lines: names and the framework's mechanism, nothing of a case file
    return scope["built"]
