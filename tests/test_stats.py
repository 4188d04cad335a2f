"""Stochastic outcomes as distributions (oracle/stats.py): samples drawn natively here are judged against what
the oracle recorded, and the judgement fails when the distribution is changed by a factor of two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.diff import differences
from oracle.outcome import Outcome, Tensor
from oracle.stats import STATS, summarize

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("stochastic")
    main(["run", str(ROOT / "cases" / "stochastic" / "dense-default-kernel.yaml"),
          str(ROOT / "cases" / "stochastic" / "dropout-train-eval-unset.yaml"), "--out", str(out)])
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def _outcome(sample: np.ndarray, name: str, which: list[str]) -> Outcome:
    """A sample drawn here, observed as the oracle observes one: its statistics and their standard errors."""
    found, notes = summarize(sample, which)
    return Outcome("ok", outputs={f"{name}.{k}": Tensor(v) for k, v in found.items()},
                   notes={"stats": {f"{name}.{k}": n for k, n in notes.items()}})


def _kinds(a: Outcome, b: Outcome) -> dict[str, str]:
    return {d.detail.split(" ", 1)[0]: d.kind for d in differences(a, b, sides=("here", "oracle"))}


def test_torch_default_linear_kernel_agrees_and_a_doubled_scale_does_not(run: dict[str, Any]) -> None:
    import torch

    recorded = Outcome.from_results(run["dense-default-kernel"]["columns"]["torch"])
    torch.manual_seed(123)  # another draw from the same distribution than the oracle's seed 0
    native = torch.nn.Linear(256, 128).weight.detach().numpy().T.copy()
    assert _kinds(_outcome(native, "w", list(STATS)), recorded) == {}
    doubled = _kinds(_outcome(2 * native, "w", list(STATS)), recorded)
    assert doubled.keys() >= {"w.std", "w.min", "w.max"} and set(doubled.values()) == {"value_mismatch"}
    # Keras' default differs from torch's by design (glorot vs kaiming uniform): the test sees it too
    keras = Outcome.from_results(run["dense-default-kernel"]["columns"]["tensorflow"])
    assert "w.std" in _kinds(_outcome(native, "w", list(STATS)), keras)


def test_dropout_in_training_agrees_and_twice_the_rate_does_not(run: dict[str, Any]) -> None:
    import torch

    recorded = Outcome.from_results(run["dropout-train-eval-unset[training]"]["columns"]["reference"])
    which = ["mean", "std", "max", "frac_zero"]
    x = torch.ones(20000)
    torch.manual_seed(7)
    same = torch.nn.functional.dropout(x, p=0.3, training=True).numpy()
    assert _kinds(_outcome(same, "y", which), recorded) == {}
    twice = torch.nn.functional.dropout(x, p=0.6, training=True).numpy()
    assert "y.frac_zero" in _kinds(_outcome(twice, "y", which), recorded)
    # called without a mode, Keras' layer passes x through while torch's module drops
    unset = run["dropout-train-eval-unset[no-mode]"]["columns"]
    keras_zero, torch_zero = (Tensor.from_results(unset[c]["outputs"]["y.frac_zero"]).values
                              for c in ("tensorflow", "torch"))
    assert keras_zero is not None and torch_zero is not None
    assert float(keras_zero) == 0.0 and float(torch_zero) > 0.25


def test_the_tolerance_shrinks_with_the_sample_and_scales_are_caught_at_a_thousand() -> None:
    rng = np.random.default_rng(0)
    for n in (1000, 100000):
        a, b = rng.normal(0, 1, n), rng.normal(0, 1, n)
        assert _kinds(_outcome(a, "s", ["mean", "std"]), _outcome(b, "s", ["mean", "std"])) == {}
        assert "s.std" in _kinds(_outcome(a, "s", ["mean", "std"]), _outcome(2 * b, "s", ["mean", "std"]))
        assert "s.mean" in _kinds(_outcome(a + 0.5, "s", ["mean"]), _outcome(b + 1.0, "s", ["mean"]))
    big, small = (summarize(rng.normal(0, 1, n), ["mean"])[1]["mean"]["se"] for n in (100000, 1000))
    assert big < small / 5


STATS_CASE = """\
id: case
title: statistics of a dropout sample
inputs:
  x: {shape: [1000], init: {fill: 1.0}}
steps:
  - y = dropout_layer(x, rate=0.5, training=true)
observe: [{stats: y, of: [mean, frac_zero]}]
"""


@pytest.mark.parametrize("old, new, field, words", [
    ("of: [mean, frac_zero]", "of: [mean, median]", "observe", ["of.1", "should be 'mean', 'std'"]),
    ("{stats: y,", "{stats: z,", "observe[0]", ["'z' is not a step output"]),
])
def test_a_malformed_stats_observation_is_one_message_with_file_line_field(tmp_path: Path, old: str, new: str,
                                                                           field: str, words: list[str]) -> None:
    from test_cases import error_for

    from oracle.cases import load_case
    from oracle.plan import plan

    path = tmp_path / "case.yaml"
    path.write_text(STATS_CASE, encoding="utf-8")
    assert plan(load_case(path)).stats == {"y": ["mean", "frac_zero"]}
    message = str(error_for(tmp_path, STATS_CASE.replace(old, new)))
    assert "case.yaml:7" in message and field in message and all(w in message for w in words), message
