"""The idiom ops (oracle/ops/idioms.py) as users write them, with each framework's compiler passed in.

The user's function is the same Python in the three frameworks; what differs is the compiler
(jax.jit, tf.function, torch.compile) with its whole-graph form and its form with a static argument,
how a tensor is summed, and how a Python count becomes a tensor the oracle records. Each adapter's
<framework>_idioms.py supplies those five and gets its CUSTOM table from `table`.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any, Callable

Compile = Callable[[Callable[..., Any]], Callable[..., Any]]
scale = 1.0  # the global that global_read's function reads


def if_on_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    def f(x: Any) -> Any:
        return x * 2 if total(x) > 0 else -x

    return compile_(f)(x)


def body_runs(compile_: Compile, count: Callable[[int], Any], inputs: list[Any]) -> Any:
    """How many times the Python body of compiled f ran (a side effect: appending to a list) over one call
    per input: the same inputs (side_effect_count), a new shape or a new dtype between them."""
    runs: list[int] = []

    def f(x: Any) -> Any:
        runs.append(1)
        return x + 1

    g = compile_(f)
    for x in inputs:
        g(x)
    return count(len(runs))  # the Python count, as a tensor the oracle records


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


def float_of_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    def f(x: Any) -> Any:
        return x * float(total(x))  # a Python float of a tensor computed inside

    return compile_(f)(x)


def boolean_mask(compile_: Compile, x: Any) -> Any:
    def f(x: Any) -> Any:
        return x[x > 0]  # the result's length is the number of positive values

    return compile_(f)(x)


def while_on_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    def f(x: Any) -> Any:
        while total(x) < 10:
            x = x * 2
        return x

    return compile_(f)(x)


def item_assignment(compile_: Compile, x: Any) -> Any:
    def f(x: Any) -> Any:
        y = x + 0  # a new array, so the caller's input is left alone
        y[0] = 0
        return y

    return compile_(f)(x)


def int_argument_slice(compile_: Compile, x: Any) -> Any:
    def f(x: Any, n: int) -> Any:
        return x[:n]

    return compile_(f)(x, 2)


def print_count(compile_: Compile, count: Callable[[int], Any], x: Any) -> Any:
    out = io.StringIO()

    def f(x: Any) -> Any:
        print("called")
        return x + 1

    g = compile_(f)
    with contextlib.redirect_stdout(out):  # the worker's own stdout is left alone
        g(x)
        g(x)
    return count(out.getvalue().count("called"))  # how many lines the two calls printed


def leaked_intermediate(compile_: Compile, x: Any) -> Any:
    saved: list[Any] = []

    def f(x: Any) -> Any:
        y = x * 2
        saved.append(y)  # an intermediate kept in a Python list outside f
        return y + 1

    compile_(f)(x)
    return saved[0] + 1  # used after the call


def out_of_bounds_index(compile_: Compile, x: Any) -> Any:
    def f(x: Any) -> Any:
        return x[x.shape[0]]  # the first index past the end

    return compile_(f)(x)


def static_argument_runs(static: Compile, count: Callable[[int], Any], x: Any) -> Any:
    runs: list[int] = []

    def f(x: Any, n: int) -> Any:
        runs.append(1)
        return x[:n]

    g = static(f)  # argument 1 (n) static
    for n in (1, 2, 1):
        g(x, n)
    return count(len(runs))


def closure_list_read(compile_: Compile, x: Any) -> Any:
    items = [1.0]
    f = compile_(lambda x: x * len(items))
    f(x)
    items.append(2.0)
    return f(x)


def table(compile_: Compile, total: Callable[[Any], Any], count: Callable[[int], Any],
          strict: Compile, static: Compile) -> dict[str, Callable[..., Any]]:
    """The CUSTOM entries of one framework's idioms; `strict` is its compiler told to compile the whole
    function or fail (jax.jit, tf.function(jit_compile=True), torch.compile(fullgraph=True)), `static` its
    compiler with a function's argument 1 static (jax.jit(f, static_argnums=1); tf.function and
    torch.compile have no such option and take a Python int as it is)."""
    return {
        "compiled_if_on_value": lambda x: if_on_value(compile_, total, x),
        "compiled_side_effect_count": lambda x: body_runs(compile_, count, [x, x]),
        "compiled_scalar_argument_runs": lambda x: scalar_argument_runs(compile_, count, x),
        "compiled_global_read": lambda x: global_read(compile_, x),
        "compiled_new_shape_runs": lambda x: body_runs(compile_, count, [x, x[:1], x]),  # a new shape, then x's
        "compiled_new_dtype_runs": lambda x, n: body_runs(compile_, count, [x, n, x]),  # a new dtype, then x's
        "compiled_float_of_value": lambda x: float_of_value(compile_, total, x),
        "compiled_boolean_mask": lambda x: boolean_mask(compile_, x),
        "compiled_while_on_value": lambda x: while_on_value(compile_, total, x),
        "compiled_item_assignment": lambda x: item_assignment(compile_, x),
        "compiled_int_argument_slice": lambda x: int_argument_slice(compile_, x),
        "compiled_print_count": lambda x: print_count(compile_, count, x),
        "compiled_leaked_intermediate": lambda x: leaked_intermediate(compile_, x),
        "compiled_out_of_bounds_index": lambda x: out_of_bounds_index(compile_, x),
        "compiled_strict_if_on_value": lambda x: if_on_value(strict, total, x),
        "compiled_static_argument_runs": lambda x: static_argument_runs(static, count, x),
        "compiled_closure_list_read": lambda x: closure_list_read(compile_, x),
    }
