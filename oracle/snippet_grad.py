"""The gradient part of a reproduction snippet: the column's idiom (oracle/gradidioms.py, the lines its
adapter executes) around the steps written as code, so the snippet reproduces the recorded outcome, errors
included (torch's second `backward()` without `retain_graph`, a second `tape.gradient` on a non-persistent
tape, `jax.grad` of an integer input). Where the idiom's lines refuse an option (TensorFlow's
value_and_grad, accumulating into `.grad` outside torch), there is no snippet: None.
"""

from __future__ import annotations

from oracle.gradidioms import gradient_lines, indent, refused
from oracle.gradopts import GradOptions


def gradient_code(framework: str, grad: GradOptions, var: dict[str, str], body: list[str]) -> list[str] | None:
    """The forward `body` (one line per step) and the gradient of grad.of wrt grad.wrt, as one block.

    `var` maps case names to the snippet's variables; the gradient of input `w` is left in `grad_<w>`.
    """
    def define(params: list[str]) -> list[str]:  # the forward again as the function a transform differentiates
        return ["", f"def loss_fn({', '.join(params)}):", *indent(body), f"    return {var[grad.of]}", ""]

    lines = gradient_lines(framework, grad, var, body, define)
    return None if refused(lines) else lines
