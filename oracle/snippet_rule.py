"""A custom gradient in a reproduction snippet: the column's mechanism (oracle/gradrules.py, the lines its
adapter executes) around the step's op and the rule's steps written as code.
"""

from __future__ import annotations

from oracle.gradrules import rule_lines


def rule_code(framework: str, out: str, params: list[str], forward: list[str], backward: list[str],
              cotangent: str, grads: list[str]) -> tuple[list[str], str]:
    """(the definition, the call that replaces the step) for the step making `out` from `params`; `forward`
    and `backward` are the op's and the rule's lines, over the snippet's variable names."""
    definition, callee = rule_lines(framework, out, params, forward, backward, cotangent, grads)
    return definition, f"{out} = {callee}({', '.join(params)})"
