"""The idiom ops (oracle/ops/idioms.py) as users write them, with each framework's compiler passed in.

The user's function is the same Python in the three frameworks; what differs is the compiler
(jax.jit, tf.function, torch.compile), how a tensor is summed, and how a Python count becomes a
tensor the oracle records. Each adapter's <framework>_idioms.py supplies those three and gets its
CUSTOM table from `table`.
"""

from __future__ import annotations

from typing import Any, Callable

Compile = Callable[[Callable[..., Any]], Callable[..., Any]]
scale = 1.0  # the global that global_read's function reads


def if_on_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    def f(x: Any) -> Any:
        return x * 2 if total(x) > 0 else -x

    return compile_(f)(x)


def side_effect_count(compile_: Compile, count: Callable[[int], Any], x: Any) -> Any:
    calls: list[int] = []

    def f(x: Any) -> Any:
        calls.append(1)
        return x + 1

    g = compile_(f)
    g(x)
    g(x)
    return count(len(calls))  # the Python count, as a tensor the oracle records


def scalar_argument_runs(compile_: Compile, count: Callable[[int], Any], x: Any) -> Any:
    runs: list[int] = []

    def f(x: Any, s: float) -> Any:
        runs.append(1)
        return x * s

    g = compile_(f)
    g(x, 1.0)
    g(x, 2.0)
    return count(len(runs))  # how many times the Python body ran


def global_read(compile_: Compile, x: Any) -> Any:
    global scale
    scale = 1.0
    f = compile_(lambda x: x * scale)
    f(x)
    scale = 2.0
    return f(x)


def table(compile_: Compile, total: Callable[[Any], Any], count: Callable[[int], Any]) -> dict[str, Callable[..., Any]]:
    """The CUSTOM entries of one framework's idioms."""
    return {
        "compiled_if_on_value": lambda x: if_on_value(compile_, total, x),
        "compiled_side_effect_count": lambda x: side_effect_count(compile_, count, x),
        "compiled_scalar_argument_runs": lambda x: scalar_argument_runs(compile_, count, x),
        "compiled_global_read": lambda x: global_read(compile_, x),
    }
