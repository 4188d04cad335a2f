"""Optimizers as users write them: the `optimize` op's columns against the native loops written here,
and the record of every optimizer and training cell (no placeholder in `native_api`, defaults in effect)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from test_pipeline import recorded, values

from oracle.cases import load_case
from oracle.plan import plan

ROOT = Path(__file__).resolve().parent.parent
CLIPPED = "adam-global-norm-clip-three-steps-two-params"
HP = {"lr": 0.1, "b1": 0.9, "b2": 0.999, "eps": 1e-8}


def _inputs(case_id: str) -> dict[str, np.ndarray]:
    return plan(load_case(ROOT / "cases" / "optimizers" / f"{case_id}.yaml")).inputs


def _steps(pipeline: dict[str, Any], column: str, case: str = CLIPPED, second: str = "b_steps",
           ) -> tuple[np.ndarray, np.ndarray]:
    """w after each step and `second` (b, or the learning rate each step applied) from an ok cell."""
    got = recorded(pipeline, case, column)
    assert got["status"] == "ok", got
    return values(got, "w_steps"), values(got, second)


def test_torch_column_is_clip_grad_norm_then_adam_step(pipeline: dict[str, Any]) -> None:
    import torch

    d = _inputs(CLIPPED)
    w, b = torch.nn.Parameter(torch.tensor(d["w"])), torch.nn.Parameter(torch.tensor(d["b"]))
    opt = torch.optim.Adam([w, b], lr=HP["lr"], betas=(HP["b1"], HP["b2"]), eps=HP["eps"])
    got_w, got_b = _steps(pipeline, "torch")
    for t in range(3):
        opt.zero_grad()
        w.grad, b.grad = torch.tensor(d["grads_w"][t]), torch.tensor(d["grads_b"][t])
        torch.nn.utils.clip_grad_norm_([w, b], 1.0)
        opt.step()
        assert np.array_equal(got_w[t], w.detach().numpy()), t
        assert np.array_equal(got_b[t], b.detach().numpy()), t


def test_keras_column_is_adam_with_global_clipnorm(pipeline: dict[str, Any]) -> None:
    import keras
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    d = _inputs(CLIPPED)
    w, b = keras.Variable(d["w"]), keras.Variable(d["b"])
    opt = keras.optimizers.Adam(learning_rate=HP["lr"], beta_1=HP["b1"], beta_2=HP["b2"], epsilon=HP["eps"],
                                global_clipnorm=1.0)
    got_w, got_b = _steps(pipeline, "tensorflow")
    for t in range(3):
        opt.apply_gradients([(d["grads_w"][t], w), (d["grads_b"][t], b)])
        assert np.allclose(got_w[t], np.asarray(w), rtol=1e-6, atol=0), t
        assert np.allclose(got_b[t], np.asarray(b), rtol=1e-6, atol=0), t


def test_jax_column_is_optax_chain_clip_by_global_norm_adam(pipeline: dict[str, Any]) -> None:
    import optax

    d = _inputs(CLIPPED)
    tx = optax.chain(optax.clip_by_global_norm(1.0),
                     optax.adam(learning_rate=HP["lr"], b1=HP["b1"], b2=HP["b2"], eps=HP["eps"]))
    params = {"w": d["w"], "b": d["b"]}
    state = tx.init(params)
    got_w, got_b = _steps(pipeline, "jax")
    for t in range(3):
        updates, state = tx.update({"w": d["grads_w"][t], "b": d["grads_b"][t]}, state, params)
        params = optax.apply_updates(params, updates)
        assert np.allclose(got_w[t], np.asarray(params["w"]), rtol=1e-6, atol=0), t
        assert np.allclose(got_b[t], np.asarray(params["b"]), rtol=1e-6, atol=0), t


def test_every_step_differs_and_the_clip_is_active(pipeline: dict[str, Any]) -> None:
    """The case is what it says: three different updates, and clipping changed at least one of them."""
    got_w, got_b = _steps(pipeline, "reference")
    assert len({w.tobytes() for w in got_w}) == 3
    d = _inputs(CLIPPED)
    norms = [np.sqrt(np.sum(d["grads_w"][t] ** 2) + np.sum(d["grads_b"][t] ** 2)) for t in range(3)]
    assert max(norms) > 1.0 > min(norms)


# `**pinned`, an ellipsis, an unfilled `<placeholder>` or a keyword named by a bare word (`, gamma,`)
PLACEHOLDER = re.compile(r"\*\*pinned|\.\.\.|<[a-z_ ]+>|\(opt, [^)]*\b(gamma|alpha|lr)\b(?!=)|, gamma[,)]")
FOLDERS = ("optimizer", "optimizers", "training")


def _cells(pipeline: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for case in pipeline["cases"]:
        if Path(case["file"]).parent.name in FOLDERS:
            found += [(case["id"], column, cell) for column, cell in case["columns"].items()]
    return found


def test_no_optimizer_or_training_native_api_holds_a_placeholder(pipeline: dict[str, Any]) -> None:
    cells = _cells(pipeline)
    assert len({c[0] for c in cells}) >= 30
    bad = [(case, column, api) for case, column, cell in cells for api in cell["native_api"] if PLACEHOLDER.search(api)]
    assert not bad, json.dumps(bad[:5], indent=1)


def test_unpinned_optimizer_hyperparameters_record_the_framework_value_in_effect(pipeline: dict[str, Any]) -> None:
    """adam-framework-defaults-tiny-gradient pins only the learning rate: each column names the rest's values."""
    import torch

    for column, expected in (("torch", f"eps={torch.optim.Adam([torch.zeros(1)]).defaults['eps']!r}"),
                             ("tensorflow", "epsilon="), ("jax", "eps=")):
        notes = recorded(pipeline, "adam-framework-defaults-tiny-gradient", column)["notes"]
        defaults = next(iter(notes["attr_defaults"].values()))
        assert expected in defaults["epsilon"], (column, defaults)


def test_per_step_gradients_are_torch_sgd_nesterov_stepped_with_each(pipeline: dict[str, Any]) -> None:
    import torch

    d = plan(load_case(ROOT / "cases" / "optimizer" / "sgd-nesterov-three-different-gradients.yaml")).inputs
    p = torch.nn.Parameter(torch.tensor(d["params"]))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    for g in d["grads"]:
        p.grad = torch.tensor(g)
        opt.step()
    got = recorded(pipeline, "sgd-nesterov-three-different-gradients", "torch")
    assert np.array_equal(values(got, "p"), p.detach().numpy())


def test_scheduled_learning_rate_is_what_each_framework_applies(pipeline: dict[str, Any]) -> None:
    """Per update: torch StepLR stepped after opt.step(), Keras ExponentialDecay(staircase) at the optimizer's
    iteration, optax.exponential_decay(staircase) at its count."""
    import keras
    import optax
    import torch

    case = "adam-step-decay-schedule-per-batch"
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    torch_lrs = []
    for _ in range(4):
        torch_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    keras_lrs = [float(keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True)(t)) for t in range(4)]
    optax_lrs = [float(optax.exponential_decay(0.1, 2, 0.5, staircase=True)(t)) for t in range(4)]
    assert values(recorded(pipeline, case, "torch"), "lr_steps").tolist() == torch_lrs
    assert np.allclose(values(recorded(pipeline, case, "tensorflow"), "lr_steps"), keras_lrs, rtol=1e-7)
    assert np.allclose(values(recorded(pipeline, case, "jax"), "lr_steps"), optax_lrs, rtol=1e-7)
    assert torch_lrs[0] != torch_lrs[-1]  # the schedule did act within the four updates


# ---- schedules as users step them: per epoch, and a warm-up (issue 21, item 3) -----------------------------
PER_EPOCH, WARMUP = "sgd-step-decay-stepped-per-epoch", "adam-linear-warmup-then-cosine"


def _trajectory(pipeline: dict[str, Any], case: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    return _steps(pipeline, column, case, "lr_steps")


def test_torch_steplr_stepped_once_per_epoch_of_two_batches(pipeline: dict[str, Any]) -> None:
    import torch

    d = _inputs(PER_EPOCH)
    w, b = torch.nn.Parameter(torch.tensor(d["w"])), torch.nn.Parameter(torch.tensor(d["b"]))
    opt = torch.optim.SGD([w, b], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    got_w, got_lr = _trajectory(pipeline, PER_EPOCH, "torch")
    for epoch in range(3):
        for batch in range(2):
            t = 2 * epoch + batch
            assert got_lr[t] == opt.param_groups[0]["lr"], t
            opt.zero_grad()
            w.grad, b.grad = torch.tensor(d["grads_w"][t]), torch.tensor(d["grads_b"][t])
            opt.step()
            assert np.array_equal(got_w[t], w.detach().numpy()), t
        sched.step()
    assert got_lr.tolist() == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]  # per batch it would halve after update 2


def test_keras_and_optax_per_epoch_idioms_apply_the_epoch_rate(pipeline: dict[str, Any]) -> None:
    """Keras: the LearningRateScheduler idiom sets optimizer.learning_rate at each epoch; optax: the schedule at
    count // batches_per_epoch."""
    import keras
    import optax
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    d = _inputs(PER_EPOCH)
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True)
    opt = keras.optimizers.SGD(learning_rate=0.1)
    w, b = keras.Variable(d["w"]), keras.Variable(d["b"])
    got_w, got_lr = _trajectory(pipeline, PER_EPOCH, "tensorflow")
    for t in range(6):
        if t % 2 == 0:
            opt.learning_rate = float(sched(t // 2))
        assert np.isclose(got_lr[t], float(opt.learning_rate), rtol=1e-7), t
        opt.apply_gradients([(d["grads_w"][t], w), (d["grads_b"][t], b)])
        assert np.allclose(got_w[t], np.asarray(w), rtol=1e-6, atol=0), t
    schedule = optax.exponential_decay(0.1, 2, 0.5, staircase=True)
    tx = optax.sgd(learning_rate=lambda count: schedule(count // 2))
    params = {"w": d["w"], "b": d["b"]}
    state = tx.init(params)
    got_w, got_lr = _trajectory(pipeline, PER_EPOCH, "jax")
    for t in range(6):
        assert np.isclose(got_lr[t], float(schedule(t // 2)), rtol=1e-7), t
        updates, state = tx.update({"w": d["grads_w"][t], "b": d["grads_b"][t]}, state, params)
        params = optax.apply_updates(params, updates)
        assert np.allclose(got_w[t], np.asarray(params["w"]), rtol=1e-6, atol=0), t


def test_warmup_then_cosine_is_each_frameworks_recipe(pipeline: dict[str, Any]) -> None:
    """torch SequentialLR(LinearLR, CosineAnnealingLR), Keras CosineDecay(warmup_target=...), optax
    warmup_cosine_decay_schedule: the rate each of the 8 updates applied, and past the cosine's end torch's
    rises again while the others hold it."""
    import keras
    import optax
    import torch

    lrs = torch.optim.lr_scheduler
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = lrs.SequentialLR(opt, [lrs.LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=2),
                                   lrs.CosineAnnealingLR(opt, T_max=4, eta_min=0.0)], milestones=[2])
    torch_lrs = []
    for _ in range(8):
        torch_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    keras_lrs = [float(keras.optimizers.schedules.CosineDecay(0.025, 4, warmup_target=0.1, warmup_steps=2)(t))
                 for t in range(8)]
    optax_lrs = [float(optax.warmup_cosine_decay_schedule(0.025, 0.1, 2, 6, 0.0)(t)) for t in range(8)]
    assert _trajectory(pipeline, WARMUP, "torch")[1].tolist() == torch_lrs
    assert np.allclose(_trajectory(pipeline, WARMUP, "tensorflow")[1], keras_lrs, rtol=1e-6, atol=1e-9)
    assert np.allclose(_trajectory(pipeline, WARMUP, "jax")[1], optax_lrs, rtol=1e-6, atol=1e-9)
    # the case is what it says: a warm-up, a peak at the milestone, the end reached, torch's rise past it
    assert torch_lrs[0] == 0.025 and torch_lrs[2] == 0.1 and optax_lrs[6] == optax_lrs[7] == 0.0
    assert torch_lrs[7] > torch_lrs[6]
    ref = _trajectory(pipeline, WARMUP, "reference")[1]
    assert np.allclose(ref, optax_lrs, rtol=1e-6, atol=1e-9)
