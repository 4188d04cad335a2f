"""optax chains declared as a list in the case (issue 21, item 2): each column of the chain cases against the
native loop written here, over zero, tiny and non-finite gradients. Runs only these cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_pipeline import recorded, values

from oracle.cases.loading import load_id
from oracle.plan import plan

ROOT = Path(__file__).resolve().parent.parent
L2, CLIPPED, ZERO = ("adam-chain-add-decayed-weights-vs-adamw", "sgd-chain-clip-by-global-norm-zero-tiny-inf",
                     "sgd-chain-clip-by-global-norm-zero-bound")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`oracle run` on this file's cases only; the parsed results, by case id."""
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("chains")
    assert main(["run", *(str(ROOT / "cases" / "optimizers" / f"{c}.yaml") for c in (L2, CLIPPED, ZERO)),
                 "--out", str(out)]) == 0
    document = load_results(out / "results.json")
    return {**document, "_by_id": {c["id"]: c for c in document["cases"]}}


def _inputs(file: str, case_id: str) -> dict[str, np.ndarray]:
    return plan(load_id(ROOT / "cases" / "optimizers" / f"{file}.yaml", case_id)).inputs


def _ok(run: dict[str, Any], case_id: str, column: str) -> dict[str, Any]:
    got = recorded(run, case_id, column)
    assert got["status"] == "ok", got
    return got


def test_optax_l2_chain_is_torch_adam_weight_decay_and_not_adamw(run: dict[str, Any]) -> None:
    import optax
    import torch

    case = f"{L2}[l2-chain]"
    d = _inputs(L2, case)
    tx = optax.chain(optax.add_decayed_weights(0.1), optax.adam(learning_rate=0.1, b1=0.9, b2=0.999, eps=1e-8))
    params = {"w": d["w"], "b": d["b"]}
    state = tx.init(params)
    w, b = torch.nn.Parameter(torch.tensor(d["w"])), torch.nn.Parameter(torch.tensor(d["b"]))
    opt = torch.optim.Adam([w, b], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    got_jax, got_torch = _ok(run, case, "jax"), _ok(run, case, "torch")
    assert "optax.chain(optax.add_decayed_weights(0.1), optax.adam(" in got_jax["native_api"][0]
    for t in range(3):
        updates, state = tx.update({"w": d["grads_w"][t], "b": d["grads_b"][t]}, state, params)
        params = optax.apply_updates(params, updates)
        assert np.array_equal(values(got_jax, "w_steps")[t], np.asarray(params["w"])), t
        w.grad, b.grad = torch.tensor(d["grads_w"][t]), torch.tensor(d["grads_b"][t])
        opt.step()
        assert np.array_equal(values(got_torch, "w_steps")[t], w.detach().numpy()), t
    # at the zero gradient (step 2) the L2 chain still moves every parameter: Adam normalises 0.1 p
    assert np.all(values(got_torch, "w_steps")[1] != values(got_torch, "w_steps")[0])
    adamw = values(_ok(run, f"{L2}[adamw]", "torch"), "w_steps")
    assert not np.allclose(adamw, values(got_torch, "w_steps"), rtol=1e-3)
    assert recorded(run, case, "tensorflow")["status"] == "unsupported"
    nan = values(_ok(run, f"{L2}[non-finite]", "torch"), "w_steps")
    assert np.isnan(nan[1, 0, 0]) and np.isnan(nan[2, 0, 0]) and np.isfinite(nan[2, 1, 1])


def test_value_clip_before_the_global_norm_keeps_an_inf_gradient_finite(run: dict[str, Any]) -> None:
    import torch

    d = _inputs(CLIPPED, f"{CLIPPED}[value-then-norm]")
    w, b = torch.nn.Parameter(torch.tensor(d["w"])), torch.nn.Parameter(torch.tensor(d["b"]))
    opt = torch.optim.SGD([w, b], lr=0.1)
    got = _ok(run, f"{CLIPPED}[value-then-norm]", "torch")
    for t in range(4):
        w.grad, b.grad = torch.tensor(d["grads_w"][t]), torch.tensor(d["grads_b"][t])
        torch.nn.utils.clip_grad_value_([w, b], 0.5)
        torch.nn.utils.clip_grad_norm_([w, b], 0.5)
        opt.step()
        assert np.array_equal(values(got, "w_steps")[t], w.detach().numpy()), t
    assert np.all(np.isfinite(values(got, "w_steps")))
    # the global norm alone meets the inf: 0 * inf in every framework and the reference
    for column in ("reference", "torch", "tensorflow", "jax"):
        alone = values(_ok(run, f"{CLIPPED}[global-norm]", column), "w_steps")
        assert np.isnan(alone[3, 0, 0]) and np.array_equal(alone[1], alone[0]), column


def test_zero_bound_on_a_zero_gradient_optax_nan_keras_unclipped(run: dict[str, Any]) -> None:
    import keras
    import optax
    import torch  # noqa: F401  (Keras 3: torch before TensorFlow in one process)

    d = _inputs(ZERO, ZERO)
    tx = optax.chain(optax.clip_by_global_norm(0.0), optax.sgd(0.1))
    params = {"w": d["w"], "b": d["b"]}
    updates, _ = tx.update({"w": d["grads_w"][0], "b": d["grads_b"][0]}, tx.init(params), params)
    assert np.all(np.isnan(np.asarray(updates["w"])))
    assert np.all(np.isnan(values(_ok(run, ZERO, "jax"), "w_steps")[0]))
    v = keras.Variable(d["w"])
    opt = keras.optimizers.SGD(learning_rate=0.1, global_clipnorm=0.0)
    for t in range(2):
        opt.apply_gradients([(d["grads_w"][t], v)])
    assert np.allclose(values(_ok(run, ZERO, "tensorflow"), "w_steps")[1], np.asarray(v), rtol=1e-6)
    assert np.allclose(np.asarray(v), d["w"] - 0.1 * d["grads_w"][1], rtol=1e-6)  # a bound of 0 clips nothing
    # the reference (and torch, norm + 1e-6) leave both steps where they started: zero stays zero, 0 * g is 0
    for column in ("reference", "torch"):
        assert np.array_equal(values(_ok(run, ZERO, column), "w_steps")[1], d["w"]), column
