"""The idiom ops (oracle/ops/idioms.py): each framework's compiled call, computed here natively, is what the
oracle recorded for the cases in cases/transforms; the reference states eager Python."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

X = [1.0, -0.5, 2.0]


def _cell(pipeline: dict[str, Any], case: str, column: str) -> dict[str, Any]:
    return dict(pipeline["_by_id"][case]["columns"][column])


def _values(cell: dict[str, Any], name: str) -> list[float]:
    assert cell["status"] == "ok", cell
    values = cell["outputs"][name]["values"]  # a scalar's is a number
    return list(values) if isinstance(values, list) else [values]


def test_an_if_on_a_traced_value(pipeline: dict[str, Any]) -> None:
    import jax
    import torch

    def f(x: Any) -> Any:
        return x * 2 if x.sum() > 0 else -x

    eager = f(np.array(X))
    assert _values(_cell(pipeline, "compiled-if-on-value", "reference"), "y") == list(eager)
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.jit(f)(jax.numpy.asarray(X))
    cell = _cell(pipeline, "compiled-if-on-value", "jax")
    assert cell["status"] == "error" and cell["error"]["type"] == "jax.errors.TracerBoolConversionError"
    assert _values(_cell(pipeline, "compiled-if-on-value", "torch"), "y") == \
        torch.compile(f)(torch.tensor(X)).tolist()


def test_a_side_effect_runs_once_per_trace(pipeline: dict[str, Any]) -> None:
    import jax

    calls: list[int] = []

    def f(x: Any) -> Any:
        calls.append(1)
        return x + 1

    g = jax.jit(f)
    g(jax.numpy.ones(2))
    g(jax.numpy.ones(2))
    assert _values(_cell(pipeline, "compiled-side-effect-once-per-trace", "jax"), "count") == [float(len(calls))]
    assert len(calls) == 1
    assert _values(_cell(pipeline, "compiled-side-effect-once-per-trace", "reference"), "count") == [2.0]


def test_a_global_is_read_at_trace_time(pipeline: dict[str, Any]) -> None:
    import jax
    import torch

    box = {"scale": 1.0}

    def f(x: Any) -> Any:
        return x * box["scale"]

    for compiled, x, column in ((jax.jit(f), jax.numpy.asarray([1.0, 2.0]), "jax"),
                                (torch.compile(f), torch.tensor([1.0, 2.0]), "torch")):
        box["scale"] = 1.0
        compiled(x)
        box["scale"] = 2.0
        got = np.asarray(compiled(x)).tolist()
        assert _values(_cell(pipeline, "compiled-global-read-at-trace", column), "y") == got, column
    assert _values(_cell(pipeline, "compiled-global-read-at-trace", "jax"), "y") == [1.0, 2.0]  # the traced 1.0
    assert _values(_cell(pipeline, "compiled-global-read-at-trace", "reference"), "y") == [2.0, 4.0]


def test_tensorflow_function_traces_once_and_bakes_the_global_in(pipeline: dict[str, Any]) -> None:
    import tensorflow as tf

    calls: list[int] = []
    box = {"scale": 1.0}

    def f(x: Any) -> Any:
        calls.append(1)
        return x * box["scale"] if tf.reduce_sum(x) > 0 else -x

    g = tf.function(f)
    g(tf.constant([1.0, 2.0]))
    box["scale"] = 2.0
    got = g(tf.constant([1.0, 2.0])).numpy().tolist()
    assert len(calls) == 1 and got == [1.0, 2.0]  # AutoGraph computed the `if`; the trace kept scale 1.0
    assert _values(_cell(pipeline, "compiled-side-effect-once-per-trace", "tensorflow"), "count") == [1.0]
    assert _values(_cell(pipeline, "compiled-global-read-at-trace", "tensorflow"), "y") == got
    assert _values(_cell(pipeline, "compiled-if-on-value", "tensorflow"), "y") == [2.0, -1.0, 4.0]


def _appending(runs: list[int]) -> Any:
    def f(x: Any, s: float) -> Any:
        runs.append(1)
        return x * s

    return f


def test_a_new_python_scalar_retraces_tf_function_but_not_jax_jit(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    for compile_, x, column, want in ((jax.jit, jax.numpy.ones(2), "jax", 1), (tf.function, tf.ones(2), "tensorflow", 2)):
        runs: list[int] = []
        g = compile_(_appending(runs))
        g(x, 1.0)
        g(x, 2.0)
        assert len(runs) == want, column
        assert _values(_cell(pipeline, "compiled-python-scalar-argument", column), "runs") == [float(len(runs))]
    assert _values(_cell(pipeline, "compiled-python-scalar-argument", "reference"), "runs") == [2.0]


# --- the idioms below, each written here once and run natively in every column: the eager reference on
# NumPy float64 (no compiler), jax.jit, tf.function and torch.compile; what each did (values, or the
# exception's class) must be what the pipeline recorded for its case.


class Column(NamedTuple):
    compile: Callable[[Callable[..., Any]], Callable[..., Any]]
    strict: Callable[[Callable[..., Any]], Callable[..., Any]]  # the compiler's whole-graph form
    static: Callable[[Callable[..., Any]], Callable[..., Any]]  # with argument 1 static, where it has the option
    x: Any
    n: Any  # int32, x's shape
    total: Callable[[Any], Any]


def _columns() -> dict[str, Column]:
    import functools

    import jax
    import tensorflow as tf
    import torch

    def eager(f: Callable[..., Any]) -> Callable[..., Any]:
        return f

    def total(x: Any) -> Any:
        return x.sum()

    return {
        "reference": Column(eager, eager, eager, np.array(X), np.array([1, 2, 3], dtype=np.int32), total),
        "jax": Column(jax.jit, jax.jit, functools.partial(jax.jit, static_argnums=1), jax.numpy.asarray(X),
                      jax.numpy.asarray([1, 2, 3], dtype="int32"), total),
        "tensorflow": Column(tf.function, functools.partial(tf.function, jit_compile=True), tf.function,
                             tf.constant(X), tf.constant([1, 2, 3], dtype=tf.int32), tf.reduce_sum),
        "torch": Column(torch.compile, functools.partial(torch.compile, fullgraph=True), torch.compile,
                        torch.tensor(X), torch.tensor([1, 2, 3], dtype=torch.int32), total),
    }


def _qualified(cls: type) -> str:
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _same(pipeline: dict[str, Any], case: str, call: Callable[[Column], Any]) -> None:
    """`call` run natively in each column does what the pipeline recorded there: the same values, or an
    exception of the same class."""
    for column, native in _columns().items():
        cell = _cell(pipeline, case, column)
        if column == "torch" and cell["status"] == "unsupported":
            continue  # torch.compile cannot compile on this machine: the cell says so with the reason
        try:
            got = np.asarray(call(native)).tolist()
        except Exception as exc:
            assert cell["status"] == "error", f"{case} [{column}]: raised {exc!r} here, recorded {cell}"
            assert cell["error"]["type"] == _qualified(type(exc)), f"{case} [{column}]: {exc!r} vs {cell['error']}"
            continue
        assert cell["status"] == "ok", f"{case} [{column}]: computed {got} here, recorded {cell}"
        [recorded] = [o["values"] for o in cell["outputs"].values()]
        assert recorded == got, f"{case} [{column}]: {got} here, {recorded} recorded"


def _runs(native: Column, args: list[Any]) -> float:
    """How many times the Python body of compiled f ran over calls on each of `args`."""
    calls: list[int] = []

    def f(x: Any) -> Any:
        calls.append(1)
        return x + 1

    g = native.compile(f)
    for a in args:
        g(a)
    return float(len(calls))


def test_a_new_shape_retraces(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-new-shape-retraces", lambda c: _runs(c, [c.x, c.x[:1], c.x]))


def test_a_new_dtype_retraces(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-new-dtype-retraces", lambda c: _runs(c, [c.x, c.n, c.x]))


def test_float_of_a_value_computed_inside(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-float-of-traced-value", lambda c: c.compile(lambda x: x * float(c.total(x)))(c.x))


def test_a_boolean_mask_inside(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-boolean-mask", lambda c: c.compile(lambda x: x[x > 0])(c.x))


def test_a_while_on_a_value(pipeline: dict[str, Any]) -> None:
    def call(c: Column) -> Any:
        def f(x: Any) -> Any:
            while c.total(x) < 10:
                x = x * 2
            return x

        return c.compile(f)(c.x)

    _same(pipeline, "compiled-while-on-value", call)


def test_item_assignment_inside(pipeline: dict[str, Any]) -> None:
    def call(c: Column) -> Any:
        def f(x: Any) -> Any:
            y = x + 0
            y[0] = 0
            return y

        return c.compile(f)(c.x)

    _same(pipeline, "compiled-item-assignment", call)


def test_a_python_int_argument_as_a_slice_bound(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-int-argument-slice", lambda c: c.compile(lambda x, n: x[:n])(c.x, 2))


def test_print_inside(pipeline: dict[str, Any]) -> None:
    import contextlib
    import io

    def call(c: Column) -> float:
        out = io.StringIO()

        def f(x: Any) -> Any:
            print("called")
            return x + 1

        g = c.compile(f)
        with contextlib.redirect_stdout(out):
            g(c.x)
            g(c.x)
        return float(out.getvalue().count("called"))

    _same(pipeline, "compiled-print-once-per-trace", call)


def test_an_intermediate_kept_outside(pipeline: dict[str, Any]) -> None:
    def call(c: Column) -> Any:
        saved: list[Any] = []

        def f(x: Any) -> Any:
            saved.append(x * 2)
            return saved[-1] + 1

        c.compile(f)(c.x)
        return saved[0] + 1

    _same(pipeline, "compiled-leaked-intermediate", call)


def test_an_out_of_bounds_index(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-out-of-bounds-index", lambda c: c.compile(lambda x: x[x.shape[0]])(c.x))


def test_an_if_on_a_value_through_the_whole_graph_compilers(pipeline: dict[str, Any]) -> None:
    _same(pipeline, "compiled-fullgraph-if-on-value",
          lambda c: c.strict(lambda x: x * 2 if c.total(x) > 0 else -x)(c.x))


def test_a_static_argument_compiles_once_per_value(pipeline: dict[str, Any]) -> None:
    def call(c: Column) -> float:
        calls: list[int] = []

        def f(x: Any, n: int) -> Any:
            calls.append(1)
            return x[:n]

        g = c.static(f)
        for n in (1, 2, 1):
            g(c.x, n)
        return float(len(calls))

    _same(pipeline, "compiled-static-argument-retraces", call)


def test_a_closed_over_list_is_read_at_trace_time(pipeline: dict[str, Any]) -> None:
    def call(c: Column) -> Any:
        items = [1.0]
        g = c.compile(lambda x: x * len(items))
        g(c.x)
        items.append(2.0)
        return g(c.x)

    _same(pipeline, "compiled-closure-list-read-at-trace", call)
