"""The idiom ops (oracle/ops/idioms.py) as users write them, with each framework's compiler passed in.

The user's function is the same Python in the three frameworks; what differs is the compiler
(jax.jit, tf.function, torch.compile) with its whole-graph form and its form with a static argument,
how a tensor is summed, and how a Python count becomes a tensor the oracle records. Each adapter's
<framework>_idioms.py supplies those five and gets its CUSTOM table from `table`.
"""

from __future__ import annotations

import contextlib
import functools
import io
from typing import Any, Callable

from oracle import expression
from oracle.native import resolve

Compile = Callable[[Callable[..., Any]], Callable[..., Any]]
scale = 1.0  # the global that global_read's function reads


def if_on_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    """A Python `if` on the sum of x inside f: a traced value where the compiler traces."""
    def f(x: Any) -> Any:
        return x * 2 if total(x) > 0 else -x

    return compile_(f)(x)


def body_runs(arguments: str, calls: str, compile_: Compile, count: Callable[[int], Any], *args: Any) -> Any:
    """How many times the Python body of compiled f ran (a side effect: appending to a list) over one call per
    input: one idiom, the inputs as data (`calls`, a list over the op's `arguments` in oracle/expression.py's
    language): the same inputs (side_effect_count), a new shape or a new dtype between them."""
    runs: list[int] = []

    def f(x: Any) -> Any:
        runs.append(1)
        return x + 1

    g = compile_(f)
    for x in expression.run(calls, dict(zip(arguments.split(), args)), resolve):
        g(x)
    return count(len(runs))  # the Python count, as a tensor the oracle records


def scalar_argument_runs(compile_: Compile, count: Callable[[int], Any], x: Any) -> Any:
    """How many times f's Python body ran over two calls with a new Python float each."""
    runs: list[int] = []

    def f(x: Any, s: float) -> Any:
        runs.append(1)
        return x * s

    g = compile_(f)
    g(x, 1.0)
    g(x, 2.0)
    return count(len(runs))  # how many times the Python body ran


def global_read(compile_: Compile, x: Any) -> Any:
    """f reads a module global that changes between two calls."""
    global scale
    scale = 1.0
    f = compile_(lambda x: x * scale)
    f(x)
    scale = 2.0
    return f(x)


def float_of_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    """float() of a tensor computed inside f."""
    def f(x: Any) -> Any:
        return x * float(total(x))  # a Python float of a tensor computed inside

    return compile_(f)(x)


def boolean_mask(compile_: Compile, x: Any) -> Any:
    """x[x > 0] inside f: a result whose length depends on the values."""
    def f(x: Any) -> Any:
        return x[x > 0]  # the result's length is the number of positive values

    return compile_(f)(x)


def while_on_value(compile_: Compile, total: Callable[[Any], Any], x: Any) -> Any:
    """A Python `while` on the sum of x inside f."""
    def f(x: Any) -> Any:
        while total(x) < 10:
            x = x * 2
        return x

    return compile_(f)(x)


def item_assignment(compile_: Compile, x: Any) -> Any:
    """y[0] = 0 on a copy of x inside f."""
    def f(x: Any) -> Any:
        y = x + 0  # a new array, so the caller's input is left alone
        y[0] = 0
        return y

    return compile_(f)(x)


def int_argument_slice(compile_: Compile, x: Any) -> Any:
    """x[:n] inside f with n a Python int argument."""
    def f(x: Any, n: int) -> Any:
        return x[:n]

    return compile_(f)(x, 2)


def print_count(compile_: Compile, count: Callable[[int], Any], x: Any) -> Any:
    """How many lines two calls of f print (a Python print inside f)."""
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
    """An intermediate kept in a Python list outside f, used after the call."""
    saved: list[Any] = []

    def f(x: Any) -> Any:
        y = x * 2
        saved.append(y)  # an intermediate kept in a Python list outside f
        return y + 1

    compile_(f)(x)
    return saved[0] + 1  # used after the call


def out_of_bounds_index(compile_: Compile, x: Any) -> Any:
    """x[x.shape[0]] inside f: the first index past the end."""
    def f(x: Any) -> Any:
        return x[x.shape[0]]  # the first index past the end

    return compile_(f)(x)


def static_argument_runs(static: Compile, count: Callable[[int], Any], x: Any) -> Any:
    """How many times f's body ran over three calls with argument 1 static (1, 2, then 1)."""
    runs: list[int] = []

    def f(x: Any, n: int) -> Any:
        runs.append(1)
        return x[:n]

    g = static(f)  # argument 1 (n) static
    for n in (1, 2, 1):
        g(x, n)
    return count(len(runs))


def closure_list_read(compile_: Compile, x: Any) -> Any:
    """f reads the length of a Python list that grows between two calls."""
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
    p = functools.partial
    return {
        "compiled_if_on_value": p(if_on_value, compile_, total),
        "compiled_side_effect_count": p(body_runs, "x", "[x, x]", compile_, count),
        "compiled_scalar_argument_runs": p(scalar_argument_runs, compile_, count),
        "compiled_global_read": p(global_read, compile_),
        "compiled_new_shape_runs": p(body_runs, "x", "[x, x[:1], x]", compile_, count),
        "compiled_new_dtype_runs": p(body_runs, "x n", "[x, n, x]", compile_, count),
        "compiled_float_of_value": p(float_of_value, compile_, total),
        "compiled_boolean_mask": p(boolean_mask, compile_),
        "compiled_while_on_value": p(while_on_value, compile_, total),
        "compiled_item_assignment": p(item_assignment, compile_),
        "compiled_int_argument_slice": p(int_argument_slice, compile_),
        "compiled_print_count": p(print_count, compile_, count),
        "compiled_leaked_intermediate": p(leaked_intermediate, compile_),
        "compiled_out_of_bounds_index": p(out_of_bounds_index, compile_),
        "compiled_strict_if_on_value": p(if_on_value, strict, total),
        "compiled_static_argument_runs": p(static_argument_runs, static, count),
        "compiled_closure_list_read": p(closure_list_read, compile_),
    }
