"""Forms: several public entry points of one op in one framework (oracle/forms.py, OpDef.forms).

A case's `forms:` runs the chosen entry point (native_api shows it, and the value is the one the
native call gives, computed here); `--forms all` sub-columns diff two entry points of one framework
with the verdict naming both; a form no step has is one line with file, line and the forms there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.cases import CaseError, load_file
from oracle.ops import FRAMEWORKS, OPS, catalogue
from oracle.results import execute, parse_columns

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "cases" / "forms"


def _case(name: str, variant: str) -> Any:
    return next(c for c in load_file(FORMS / name) if c.variant == variant)


def test_oracle_ops_lists_every_form_and_at_least_100_ops_have_two() -> None:
    rows = {r["name"]: r for r in catalogue()}
    assert rows["mse_loss"]["forms"]["torch"] == {"module": "torch.nn.MSELoss(...)",
                                                  "functional": "torch.nn.functional.mse_loss"}
    assert rows["mse_loss"]["default_forms"]["tensorflow"] == "class"
    assert rows["mse_loss"]["forms"]["tensorflow"]["function"] == "keras.losses.mean_squared_error(target, pred)"
    assert set(rows["gelu"]["forms"]["tensorflow"]) == {"keras.ops", "tf.nn", "keras.activations"}
    assert rows["sum"]["forms"]["torch"] == {"torch": "torch.sum", "method": "x.sum"}
    several = [r for r in rows.values() if any(len(f) >= 2 for f in r["forms"].values())]
    assert len(several) >= 100, len(several)
    from oracle.opslist import markdown

    assert "functional: `torch.nn.functional.mse_loss`" in markdown(list(rows.values()))


def test_an_unknown_form_is_one_line_with_file_line_and_the_forms_available(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad-form\ntitle: t\ninputs:\n  x: {shape: [2], dtype: float32, init: {normal: {seed: 0}}}\n"
                    "steps:\n  - y = gelu(x)\nforms: {tensorflow: tf.nnn}\n", encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_file(path)
    text = str(caught.value)
    assert "\n" not in text and f"{path}:7" in text and "forms.tensorflow" in text, text
    assert "did you mean 'tf.nn'" in text and "keras.ops, tf.nn, keras.activations" in text, text


def test_a_variant_with_an_unknown_form_points_at_the_variant(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad-form\ntitle: t\ninputs:\n  x: {shape: [2], dtype: float32, init: {normal: {seed: 0}}}\n"
                    "steps:\n  - y = relu(x)\nvariants:\n  - name: a\n    forms:\n      torch: modul\n",
                    encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_file(path)
    assert f"{path}:10" in str(caught.value) and "did you mean 'module'" in str(caught.value), str(caught.value)


def test_a_case_with_forms_runs_the_chosen_entry_point(tmp_path: Path) -> None:
    """mse-functional-vs-module[functional] calls torch.nn.functional.mse_loss; [module] torch.nn.MSELoss."""
    import torch

    cases = [_case("mse-functional-vs-module.yaml", v) for v in ("functional", "module")]
    results = execute(cases, parse_columns("torch", "cpu"), tmp_path / "logs")
    by_id = {c["id"]: c["columns"]["torch"] for c in results["cases"]}
    functional = by_id["mse-functional-vs-module[functional]"]
    module = by_id["mse-functional-vs-module[module]"]
    assert functional["native_api"][0] == "torch.nn.functional.mse_loss(pred, target)"
    assert module["native_api"][0] == "torch.nn.MSELoss()(pred, target)"
    assert functional["notes"]["form"] == {"loss": "functional"} and module["notes"]["form"] == {"loss": "module"}
    pred = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    target = torch.tensor([1.0, 2.0, 3.0, 5.0])
    with pytest.warns(UserWarning):
        native = torch.nn.functional.mse_loss(pred, target)
    assert np.isclose(functional["outputs"]["loss"]["values"], native.item(), rtol=1e-6)
    assert any(w["category"] == "UserWarning" for w in functional["warnings"])


def test_forms_all_diffs_two_entry_points_of_one_framework_and_the_verdict_names_both(tmp_path: Path) -> None:
    """gelu through tf.nn (exact by default) and keras.ops (tanh by default) as two sub-columns of tensorflow."""
    import tensorflow as tf

    from oracle.forms import sweep_columns

    case = _case("gelu-tf-nn-vs-keras-ops.yaml", "tf-nn")
    columns = sweep_columns(parse_columns("tensorflow", "cpu"), [case.steps])
    assert [c.name for c in columns] == ["tensorflow/keras.ops", "tensorflow/tf.nn", "tensorflow/keras.activations"]
    record = execute([case], columns, tmp_path / "logs")["cases"][0]
    cols = record["columns"]
    assert cols["tensorflow/tf.nn"]["native_api"] == ["tf.nn.gelu(x)"]
    assert cols["tensorflow/keras.ops"]["native_api"] == ["keras.ops.gelu(x)"]
    x = tf.constant([-3.0, -2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0])
    assert np.array_equal(cols["tensorflow/tf.nn"]["outputs"]["y"]["values"], tf.nn.gelu(x).numpy())
    import keras

    assert np.array_equal(cols["tensorflow/keras.ops"]["outputs"]["y"]["values"], keras.ops.gelu(x).numpy())
    verdict = next(v for v in record["verdicts"]
                   if set(v["columns"]) == {"tensorflow/keras.ops", "tensorflow/tf.nn"})
    assert verdict["kind"] != "agree" and "tensorflow/keras.ops" in verdict["explanation"] \
        and "tensorflow/tf.nn" in verdict["explanation"], verdict
    agree = next(v for v in record["verdicts"]
                 if set(v["columns"]) == {"tensorflow/tf.nn", "tensorflow/keras.activations"})
    assert agree["kind"] == "agree", agree


def test_a_sub_column_beside_a_case_whose_ops_lack_its_form_is_unsupported_with_the_reason(tmp_path: Path) -> None:
    from oracle.forms import sweep_columns

    gelu = _case("gelu-tf-nn-vs-keras-ops.yaml", "tf-nn")
    mse = _case("keras-mse-function-vs-class.yaml", "class")
    columns = sweep_columns(parse_columns("tensorflow", "cpu"), [gelu.steps, mse.steps])
    names = [c.name for c in columns]
    assert "tensorflow/class" in names and "tensorflow/tf.nn" in names
    few = [c for c in columns if c.name in ("tensorflow/tf.nn", "tensorflow/class")]
    record = execute([mse], few, tmp_path / "logs")["cases"][0]
    assert record["columns"]["tensorflow/tf.nn"]["status"] == "unsupported"
    assert "no step of this case has a tensorflow form 'tf.nn'" in record["columns"]["tensorflow/tf.nn"]["notes"][
        "unsupported"]
    assert record["columns"]["tensorflow/class"]["native_api"][0].startswith("keras.losses.MeanSquaredError(")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_form_runs_each_ops_sample_without_an_oracle_crash(framework: str) -> None:
    """tests/forms_probe.py in a subprocess: each op's sample case through every form of `framework`."""
    done = subprocess.run([sys.executable, "-m", "tests.forms_probe", framework], cwd=ROOT, capture_output=True,
                          text=True, timeout=900, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    several = [n for n, d in OPS.items() if len(d.forms_of(framework)) >= 2]
    assert found and all(key.split("/", 1)[0] in several for key in found)
    crashed = {k: v for k, v in found.items() if v[0] in ("crash", "timeout")}
    assert not crashed, crashed
    unrecorded = {k for k, v in found.items() if v[0] != "unsupported" and v[5] and k.split("/", 1)[1] not in v[5]}
    assert not unrecorded, unrecorded  # notes.form names the form that was called
