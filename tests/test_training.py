"""Training, optimizer and metric cases: the schema, the diff's trajectory and hyperparameter
details, and the columns checked against the frameworks called directly in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_cases import write
from test_pipeline import recorded, values  # the same readers of results.json as the pipeline tests

from oracle.cases import CaseError, load_case, load_id
from oracle.diff import differences
from oracle.outcome import Outcome, Tensor
from oracle.plan import plan
from oracle.verdicts import diff_case

ROOT = Path(__file__).resolve().parent.parent

CASE = """\
id: t-train
title: a training case
inputs:
  x: {dtype: float32, values: [[1.0, 2.0], [3.0, 4.0]]}
  y: {dtype: float32, values: [[1.0], [0.0]]}
model:
  input: x
  output: pred
  layers:
    - {units: 1, kernel: {values: [[0.5], [-0.5]]}}
optimizer: {name: adam, hyperparameters: {learning_rate: 0.1}, defaults: framework}
train: {steps: 2, loss: loss}
steps:
  - loss = mse_loss(pred, y)
"""


def test_training_case_loads_and_plans_bit_identical_weights(tmp_path: Path) -> None:
    request = plan(load_case(write(tmp_path, CASE)))
    assert request.training is not None and request.training["steps"] == 2
    assert request.params["dense0.kernel"].tolist() == [[0.5], [-0.5]]
    assert request.params["dense0.bias"].tolist() == [0.0]  # bias defaults to zeros
    assert request.params["dense0.kernel"].dtype == np.float32


@pytest.mark.parametrize("old, new, line, field, words", [
    ("hyperparameters: {learning_rate: 0.1}, defaults: framework", "hyperparameters: {learning_rate: 0.1}",
     11, "optimizer", ["unpinned hyperparameters beta1", "defaults: framework"]),
    ("learning_rate: 0.1}", "learning_rat: 0.1}", 11, "optimizer", ["no hyperparameter 'learning_rat'",
                                                                  "did you mean 'learning_rate'"]),
    ("train: {steps: 2, loss: loss}", "train: {steps: 2, loss: los}", 12, "train.loss", ["not a step output"]),
    ("kernel: {values: [[0.5], [-0.5]]}", "kernel: {values: [[0.5, 1.0], [-0.5, 1.0]]}", 10,
     "model.layers[0].kernel.values", ["needs [2, 1]"]),
    ("input: x", "input: z", 7, "model.input", ["not an input"]),
    ("train: {steps: 2, loss: loss}\n", "", 1, "", ["needs model, optimizer and train; missing train"]),
])
def test_training_errors_name_file_line_field(tmp_path: Path, old: str, new: str, line: int, field: str,
                                              words: list[str]) -> None:
    assert old in CASE
    with pytest.raises(CaseError) as caught:
        load_case(write(tmp_path, CASE.replace(old, new)))
    error = caught.value
    assert (error.line, error.field) == (line, field) or (not field and field in str(error)), str(error)
    for word in words:
        assert word in str(error)


def trained(losses: list[float], hyperparameters: dict[str, Any], defaults: str = "pinned") -> Outcome:
    return Outcome("ok", outputs={"loss_trajectory": Tensor(np.asarray(losses, dtype=np.float32))},
                   notes={"hyperparameters": hyperparameters, "defaults": defaults})


def test_trajectory_verdict_says_where_columns_part_ways() -> None:
    a = trained([1.0, 0.9, 0.8, 0.7], {"learning_rate": 0.1})
    b = trained([1.0, 0.9, 0.85, 0.75], {"learning_rate": 0.1})
    (found,) = differences(a, b, sides=("torch", "tensorflow"))
    assert found.kind == "value_mismatch"
    assert "part ways at step 3 of 4 (torch 0.800000012 vs tensorflow 0.850000024, |diff| 0.05" in found.detail


def test_different_hyperparameters_are_named_not_called_semantics() -> None:
    a = trained([1.0, 0.9], {"learning_rate": 0.1, "epsilon": 1e-8}, "framework")
    b = trained([1.0, 0.8], {"learning_rate": 0.1, "epsilon": 1e-7}, "framework")
    found = differences(a, b, sides=("torch", "tensorflow"))
    assert found[0].kind == "hyperparameters_differ"
    assert "by design" in found[0].detail and "epsilon 1e-08 in torch vs 1e-07 in tensorflow" in found[0].detail
    # float32 read-backs of the same pinned value are the same hyperparameter
    c = trained([1.0, 0.8], {"learning_rate": float(np.float32(0.1)), "epsilon": 1e-8})
    assert [d.kind for d in differences(a, c)] == ["value_mismatch"]
    verdicts, _, _ = diff_case({"torch": a, "tensorflow": b})
    assert verdicts[0].kind == "hyperparameters_differ"


# --- columns against the frameworks, called natively here -------------------------------------


def one_step_inputs(case_id: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    request = plan(load_case(ROOT / "cases" / "optimizers" / f"{case_id}.yaml"))
    return request.inputs, request.params


def test_torch_adam_tiny_gradients_is_torch_optim_adam(pipeline: dict[str, Any]) -> None:
    import torch

    data, params = one_step_inputs("adam-one-step-tiny-gradients")
    linear = torch.nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(params["dense0.kernel"].T))
        linear.bias.copy_(torch.tensor(params["dense0.bias"]))
    opt = torch.optim.Adam(linear.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    loss = torch.sum(linear(torch.tensor(data["x"])) * torch.tensor(data["scale"]))
    loss.backward()
    opt.step()
    got = recorded(pipeline, "adam-one-step-tiny-gradients", "torch")
    assert values(got, "param.dense0.kernel").tobytes() == linear.weight.detach().numpy().T.copy().tobytes()
    assert values(got, "loss_trajectory")[0] == np.float32(loss.item())


def test_keras_adam_l2_and_tiny_gradients_are_what_keras_does(pipeline: dict[str, Any]) -> None:
    import tensorflow as tf
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    for case_id, kwargs, loss_of in (
        ("adam-one-step-tiny-gradients", dict(learning_rate=0.001, epsilon=1e-8),
         lambda pred, d: tf.reduce_sum(pred * d["scale"])),
        ("adam-one-step-l2-weight-decay", dict(learning_rate=0.01, epsilon=1e-8, weight_decay=0.1),
         lambda pred, d: tf.keras.losses.MeanSquaredError()(d["y"], pred)),
    ):
        data, params = one_step_inputs(case_id)
        kernel, bias = tf.Variable(params["dense0.kernel"]), tf.Variable(params["dense0.bias"])
        with tf.GradientTape() as tape:
            loss = loss_of(tf.matmul(data["x"], kernel) + bias, data)
        grads = tape.gradient(loss, [kernel, bias])
        tf.keras.optimizers.Adam(**kwargs).apply_gradients(zip(grads, [kernel, bias]))
        got = recorded(pipeline, case_id, "tensorflow")
        assert np.allclose(values(got, "param.dense0.kernel"), kernel.numpy(), rtol=1e-6, atol=0), case_id


def test_named_conventions_match_numpy_formulas(pipeline: dict[str, Any]) -> None:
    """Whoever the oracle says follows eps-hat / strict Adam matches that formula computed here in NumPy."""
    data, params = one_step_inputs("adam-one-step-tiny-gradients")
    g = (data["x"].astype(np.float64) * data["scale"]).sum(axis=0)[:, None]  # d sum(scale * (x @ k)) / dk
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-8
    m, v = (1 - b1) * g, (1 - b2) * g * g
    strict = params["dense0.kernel"] - lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + eps)
    eps_hat = params["dense0.kernel"] - lr * np.sqrt(1 - b2) / (1 - b1) * m / (np.sqrt(v) + eps)
    assert not np.allclose(strict, eps_hat, rtol=1e-5)  # the case does separate the two conventions
    case = pipeline["_by_id"]["adam-one-step-tiny-gradients"]
    for column in ("jax", "torch", "tensorflow"):
        kernel = values(case["columns"][column], "param.dense0.kernel")
        expected = {"": strict, "eps_hat": eps_hat}.get(case["semantics"][column])
        assert expected is not None and np.allclose(kernel, expected, rtol=1e-5, atol=1e-9), column


def test_metrics_are_what_torchmetrics_and_keras_return(pipeline: dict[str, Any]) -> None:
    import tensorflow as tf
    import torch
    import torchmetrics

    case_id = "precision-binary-seed-example[no-positive-predictions]"
    request = plan(load_id(ROOT / "cases" / "metrics" / "precision-binary-seed-example.yaml", case_id))
    preds, target = request.inputs["y_pred"], request.inputs["y_true"]
    native_torch = torchmetrics.classification.Precision(task="binary")(torch.tensor(preds), torch.tensor(target))
    keras = tf.keras.metrics.Precision(thresholds=0.5)
    keras.update_state(target, preds)
    case = pipeline["_by_id"][case_id]
    assert values(case["columns"]["torch"], "prec") == native_torch.numpy()
    assert values(case["columns"]["tensorflow"], "prec") == keras.result().numpy()
    assert np.isnan(values(case["columns"]["reference"], "prec"))  # the reference's stated 0/0 rule
    import flax_metrics

    # the case leaves the threshold to each framework: flax_metrics' own default applies (it thresholds logits)
    native_jax = flax_metrics.Precision().update(labels=target, logits=preds).compute()
    assert np.array_equal(values(case["columns"]["jax"], "prec"), np.asarray(native_jax), equal_nan=True)


def test_contrast_reports_drift_per_column() -> None:
    from oracle.results import contrast

    here = {"torch": Outcome("ok", outputs={"loss_trajectory": Tensor(np.array([2.0, 1.5], np.float32)),
                                            "param.dense0.kernel": Tensor(np.array([[1.0], [2.0]], np.float32))}),
            "jax": Outcome("error")}
    there = {"torch": Outcome("ok", outputs={"loss_trajectory": Tensor(np.array([2.0, 1.75], np.float32)),
                                             "param.dense0.kernel": Tensor(np.array([[1.0], [2.5]], np.float32))}),
             "jax": Outcome("ok")}
    found = contrast("other", here, there)
    assert found == {"case": "other", "columns": {"torch": {"loss_last": [1.5, 1.75],
                                                            "param.dense0.kernel_max_abs_diff": 0.5}}}
    assert contrast("other", here, None) is None and contrast(None, here, there) is None


def test_different_semantics_outrank_different_hyperparameters() -> None:
    """Two columns that followed different reference semantics are a value mismatch, hyperparameters aside."""
    reference = trained([1.0, 0.9], {"learning_rate": 0.1, "epsilon": 1e-8})
    reference.interpretations = {"broadcast": {"loss_trajectory": Tensor(np.array([2.0, 1.9]))},
                                 "align_ranks": {"loss_trajectory": Tensor(np.array([1.0, 0.8]))}}
    torch_like = trained([2.0, 1.9], {"learning_rate": 0.1, "epsilon": 1e-8}, "framework")
    keras_like = trained([1.0, 0.8], {"learning_rate": 0.1, "epsilon": 1e-7}, "framework")
    verdicts, followed, _ = diff_case({"reference": reference, "torch": torch_like, "tensorflow": keras_like})
    assert followed["torch"] == "broadcast" and followed["tensorflow"] == "align_ranks"
    (pair,) = [v for v in verdicts if v.columns == ("torch", "tensorflow")]
    assert pair.kind == "value_mismatch" and "epsilon 1e-08 in torch vs 1e-07 in tensorflow" in pair.explanation
    # a column that matches no named semantics and used other hyperparameters: the hyperparameters are the story
    other = trained([1.0, 0.5], {"learning_rate": 0.1, "epsilon": 1e-7}, "framework")
    verdicts, followed, _ = diff_case({"reference": reference, "tensorflow": other})
    assert followed["tensorflow"] is None and verdicts[0].kind == "hyperparameters_differ"
