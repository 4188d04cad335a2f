"""Schedules as users step them (issue 21, item 3): each column of the schedule cases against the native loop
written here, and the reference's rates against the SGDR formula computed by hand. Runs only these cases."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_pipeline import recorded, values

from oracle.cases import load_case
from oracle.plan import plan

ROOT = Path(__file__).resolve().parent.parent
CASES = ("sgd-scheduler-stepped-before-optimizer", "sgd-cosine-restarts-period-multiplier-unpinned",
         "sgd-cosine-restarts-doubling-periods", "adamw-inject-hyperparams-warmup-cosine-clipped",
         "sgd-step-decay-stepped-per-epoch")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`oracle run` on this file's cases only; the parsed results, by case id."""
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("schedules")
    files = [str(ROOT / "cases" / "optimizers" / f"{c}.yaml") for c in CASES]
    assert main(["run", *files, "--out", str(out)]) == 0
    document = load_results(out / "results.json")
    return {**document, "_by_id": {c["id"]: c for c in document["cases"]}}


def _inputs(case_id: str) -> dict[str, np.ndarray]:
    return plan(load_case(ROOT / "cases" / "optimizers" / f"{case_id}.yaml")).inputs


def _ok(run: dict[str, Any], case_id: str, column: str) -> dict[str, Any]:
    got = recorded(run, case_id, column)
    assert got["status"] == "ok", got
    return got


def test_torch_scheduler_stepped_before_the_optimizer_warns_and_skips_the_first_rate(run: dict[str, Any]) -> None:
    import torch

    d = _inputs(CASES[0])
    w, b = torch.nn.Parameter(torch.tensor(d["w"])), torch.nn.Parameter(torch.tensor(d["b"]))
    opt = torch.optim.SGD([w, b], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    got = _ok(run, CASES[0], "torch")
    rates = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for t in range(4):
            opt.zero_grad()
            w.grad, b.grad = torch.tensor(d["grads_w"][t]), torch.tensor(d["grads_b"][t])
            sched.step()
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            assert np.array_equal(values(got, "w_steps")[t], w.detach().numpy()), t
    assert rates == [0.05, 0.025, 0.0125, 0.00625]  # 0.1, the schedule's first value, is never applied
    assert np.array_equal(values(got, "lr_steps"), rates)
    assert any("before `optimizer.step()`" in str(c.message) for c in caught)
    assert [w["category"] for w in got["warnings"]] == ["UserWarning"]
    assert np.allclose(values(_ok(run, CASES[0], "reference"), "lr_steps"), rates, rtol=1e-12)
    for column in ("tensorflow", "jax"):  # no scheduler step to misorder
        assert recorded(run, CASES[0], column)["status"] == "unsupported"


def _sgdr(t: int, lr: float, first: int, mult: float, alpha: float) -> float:
    """The rate at schedule step t by hand: find the period t falls in, then the cosine within it."""
    start, period = 0, float(first)
    while t >= start + period:
        start, period = int(start + period), period * mult
    return lr * (alpha + (1 - alpha) * 0.5 * (1 + math.cos(math.pi * (t - start) / period)))


def test_keras_restarts_double_the_period_where_torch_repeats_it(run: dict[str, Any]) -> None:
    import keras
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    d = _inputs(CASES[1])
    w, b = keras.Variable(d["w"]), keras.Variable(d["b"])
    opt = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.CosineDecayRestarts(0.1, 3))
    got = _ok(run, CASES[1], "tensorflow")
    for t in range(8):
        assert math.isclose(float(values(got, "lr_steps")[t]), float(opt.learning_rate), rel_tol=1e-6), t
        opt.apply_gradients([(d["grads_w"][t], w), (d["grads_b"][t], b)])
        assert np.allclose(values(got, "w_steps")[t], np.asarray(w), rtol=1e-6, atol=0), t
    doubled = [_sgdr(t, 0.1, 3, 2.0, 0.0) for t in range(8)]
    repeated = [_sgdr(t, 0.1, 3, 1.0, 0.0) for t in range(8)]
    assert np.allclose(values(got, "lr_steps"), doubled, rtol=1e-6)
    assert np.allclose(values(_ok(run, CASES[1], "torch"), "lr_steps"), repeated, rtol=1e-12)
    assert np.allclose(values(_ok(run, CASES[1], "reference"), "lr_steps"), repeated, rtol=1e-12)
    assert got["notes"]["attr_defaults"]["w_steps"]["restart_mult"] == "t_mul=2.0"
    assert recorded(run, CASES[1], "jax")["status"] == "unsupported"


def test_doubling_restarts_agree_with_optax_sgdr_and_by_hand(run: dict[str, Any]) -> None:
    import optax

    d = _inputs(CASES[2])
    periods = [{"init_value": 0.1, "peak_value": 0.1, "warmup_steps": 0, "decay_steps": n, "end_value": 0.01}
               for n in (2, 4, 8)]
    tx = optax.sgd(learning_rate=optax.sgdr_schedule(periods))
    params = {"w": d["w"], "b": d["b"]}
    state = tx.init(params)
    got = _ok(run, CASES[2], "jax")
    for t in range(8):
        updates, state = tx.update({"w": d["grads_w"][t], "b": d["grads_b"][t]}, state, params)
        params = optax.apply_updates(params, updates)
        assert np.allclose(values(got, "w_steps")[t], np.asarray(params["w"]), rtol=1e-6, atol=0), t
    by_hand = [_sgdr(t, 0.1, 2, 2.0, 0.1) for t in range(8)]
    assert np.allclose(values(_ok(run, CASES[2], "reference"), "lr_steps"), by_hand, rtol=1e-12)
    for column in ("torch", "tensorflow", "jax"):
        assert np.allclose(values(_ok(run, CASES[2], column), "lr_steps"), by_hand, rtol=1e-6), column


def test_optax_inject_hyperparams_rate_is_the_states_hyperparams(run: dict[str, Any]) -> None:
    import optax

    d = _inputs(CASES[3])
    schedule = optax.warmup_cosine_decay_schedule(init_value=0.01, peak_value=0.1, warmup_steps=2, decay_steps=6,
                                                  end_value=0.0)
    tx = optax.chain(optax.clip_by_global_norm(1.0),
                     optax.inject_hyperparams(optax.adamw)(learning_rate=schedule, weight_decay=0.01, b1=0.9,
                                                           b2=0.999, eps=1e-8))
    params = {"w": d["w"], "b": d["b"]}
    state = tx.init(params)
    got = _ok(run, CASES[3], "jax")
    assert "optax.inject_hyperparams(optax.adamw)" in got["native_api"][0]
    for t in range(6):
        updates, state = tx.update({"w": d["grads_w"][t], "b": d["grads_b"][t]}, state, params)
        params = optax.apply_updates(params, updates)
        assert float(values(got, "lr_steps")[t]) == float(state[1].hyperparams["learning_rate"]), t
        assert np.array_equal(values(got, "w_steps")[t], np.asarray(params["w"])), t
        assert np.array_equal(values(got, "b_steps")[t], np.asarray(params["b"])), t
    reference = values(_ok(run, CASES[3], "reference"), "lr_steps")
    assert np.allclose(values(got, "lr_steps"), reference, rtol=1e-6)


def test_keras_per_epoch_rate_is_the_learning_rate_scheduler_callback(run: dict[str, Any]) -> None:
    """keras.callbacks.LearningRateScheduler on a model compiled with the optimizer, on_epoch_begin at each epoch
    of 2 batches as model.fit calls it."""
    import keras
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    d = _inputs(CASES[4])
    opt = keras.optimizers.SGD(learning_rate=0.1)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=opt)
    callback = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** (epoch // 2))
    callback.set_model(model)
    w, b = keras.Variable(d["w"]), keras.Variable(d["b"])
    got = _ok(run, CASES[4], "tensorflow")
    assert "keras.callbacks.LearningRateScheduler(" in got["native_api"][0]
    for t in range(6):
        if t % 2 == 0:
            callback.on_epoch_begin(t // 2)
        assert math.isclose(float(values(got, "lr_steps")[t]), float(opt.learning_rate), rel_tol=1e-7), t
        opt.apply_gradients([(d["grads_w"][t], w), (d["grads_b"][t], b)])
        assert np.allclose(values(got, "w_steps")[t], np.asarray(w), rtol=1e-6, atol=0), t
    assert np.allclose(values(got, "lr_steps"), [0.1, 0.1, 0.1, 0.1, 0.05, 0.05], rtol=1e-7)
