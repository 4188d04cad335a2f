"""The idiom ops (oracle/ops/idioms.py): each framework's compiled call, computed here natively, is what the
oracle recorded for the cases in cases/transforms; the reference states eager Python."""

from __future__ import annotations

from typing import Any

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
