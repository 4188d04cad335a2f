"""Compiled forms: a case's steps run inside each framework's compiler, as its users wrap a function.

`compile: true` picks each framework's compiler (jax.jit, tf.function, torch.compile); a mapping picks one
per framework (`compile: {tensorflow: xla}` for tf.function(jit_compile=True); `eager` leaves that
framework uncompiled). Every input is a traced argument of the compiled function; step attributes are
Python constants in its body (static, as a user's literals are). The reference runs eagerly: what it
computes is what the steps mean, so a compiled result that differs from it differs from eager semantics.
`oracle run --compile both` runs each framework column twice, as `<column>/eager` and `<column>/compiled`,
and the diff compares the two like two frameworks. A leaf module: workers import it.
"""

from __future__ import annotations

from typing import Any

# framework -> compiler name -> the call as a user writes it
COMPILERS: dict[str, dict[str, str]] = {
    "jax": {"jit": "jax.jit"},
    "tensorflow": {"function": "tf.function", "xla": "tf.function(jit_compile=True)"},
    "torch": {"compile": "torch.compile"},
}
DEFAULT = {"jax": "jit", "tensorflow": "function", "torch": "compile"}
EAGER = "eager"
SWEEP = ("eager", "compiled")  # `--compile both`: the sub-columns of each framework column


def compile_problem(value: Any) -> str:
    """Why a `compile:` value is not valid ('' when it is)."""
    if value is None or isinstance(value, bool):
        return ""
    if not isinstance(value, dict):
        return "`compile` is true, false, or a mapping framework -> compiler"
    for framework, name in value.items():
        if framework not in COMPILERS:
            return f"unknown framework {framework!r}; compile is chosen for {', '.join(COMPILERS)}"
        known = [*COMPILERS[framework], EAGER]
        if name not in known:
            return f"unknown {framework} compiler {name!r}; choose one of {', '.join(known)}"
    return ""


def compile_choice(value: bool | dict[str, str] | None) -> dict[str, str]:
    """A valid `compile:` value as framework -> compiler, the uncompiled frameworks left out."""
    if value is True:
        return dict(DEFAULT)
    if not isinstance(value, dict):
        return {}
    return {fw: name for fw, name in value.items() if name != EAGER}


def for_column(choice: dict[str, str], framework: str, sweep: str) -> dict[str, str]:
    """The request's compile choice in a `--compile both` sub-column of `framework` (`sweep` eager or compiled)."""
    rest = {fw: name for fw, name in choice.items() if fw != framework}
    if sweep == EAGER:
        return rest
    return {**rest, framework: choice.get(framework, DEFAULT[framework])}


def compiler_text(framework: str, name: str) -> str:
    return COMPILERS[framework][name]
