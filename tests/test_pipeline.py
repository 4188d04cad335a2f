"""End to end: `oracle run` as a user runs it, checked against the frameworks called directly here.

Expected values are never copied from the oracle's output: each test computes the same
thing natively in this process (torch imported before TensorFlow, as Keras 3 requires)
and compares with what the oracle recorded.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.cases import load_case
from oracle.outcome import Tensor
from oracle.plan import plan
from oracle.runner import Column, run_column

DATA = Path(__file__).resolve().parent / "data" / "cases"
COLUMNS = ["reference", "jax", "torch", "tensorflow"]


def inputs(case_id: str) -> dict[str, np.ndarray]:
    return plan(load_case(DATA / f"{case_id}.yaml")).inputs


def recorded(pipeline: dict[str, Any], case_id: str, column: str) -> dict[str, Any]:
    return pipeline["_by_id"][case_id]["columns"][column]


def values(record: dict[str, Any], name: str) -> np.ndarray:
    t = Tensor.from_results(record["outputs"][name]).values
    assert t is not None
    return t


def test_results_contract(pipeline: dict[str, Any]) -> None:
    text = (pipeline["_out"] / "results.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert list(pipeline["environment"]) == COLUMNS
    for name, env in pipeline["environment"].items():  # noqa: B007
        assert env["available"], env
        assert {"framework", "version", "device", "python"} <= env.keys() and env["device"] == "cpu"
    for case in pipeline["cases"]:
        assert {"id", "source", "inputs", "columns", "verdicts"} <= case.keys()
        assert list(case["columns"]) == COLUMNS
        assert len(case["verdicts"]) == 6  # every pair of four columns
        for outcome in case["columns"].values():
            assert outcome["status"] in ("ok", "error", "unsupported", "crash", "timeout", "unavailable")
            assert outcome["status"] != "crash", outcome
            for tensor in outcome["outputs"].values():
                assert {"shape", "dtype", "values", "nan", "inf"} <= tensor.keys()
    assert (pipeline["_out"] / "report.md").read_text().startswith("# Cross-framework semantics report")


def test_torch_column_is_what_torch_does(pipeline: dict[str, Any]) -> None:
    import torch

    x = inputs("t-mse-broadcast")
    pred = torch.tensor(x["pred"], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = torch.nn.MSELoss()(pred, torch.tensor(x["target"]))
    loss.backward()
    got = recorded(pipeline, "t-mse-broadcast", "torch")
    assert got["status"] == "ok"
    assert values(got, "loss").tobytes() == loss.detach().numpy().tobytes()
    assert pred.grad is not None
    assert values(got, "grad.pred").tobytes() == pred.grad.numpy().tobytes()
    assert [(w["category"], w["message"]) for w in got["warnings"]] == \
        [(w.category.__name__, str(w.message)) for w in caught]


def test_semantics_named_match_numpy_ground_truth(pipeline: dict[str, Any]) -> None:
    """The oracle says 'broadcast' for a column exactly when its value is NumPy's broadcast MSE."""
    x = inputs("t-mse-broadcast")
    broadcast = np.mean((x["pred"].astype(np.float64) - x["target"].astype(np.float64)) ** 2)
    aligned = np.mean((x["pred"][:, 0].astype(np.float64) - x["target"].astype(np.float64)) ** 2)
    case = pipeline["_by_id"]["t-mse-broadcast"]
    assert case["columns"]["reference"]["status"] == "error"  # strict: shapes must match
    for column in ("jax", "torch", "tensorflow"):
        got = case["columns"][column]
        if got["status"] != "ok":
            assert case["semantics"][column] is None
            continue
        value = float(values(got, "loss"))
        expected = "broadcast" if np.isclose(value, broadcast, rtol=1e-5) else (
            "align_ranks" if np.isclose(value, aligned, rtol=1e-5) else None)
        assert case["semantics"][column] == expected, (column, value, broadcast, aligned)


def test_tensorflow_and_jax_columns_are_what_they_do(pipeline: dict[str, Any]) -> None:
    import jax.numpy as jnp
    import optax
    import tensorflow as tf
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    x = inputs("t-nonscalar-grad")
    pred = tf.Variable(x["pred"])
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.MeanSquaredError(reduction=None)(tf.constant(x["target"]), pred)
    grad = tape.gradient(loss, pred)
    got = recorded(pipeline, "t-nonscalar-grad", "tensorflow")
    assert got["status"] == "ok"
    assert np.allclose(values(got, "grad.pred"), grad.numpy(), rtol=1e-6)
    assert values(got, "loss").shape == tuple(loss.shape)

    x = inputs("t-cross-entropy")
    native = jnp.sum(optax.losses.softmax_cross_entropy_with_integer_labels(x["logits"], x["labels"]))
    got = recorded(pipeline, "t-cross-entropy", "jax")
    assert got["status"] == "ok" and np.allclose(values(got, "loss"), np.asarray(native), rtol=1e-6)


def test_non_scalar_gradient_errors_are_recorded_as_raised(pipeline: dict[str, Any]) -> None:
    import jax
    import torch

    x = inputs("t-nonscalar-grad")
    pred = torch.tensor(x["pred"], requires_grad=True)
    loss = torch.nn.MSELoss(reduction="none")(pred, torch.tensor(x["target"]))
    try:
        loss.backward()
        torch_error = None
    except Exception as exc:
        torch_error = type(exc).__name__
    got = recorded(pipeline, "t-nonscalar-grad", "torch")
    assert (got["error"] or {}).get("type", None) == torch_error
    try:
        jax.grad(lambda p: (p - x["target"]) ** 2)(x["pred"])
        jax_error = None
    except Exception as exc:
        jax_error = type(exc).__name__
    got = recorded(pipeline, "t-nonscalar-grad", "jax")
    assert (got["error"] or {}).get("base", None) == jax_error
    if got["error"]:
        assert got["error"]["where"].startswith("gradient")
        assert values(got, "loss").shape == (5,)  # the forward result survives the failed gradient


# Cases whose inputs sit at scales a fixed-step central difference cannot resolve (the reference's gradient
# there is its stated formula's; the frameworks are judged against that, not against a finite difference).
FD_UNRESOLVABLE = {
    "hypot-overflow-underflow-and-origin-gradient": "inputs at 1e-30 and 1e30 beside O(1) ones",
    "l2-normalize-tiny-and-zero-vector": "a [1e-7, 0] row: the step (1e-6) is ten times the vector",
    "layer-norm-constant-row-grad": "a zero-variance row: curvature of order 1/epsilon",
}


def test_reference_gradients_agree_with_finite_differences(pipeline: dict[str, Any]) -> None:
    checked = 0
    for case in pipeline["cases"]:
        ref = case["columns"]["reference"]
        if ref["status"] == "ok" and case["grad"] and case["id"] not in FD_UNRESOLVABLE:
            if ref["notes"].get("fd_elements_checked", 0) == 0:
                continue  # every element at a pole (log 0, sqrt 0), or not a plain first-order gradient (vjp, ...)
            assert ref["notes"]["fd_max_abs_error"] < 1e-5, case["id"]
            checked += 1
    assert checked >= 2
    kinked = [c for c in pipeline["cases"] if c["columns"]["reference"]["notes"].get("fd_elements_skipped")]
    assert any(c["id"] == "relu-grad-at-zero" for c in kinked)  # the kink at 0 is skipped, not compared


def test_special_values_flow_through(pipeline: dict[str, Any]) -> None:
    x = inputs("t-log-special")["x"].astype(np.float64)
    with np.errstate(all="ignore"):
        expected = np.log(x)
    for column in COLUMNS:
        got = recorded(pipeline, "t-log-special", column)
        y = values(got, "y").astype(np.float64)
        assert np.array_equal(np.isnan(y), np.isnan(expected)), column
        assert np.array_equal(np.isinf(y) & (y < 0), np.isneginf(expected)), column
        assert got["outputs"]["m"]["nan"] is True


def test_report_lists_every_claim(pipeline: dict[str, Any]) -> None:
    report = (pipeline["_out"] / "report.md").read_text()
    claims = [c["source"]["claim"] for c in pipeline["cases"] if c["source"]]
    assert claims, "the project's cases record their seed claims"
    import html

    for claim in claims:  # report.md escapes HTML and pipes in case text
        assert html.escape(claim, quote=False).replace("|", "\\|").replace("\n", " ") in report


def test_missing_framework_makes_an_unavailable_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORACLE_HIDE_FRAMEWORKS", "torch")
    got: list[Any] = []
    env = run_column(Column("torch", "torch"), [plan(load_case(DATA / "t-log-special.yaml"))],
                     lambda column, case_id, outcome: got.append(outcome), tmp_path)
    assert not env.available and "torch is not installed" in env.reason
    assert [o.status for o in got] == ["unavailable"]
