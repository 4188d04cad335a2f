"""A custom gradient in a reproduction snippet: the step's op and the rule's steps inside each framework's
mechanism, as the column's adapter builds them (adapters/<framework>.py `custom_gradient`,
oracle/jaxgrad.py `jax_custom_vjp`): jax.custom_vjp with fwd saving the arguments and the output,
tf.custom_gradient returning a list of gradients, a torch.autograd.Function saving the same.
"""

from __future__ import annotations

from oracle.gradidioms import indent

# names the rule's code defines; a case name equal to one is renamed in the snippet (name_)
NAMES = {"ctx", "saved", "grad_fn"}


def rule_code(framework: str, out: str, params: list[str], forward: list[str], backward: list[str],
              cotangent: str, grads: list[str]) -> tuple[list[str], str]:
    """(the definition, the call that replaces the step) for the step making `out` from `params`; `forward`
    and `backward` are the op's and the rule's lines, over the snippet's variable names."""
    args, name = ", ".join(params), f"rule_{out}"
    returned = ", ".join(grads) + ("," if len(grads) == 1 else "")
    if framework == "jax":
        return ["@jax.custom_vjp", f"def {name}({args}):", *indent(forward), f"    return {out}", "",
                f"def {name}_fwd({args}):", f"    {out} = {name}({args})", f"    return {out}, (({args},), {out})", "",
                f"def {name}_bwd(saved, {cotangent}):", f"    ({args},), {out} = saved", *indent(backward),
                f"    return ({returned})", "", f"{name}.defvjp({name}_fwd, {name}_bwd)", ""], f"{out} = {name}({args})"
    if framework == "tensorflow":
        return ["@tf.custom_gradient", f"def {name}({args}):", *indent(forward),
                f"    def grad_fn({cotangent}):", *indent(backward, 2), f"        return [{', '.join(grads)}]",
                f"    return {out}, grad_fn", ""], f"{out} = {name}({args})"
    cls = f"Rule_{out}"
    return [f"class {cls}(torch.autograd.Function):", "    @staticmethod", f"    def forward(ctx, {args}):",
            *indent(forward, 2), f"        ctx.save_for_backward({args}, {out})", f"        return {out}", "",
            "    @staticmethod", f"    def backward(ctx, {cotangent}):", f"        {args}, {out} = ctx.saved_tensors",
            *indent(backward, 2), f"        return {returned}", ""], f"{out} = {cls}.apply({args})"
