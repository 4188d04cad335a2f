"""Transformations of a case's steps (issue 26): compiled forms and forward mode.

Each test computes the native behaviour here, with the framework's own transform, and compares it
with what the oracle recorded for the cases in cases/transforms (the session's `make run`), or with
a run of its own where the test needs sub-columns (`--compile both`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch  # Keras 3: torch before TensorFlow in one process

from oracle.cases import CaseError, load_file

ROOT = Path(__file__).resolve().parent.parent
TRANSFORMS = ROOT / "cases" / "transforms"
X, IDX = [10.0, 20.0, 30.0, 40.0], [0, 5]


def _cell(pipeline: dict[str, Any], case: str, column: str) -> dict[str, Any]:
    return dict(pipeline["_by_id"][case]["columns"][column])


def _values(cell: dict[str, Any], name: str) -> Any:
    assert cell["status"] == "ok", cell
    return cell["outputs"][name]["values"]


def test_a_compiled_case_records_each_compiler_and_xla_clamps_where_eager_raises(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    x, idx = tf.constant(X), tf.constant(IDX, dtype=tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(x, idx)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.function(tf.gather)(x, idx)
    xla = tf.function(tf.gather, jit_compile=True)(x, idx).numpy().tolist()
    eager = _cell(pipeline, "compiled-gather-out-of-range[eager]", "tensorflow")
    assert eager["status"] == "error" and "InvalidArgumentError" in eager["error"]["type"]
    assert "compiled" not in eager["notes"]
    compiled = _cell(pipeline, "compiled-gather-out-of-range[compiled]", "tensorflow")
    assert compiled["notes"]["compiled"] == "tf.function" and "InvalidArgumentError" in compiled["error"]["type"]
    on_xla = _cell(pipeline, "compiled-gather-out-of-range[xla]", "tensorflow")
    assert on_xla["notes"]["compiled"] == "tf.function(jit_compile=True)"
    assert _values(on_xla, "y") == xla == [10.0, 40.0]  # the eager call raised; the compiled one computes

    native = np.asarray(jax.jit(jax.numpy.take)(jax.numpy.asarray(X), jax.numpy.asarray(IDX)))
    cell = _cell(pipeline, "compiled-gather-out-of-range[compiled]", "jax")
    assert cell["notes"]["compiled"] == "jax.jit" and cell["native_api"][0] == "@jax.jit"
    assert _values(cell, "y")[0] == native[0] == 10.0 and np.isnan(native[1]) and _values(cell, "y")[1] == "nan"

    with pytest.raises(Exception) as caught:
        torch.compile(torch.take)(torch.tensor(X), torch.tensor(IDX))
    cell = _cell(pipeline, "compiled-gather-out-of-range[compiled]", "torch")
    assert cell["notes"]["compiled"] == "torch.compile"
    assert cell["status"] == "error" and cell["error"]["base"] == type(caught.value).__name__
    assert _cell(pipeline, "compiled-gather-out-of-range[eager]", "torch")["error"]["type"] == "IndexError"


def test_compile_both_diffs_eager_and_compiled_sub_columns_of_one_framework(tmp_path: Path) -> None:
    from oracle.forms import compile_columns
    from oracle.results import execute, parse_columns

    case = next(c for c in load_file(TRANSFORMS / "compiled-gather-out-of-range.yaml") if c.variant == "xla")
    columns = compile_columns(parse_columns("reference,tensorflow", "cpu"))
    assert [c.name for c in columns] == ["reference", "tensorflow/eager", "tensorflow/compiled"]
    record = execute([case], columns, tmp_path / "logs")["cases"][0]
    cols = record["columns"]
    assert cols["tensorflow/eager"]["status"] == "error" and "compiled" not in cols["tensorflow/eager"]["notes"]
    assert cols["tensorflow/compiled"]["notes"]["compiled"] == "tf.function(jit_compile=True)"
    assert cols["tensorflow/compiled"]["outputs"]["y"]["values"] == [10.0, 40.0]
    verdict = next(v for v in record["verdicts"] if set(v["columns"]) == {"tensorflow/eager", "tensorflow/compiled"})
    assert verdict["kind"] == "silent_divergence" and "tensorflow/compiled" in verdict["explanation"], verdict


def test_forward_mode_jvp_and_jacfwd_are_each_frameworks_own(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    x, t = np.array([1.0, 2.0], np.float32), np.array([1.0, 0.0], np.float32)
    _, jvp = jax.jvp(lambda a: a * a, (x,), (t,))
    torch_jvp = torch.func.jvp(lambda a: a * a, (torch.tensor(x),), (torch.tensor(t),))[1]
    v = tf.constant(x)
    with tf.autodiff.ForwardAccumulator(v, tf.constant(t)) as acc:
        y = v * v
    case = "forward-mode-jvp-of-square[jvp]"
    assert _values(_cell(pipeline, case, "jax"), "grad.x") == np.asarray(jvp).tolist()
    assert _values(_cell(pipeline, case, "torch"), "grad.x") == torch_jvp.tolist()
    assert _values(_cell(pipeline, case, "tensorflow"), "grad.x") == acc.jvp(y).numpy().tolist() == [2.0, 0.0]
    assert _values(_cell(pipeline, case, "reference"), "grad.x") == [2.0, 0.0]  # 2 x t, by hand

    case = "forward-mode-jvp-of-square[jacfwd]"
    assert _values(_cell(pipeline, case, "jax"), "grad.x") == np.asarray(jax.jacfwd(lambda a: a * a)(x)).tolist()
    assert _values(_cell(pipeline, case, "torch"), "grad.x") == \
        torch.func.jacfwd(lambda a: a * a)(torch.tensor(x)).tolist()
    assert _values(_cell(pipeline, case, "reference"), "grad.x") == [[2.0, 0.0], [0.0, 4.0]]  # diag(2x)
    unsupported = _cell(pipeline, case, "tensorflow")
    assert unsupported["status"] == "unsupported" and "ForwardAccumulator" in unsupported["notes"]["unsupported"]


def test_forward_mode_at_a_kink_follows_each_frameworks_rule(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    x, t = np.array([0.0, -0.0, 2.0], np.float32), np.ones(3, np.float32)
    _, jax_jvp = jax.jvp(jax.numpy.abs, (x,), (t,))
    torch_jvp = torch.func.jvp(torch.abs, (torch.tensor(x),), (torch.tensor(t),))[1]
    v = tf.constant(x)
    with tf.autodiff.ForwardAccumulator(v, tf.constant(t)) as acc:
        y = tf.abs(v)
    case = "forward-mode-abs-at-zero[jvp]"
    assert _values(_cell(pipeline, case, "jax"), "grad.x") == np.asarray(jax_jvp).tolist() == [1.0, 1.0, 1.0]
    assert _values(_cell(pipeline, case, "torch"), "grad.x") == torch_jvp.tolist()
    assert _values(_cell(pipeline, case, "tensorflow"), "grad.x") == acc.jvp(y).numpy().tolist()
    assert _values(_cell(pipeline, case, "reference"), "grad.x")[::2] == [0.0, 1.0]  # sign(x) t, sign(0) = 0

    zero, t2 = np.zeros(2, np.float32), np.array([1.0, 0.0], np.float32)
    torch_norm = torch.func.jvp(torch.linalg.vector_norm, (torch.tensor(zero),), (torch.tensor(t2),))[1]
    assert _values(_cell(pipeline, "forward-mode-norm-at-zero[jvp]", "torch"), "grad.x") == torch_norm.item() == 0.0
    _, jax_norm = jax.jvp(jax.numpy.linalg.vector_norm, (zero,), (t2,))
    assert np.isnan(jax_norm) and _values(_cell(pipeline, "forward-mode-norm-at-zero[jvp]", "jax"), "grad.x") == "nan"


def test_vmap_maps_the_op_with_each_frameworks_transform(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    x, w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32), np.array([1.0, 0.5, -1.0], np.float32)
    by_loop = [float(np.dot(row, w)) for row in x]  # vmap's meaning, by hand: -1.0 and 0.5
    case = "vmap-in-axes[rows]"
    assert _values(_cell(pipeline, case, "reference"), "y") == by_loop == [-1.0, 0.5]
    assert _values(_cell(pipeline, case, "jax"), "y") == \
        np.asarray(jax.vmap(jax.numpy.dot, in_axes=(0, None))(x, w)).tolist()
    assert _values(_cell(pipeline, case, "torch"), "y") == \
        torch.func.vmap(torch.dot, in_dims=(0, None))(torch.tensor(x), torch.tensor(w)).tolist()
    assert _values(_cell(pipeline, case, "tensorflow"), "y") == \
        tf.vectorized_map(lambda row: tf.tensordot(row, w, axes=1), tf.constant(x)).numpy().tolist()
    columns = _cell(pipeline, "vmap-in-axes[axis-1]", "tensorflow")
    assert columns["status"] == "unsupported" and "axis 0" in columns["notes"]["unsupported"]
    xt = x.reshape(3, 2)
    assert _values(_cell(pipeline, "vmap-in-axes[axis-1]", "torch"), "y") == \
        torch.func.vmap(torch.dot, in_dims=(1, None))(torch.tensor(xt), torch.tensor(w)).tolist()


def test_vmap_over_a_data_dependent_shape(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    x = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 5.0]], np.float32)
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.vmap(jax.numpy.unique)(x)
    with pytest.raises(RuntimeError, match="dynamic shape"):
        torch.func.vmap(torch.unique)(torch.tensor(x))
    native = tf.vectorized_map(lambda row: tf.unique(row).y, tf.constant(x)).numpy().tolist()
    case = "vmap-data-dependent-shape"
    assert _cell(pipeline, case, "jax")["error"]["type"] == "jax.errors.ConcretizationTypeError"
    assert _cell(pipeline, case, "torch")["error"]["type"] == "RuntimeError"
    assert _values(_cell(pipeline, case, "tensorflow"), "u") == native
    assert _values(_cell(pipeline, case, "reference"), "u") == [sorted(set(r)) for r in x.tolist()]


def test_a_custom_gradient_is_built_with_each_frameworks_mechanism(pipeline: dict[str, Any]) -> None:
    import jax
    import tensorflow as tf

    x, t = np.array([0.3, 1.6, -2.4], np.float32), np.ones(3, np.float32)

    @jax.custom_vjp
    def ste(a: Any) -> Any:
        return jax.numpy.round(a)

    ste.defvjp(lambda a: (jax.numpy.round(a), None), lambda _, g: (g,))

    class Ste(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return torch.round(a)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    @tf.custom_gradient
    def tf_ste(a: Any) -> Any:
        return tf.round(a), lambda g: g

    xt = torch.tensor(x, requires_grad=True)
    Ste.apply(xt).sum().backward()
    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        s = tf.reduce_sum(tf_ste(v))
    case = "custom-gradient-straight-through[reverse]"
    assert _values(_cell(pipeline, case, "jax"), "grad.x") == \
        np.asarray(jax.grad(lambda a: ste(a).sum())(x)).tolist() == [1.0, 1.0, 1.0]
    assert xt.grad is not None and _values(_cell(pipeline, case, "torch"), "grad.x") == xt.grad.tolist()
    assert _values(_cell(pipeline, case, "tensorflow"), "grad.x") == tape.gradient(s, v).numpy().tolist()
    assert _values(_cell(pipeline, "custom-gradient-straight-through[scaled]", "reference"), "grad.x") == [0.5] * 3

    # forward mode through a reverse-mode rule: each framework's own answer
    with pytest.raises(TypeError, match="custom_vjp"):
        jax.jvp(ste, (x,), (t,))
    with pytest.raises(RuntimeError, match="setup_context"):
        torch.func.jvp(Ste.apply, (torch.tensor(x),), (torch.tensor(t),))
    with tf.autodiff.ForwardAccumulator(v, tf.constant(t)) as acc:
        y = tf_ste(v)
    case = "custom-gradient-straight-through[jvp]"
    assert _cell(pipeline, case, "jax")["error"]["type"] == "TypeError"
    assert _cell(pipeline, case, "torch")["error"]["type"] == "RuntimeError"
    assert _values(_cell(pipeline, case, "tensorflow"), "grad.x") == acc.jvp(y).numpy().tolist()
    assert _cell(pipeline, case, "reference")["status"] == "unsupported"

    # second order through the identity rule: the first gradient is a constant
    xt = torch.tensor(x, requires_grad=True)
    (first,) = torch.autograd.grad(Ste.apply(xt).sum(), [xt], create_graph=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(first.sum(), [xt])
    case = "custom-gradient-straight-through[second-order-constant-rule]"
    assert _cell(pipeline, case, "torch")["error"]["type"] == "RuntimeError"
    assert _values(_cell(pipeline, case, "jax"), "grad.x") == \
        np.asarray(jax.grad(lambda a: jax.grad(lambda b: ste(b).sum())(a).sum())(x)).tolist() == [0.0] * 3


BASE = "id: bad\ntitle: t\ninputs:\n  x: {dtype: float32, values: [[1.0]]}\nsteps:\n"


@pytest.mark.parametrize(("tail", "line", "message"), [
    ("  - y = abs(x)\ncompile: {tensorflow: jit}\n", 7, "choose one of function, xla, eager"),
    ("  - y = vmap(abs, in_axes=[0, 1])(x)\n", 6, "in_axes has 2 entries for 1 arguments"),
    ("  - y = round(x)\ncustom_gradient:\n  y: {backward: ['gx = multiply(h, 0.5)'], grads: [gx]}\n", 8,
     "'h' is not the step's argument"),
], ids=["compiler", "vmap", "custom-gradient"])
def test_a_transform_that_is_not_valid_is_one_line_with_file_line_and_reason(
        tmp_path: Path, tail: str, line: int, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BASE + tail)
    with pytest.raises(CaseError) as caught:
        load_file(path)
    assert caught.value.line == line and message in str(caught.value) and "bad.yaml" in str(caught.value), caught.value


def test_an_error_raised_inside_tf_function_records_the_error_not_its_preamble(pipeline: dict[str, Any]) -> None:
    """tf.function re-raises a traced error as 'in user code:', the trace, then the error on the last line."""
    import tensorflow as tf

    def f(x: Any) -> Any:
        y = x + 0
        y[0] = 0
        return y

    with pytest.raises(TypeError) as caught:
        tf.function(f)(tf.constant([1.0, 2.0]))
    lines = [line.strip() for line in str(caught.value).splitlines() if line.strip()]
    assert lines[0] == "in user code:"
    recorded = _cell(pipeline, "compiled-item-assignment", "tensorflow")["error"]["message"]
    assert recorded == lines[-1].removeprefix("TypeError: ") and "item assignment" in recorded
