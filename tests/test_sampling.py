"""Samplers and more default initialisers (oracle/ops/sampling.py), one test per stochastic kind: a sample drawn
here natively, with another seed, agrees with what the oracle recorded under oracle/stats.py's test, and the same
sample with its distribution changed by a factor of two (a scale, or the logits) does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.diff import differences
from oracle.outcome import Outcome, Tensor
from oracle.stats import summarize

ROOT = Path(__file__).resolve().parent.parent
CASES = ["sampling/categorical-from-logits.yaml", "sampling/truncated-normal-std-2.yaml",
         "stochastic/default-conv2d-kernel.yaml", "stochastic/default-dense-bias.yaml",
         "stochastic/default-lstm-recurrent-kernel.yaml", "stochastic/default-conv1d-kernel.yaml",
         "stochastic/default-conv2d-bias.yaml", "stochastic/default-gru-kernel.yaml"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("sampling")
    main(["run", *(str(ROOT / "cases" / c) for c in CASES), "--out", str(out)])
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def _outcome(sample: Any, name: str, which: list[str]) -> Outcome:
    found, notes = summarize(np.asarray(sample), which)
    return Outcome("ok", outputs={f"{name}.{k}": Tensor(v) for k, v in found.items()},
                   notes={"stats": {f"{name}.{k}": n for k, n in notes.items()}})


def _differing(sample: Any, name: str, which: list[str], recorded: dict[str, Any]) -> set[str]:
    here = _outcome(sample, name, which)
    return {d.detail.split(" ", 1)[0] for d in differences(here, Outcome.from_results(recorded),
                                                           sides=("here", "oracle"))}


def test_categorical_from_logits_agrees_and_doubled_logits_do_not(run: dict[str, Any]) -> None:
    import torch

    which, logits = ["mean", "std", "frac_zero"], torch.tensor([0.0, 1.0, 2.0, -1.0])
    columns = run["categorical-from-logits"]["columns"]
    torch.manual_seed(7)
    same = torch.distributions.Categorical(logits=logits).sample((20000,)).numpy()
    doubled = torch.distributions.Categorical(logits=2 * logits).sample((20000,)).numpy()
    for column in ("reference", "torch", "tensorflow", "jax"):
        assert _differing(same, "s", which, columns[column]) == set(), column
        assert _differing(doubled, "s", which, columns[column]) >= {"s.frac_zero"}, column


def test_truncated_normal_agrees_with_keras_and_torch_bounds_are_absolute(run: dict[str, Any]) -> None:
    import keras

    which = ["mean", "std", "min", "max"]
    columns = run["truncated-normal-std-2"]["columns"]
    native = np.asarray(keras.random.truncated_normal((20000,), stddev=2.0, seed=7))
    assert _differing(native, "w", which, columns["tensorflow"]) == set()
    assert _differing(native, "w", which, columns["reference"]) == set()
    assert _differing(2 * native, "w", which, columns["tensorflow"]) >= {"w.std", "w.max"}
    # torch.nn.init.trunc_normal_ cuts at the absolute values -2 and 2: std 2 is cut at one standard deviation
    torch_max = Tensor.from_results(columns["torch"]["outputs"]["w.max"]).values
    assert torch_max is not None and float(torch_max) <= 2.0
    assert _differing(native, "w", which, columns["torch"]) >= {"w.std"}


def test_default_conv2d_kernel_agrees_and_a_doubled_scale_does_not(run: dict[str, Any]) -> None:
    import torch

    which = ["mean", "std", "min", "max", "frac_zero"]
    recorded = run["default-conv2d-kernel"]["columns"]["torch"]
    torch.manual_seed(7)
    native = torch.nn.Conv2d(64, 32, 3).weight.detach().numpy()
    assert _differing(native, "w", which, recorded) == set()
    assert _differing(2 * native, "w", which, recorded) >= {"w.std", "w.max"}


def test_default_dense_bias_zeros_in_keras_and_uniform_in_torch(run: dict[str, Any]) -> None:
    import torch

    which = ["mean", "std", "frac_zero"]
    columns = run["default-dense-bias"]["columns"]
    torch.manual_seed(7)
    native = torch.nn.Linear(256, 4096).bias.detach().numpy()
    assert _differing(native, "b", which, columns["torch"]) == set()
    assert _differing(2 * native, "b", which, columns["torch"]) >= {"b.std"}
    assert _differing(np.zeros(4096), "b", which, columns["tensorflow"]) == set()
    assert _differing(np.zeros(4096), "b", which, columns["jax"]) == set()


def test_default_lstm_recurrent_kernel_is_orthogonal_in_keras(run: dict[str, Any]) -> None:
    import keras

    which = ["mean", "std"]  # the extremes of a normal-like sample vary too much to compare
    recorded = run["default-lstm-recurrent-kernel"]["columns"]["tensorflow"]
    native = np.asarray(keras.initializers.Orthogonal(seed=7)((64, 256)))
    assert np.allclose(native @ native.T, np.eye(64), atol=1e-4)  # orthogonal rows, as Keras documents
    assert _differing(native, "w", which, recorded) == set()
    assert _differing(2 * native, "w", which, recorded) >= {"w.std"}


def test_default_conv1d_kernel_agrees_in_torch_and_a_doubled_scale_does_not(run: dict[str, Any]) -> None:
    import torch

    which = ["mean", "std", "min", "max", "frac_zero"]
    columns = run["default-conv1d-kernel"]["columns"]
    torch.manual_seed(7)
    native = torch.nn.Conv1d(64, 32, 5).weight.detach().numpy()
    assert abs(native).max() <= 1 / np.sqrt(64 * 5)  # the documented bound, fan_in = in_channels * kernel_size
    assert _differing(native, "w", which, columns["torch"]) == set()
    assert _differing(2 * native, "w", which, columns["torch"]) >= {"w.std", "w.max"}
    assert _differing(native, "w", which, columns["tensorflow"]) >= {"w.std"}  # glorot: another scale


def test_default_conv2d_bias_uniform_in_torch_and_zeros_in_keras_and_flax(run: dict[str, Any]) -> None:
    import torch

    which = ["mean", "std", "frac_zero"]
    columns = run["default-conv2d-bias"]["columns"]
    torch.manual_seed(7)
    bias = torch.nn.Conv2d(16, 4096, 3).bias
    assert bias is not None
    native = bias.detach().numpy()
    assert _differing(native, "b", which, columns["torch"]) == set()
    assert _differing(2 * native, "b", which, columns["torch"]) >= {"b.std"}
    for column in ("tensorflow", "jax"):
        assert _differing(np.zeros(4096), "b", which, columns[column]) == set(), column
        assert _differing(native, "b", which, columns[column]) >= {"b.std", "b.frac_zero"}, column


def test_default_gru_kernel_has_three_scales(run: dict[str, Any]) -> None:
    import jax
    import keras

    which = ["mean", "std", "min", "max"]  # both bounded: glorot's uniform limit, lecun's truncation at 2 std
    columns = run["default-gru-kernel"]["columns"]
    glorot = np.asarray(keras.initializers.GlorotUniform(seed=7)((64, 384)))
    assert _differing(glorot, "w", which, columns["tensorflow"]) == set()
    assert _differing(2 * glorot, "w", which, columns["tensorflow"]) >= {"w.std"}
    lecun = np.asarray(jax.nn.initializers.lecun_normal()(jax.random.key(7), (64, 384)))
    assert _differing(lecun, "w", which, columns["jax"]) == set()
    assert _differing(lecun / 2, "w", which, columns["jax"]) >= {"w.std"}
    assert _differing(glorot, "w", which, columns["torch"]) >= {"w.std"}  # U(+-1/sqrt(units)): a third scale


def test_a_tensorflow_draw_is_a_fresh_processs_whatever_ran_before(tmp_path: Path) -> None:
    """tf.random draws with an op seed depend on the process's state: a global seed another case set
    (keras.utils.set_random_seed) and a counter per op seed. Each case draws as its snippet does in a fresh
    interpreter, which is computed here in one, even after cases that drew with the same seed or set one."""
    import json
    import subprocess
    import sys

    from oracle.cli import main
    from oracle.results import load_results

    order = ["stochastic/default-dense-bias.yaml", "sampling/categorical-from-logits.yaml",
             "sampling/multinomial-more-samples-than-classes.yaml"]  # one worker runs them in this order
    assert main(["run", *(str(ROOT / "cases" / c) for c in order), "--columns", "tensorflow",
                 "--out", str(tmp_path)]) in (0, 1)
    record = {c["id"]: c for c in load_results(tmp_path / "results.json")["cases"]}
    recorded = record["multinomial-more-samples-than-classes"]["columns"]["tensorflow"]
    fresh = subprocess.run([sys.executable, "-c", (
        "import json, numpy as np, tensorflow as tf\n"
        "probs = tf.constant([0.1, 0.2, 0.3, 0.4], tf.float32)\n"
        "s = tf.random.categorical(tf.math.log(probs)[None, :], 20000, seed=0)[0].numpy().astype(np.float64)\n"
        "print(json.dumps([s.mean(), s.std(), float((s == 0).mean())]))")],
        capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    got = [Tensor.from_results(recorded["outputs"][f"s.{k}"]).values for k in ("mean", "std", "frac_zero")]
    assert [float(np.asarray(g)) for g in got] == pytest.approx(json.loads(fresh), rel=1e-12, abs=0)
