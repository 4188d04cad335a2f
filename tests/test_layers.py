"""Layers from canonical weights (oracle/ops/weighted.py): each column's record against the layer built here,
natively, from the same weights by the idiom users write to load weights (torch load_state_dict, Keras
set_weights, flax nnx attribute assignment or a linen params tree), with gradients where the case asks.

The mapping from canonical to native layouts is written again here, in NumPy, from the frameworks' documents:
not imported from the oracle, so a wrong mapping in the oracle cannot pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oracle.cases import load_case
from oracle.ops.layer_weights import LayerWeights, native_params
from oracle.outcome import Tensor
from oracle.plan import plan
from oracle.request import Unsupported

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "cases" / "layers"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`oracle run cases/layers` as a user runs it; the cases by id."""
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("layers")
    main(["run", str(LAYERS), "--out", str(out)])
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def _rec(run: dict[str, Any], case: str, column: str, name: str) -> np.ndarray:
    record = run[case]["columns"][column]
    assert record["status"] == "ok", record
    found = Tensor.from_results(record["outputs"][name]).values
    assert found is not None
    return np.asarray(found, dtype=np.float64)


def _inputs(case: str) -> dict[str, np.ndarray]:
    return plan(load_case(LAYERS / f"{case}.yaml")).inputs


def _close(a: Any, b: Any) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), b, rtol=2e-4, atol=2e-5)


def _gates(a: np.ndarray, order: list[int], n: int) -> np.ndarray:
    parts = np.split(a, n, axis=-1)
    return np.concatenate([parts[i] for i in order], axis=-1)


def test_lstm_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    w = _inputs("lstm-canonical-weights")
    lstm: Any = torch.nn.LSTM(5, 4, batch_first=True)
    lstm.load_state_dict({"weight_ih_l0": torch.tensor(w["kernel"].T), "weight_hh_l0": torch.tensor(w["recurrent_kernel"].T),
                          "bias_ih_l0": torch.tensor(w["bias_ih"]), "bias_hh_l0": torch.tensor(w["bias_hh"])})
    x = torch.tensor(w["x"], requires_grad=True)
    y, (h, c) = lstm(x, (torch.tensor(w["h0"])[None], torch.tensor(w["c0"])[None]))
    y.sum().backward()
    for name, value in {"y": y, "h": h[0], "c": c[0]}.items():
        _close(value.detach(), _rec(run, "lstm-canonical-weights", "torch", name))
    _close(x.grad, _rec(run, "lstm-canonical-weights", "torch", "grad.x"))
    _close(lstm.weight_ih_l0.grad.T, _rec(run, "lstm-canonical-weights", "torch", "grad.kernel"))
    # one bias of Keras and flax receives both canonical biases' gradient
    _close(lstm.bias_ih_l0.grad, _rec(run, "lstm-canonical-weights", "tensorflow", "grad.bias_hh"))

    import keras
    import tensorflow as tf

    layer = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    layer.build((2, 3, 5))
    layer.set_weights([w["kernel"], w["recurrent_kernel"], w["bias_ih"] + w["bias_hh"]])  # gates i, f, c, o
    xt = tf.constant(w["x"])
    with tf.GradientTape() as tape:
        tape.watch(xt)
        ky, kh, kc = layer(xt, initial_state=[tf.constant(w["h0"]), tf.constant(w["c0"])])
        total = tf.reduce_sum(ky)
    gx, gk = tape.gradient(total, [xt, layer.trainable_variables[0]])
    for name, value in {"y": ky, "h": kh, "c": kc, "grad.x": gx, "grad.kernel": gk}.items():
        _close(value.numpy(), _rec(run, "lstm-canonical-weights", "tensorflow", name))

    from flax import nnx

    cell = nnx.LSTMCell(5, 4, rngs=nnx.Rngs(0))
    for j, gate in enumerate(["ii", "if_", "ig", "io"]):
        getattr(cell, gate).kernel[...] = np.split(w["kernel"], 4, axis=-1)[j]
    for j, gate in enumerate(["hi", "hf", "hg", "ho"]):
        getattr(cell, gate).kernel[...] = np.split(w["recurrent_kernel"], 4, axis=-1)[j]
        getattr(cell, gate).bias[...] = np.split(w["bias_ih"] + w["bias_hh"], 4)[j]
    import jax.numpy as jnp

    carry = (jnp.asarray(w["c0"]), jnp.asarray(w["h0"]))
    (fc, fh), fy = nnx.RNN(cell, return_carry=True)(jnp.asarray(w["x"]), initial_carry=carry)
    for name, value in {"y": fy, "h": fh, "c": fc}.items():
        _close(value, _rec(run, "lstm-canonical-weights", "jax", name))


def test_gru_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "gru-canonical-weights[reset-after]", _inputs("gru-canonical-weights")
    gru: Any = torch.nn.GRU(5, 4, batch_first=True)
    gru.load_state_dict({"weight_ih_l0": torch.tensor(w["kernel"].T), "weight_hh_l0": torch.tensor(w["recurrent_kernel"].T),
                         "bias_ih_l0": torch.tensor(w["bias_ih"]), "bias_hh_l0": torch.tensor(w["bias_hh"])})
    y, h = gru(torch.tensor(w["x"]), torch.tensor(w["h0"])[None])
    y.sum().backward()
    _close(y.detach(), _rec(run, case, "torch", "y"))
    _close(gru.weight_hh_l0.grad.T, _rec(run, case, "torch", "grad.recurrent_kernel"))

    import keras

    zrh = [1, 0, 2]  # keras.layers.GRU keeps gates z, r, h
    for variant, bias in [("reset-after", np.stack([_gates(w["bias_ih"], zrh, 3), _gates(w["bias_hh"], zrh, 3)])),
                          ("reset-before", _gates(w["bias_ih"] + w["bias_hh"], zrh, 3))]:
        layer = keras.layers.GRU(4, reset_after=variant == "reset-after", return_sequences=True, return_state=True)
        layer.build((2, 3, 5))
        layer.set_weights([_gates(w["kernel"], zrh, 3), _gates(w["recurrent_kernel"], zrh, 3), bias])
        ky, kh = layer(w["x"], initial_state=[w["h0"]])
        _close(ky.numpy(), _rec(run, f"gru-canonical-weights[{variant}]", "tensorflow", "y"))
        _close(kh.numpy(), _rec(run, f"gru-canonical-weights[{variant}]", "tensorflow", "h"))
    for column in ("torch", "jax"):  # one convention only: reset_after=false has no native form there
        assert run["gru-canonical-weights[reset-before]"]["columns"][column]["status"] == "unsupported"

    import jax
    from flax import linen

    k, u, b_i, b_h = (np.split(w[n], 3, axis=-1) for n in ("kernel", "recurrent_kernel", "bias_ih", "bias_hh"))
    params = {"ir": {"kernel": k[0], "bias": b_i[0] + b_h[0]}, "iz": {"kernel": k[1], "bias": b_i[1] + b_h[1]},
              "in": {"kernel": k[2], "bias": b_i[2]}, "hr": {"kernel": u[0]}, "hz": {"kernel": u[1]},
              "hn": {"kernel": u[2], "bias": b_h[2]}}
    (fh, fy) = linen.RNN(linen.GRUCell(4)).apply({"params": {"cell": params}}, w["x"], initial_carry=w["h0"],
                                                 return_carry=True)
    _close(fy, _rec(run, case, "jax", "y"))
    def total(p: Any) -> Any:
        out: Any = linen.RNN(linen.GRUCell(4)).apply({"params": {"cell": p}}, w["x"], initial_carry=w["h0"])
        return out.sum()

    grad = jax.grad(total)(params)
    _close(grad["hn"]["bias"], np.split(_rec(run, case, "jax", "grad.bias_hh"), 3)[2])


def test_embedding_and_attention_columns_equal_native_calls(run: dict[str, Any]) -> None:
    import torch

    w = _inputs("embedding-padding-idx")
    emb = torch.nn.Embedding(5, 3, padding_idx=0)
    emb.load_state_dict({"weight": torch.tensor(w["table"])})
    emb(torch.tensor(w["ids"])).sum().backward()
    _close(emb.weight.grad, _rec(run, "embedding-padding-idx[padding-0]", "torch", "grad.table"))
    assert not _rec(run, "embedding-padding-idx[padding-0]", "torch", "grad.table")[0].any()  # the padding row
    assert _rec(run, "embedding-padding-idx[padding-0]", "reference", "grad.table")[0].tolist() == [3.0] * 3

    import jax

    w = _inputs("attention-bool-mask-polarity")
    q, k, v, mask = (w[n] for n in ("q", "k", "v", "mask"))
    _close(jax.nn.dot_product_attention(q, k, v, mask=mask), _rec(run, "attention-bool-mask-polarity[fully-masked-row]",
                                                                  "jax", "y"))
    t = [torch.tensor(a).transpose(1, 2) for a in (q, k, v)]
    native = torch.nn.functional.scaled_dot_product_attention(t[0], t[1], t[2], attn_mask=torch.tensor(mask))
    native = native.transpose(1, 2)
    _close(native, _rec(run, "attention-bool-mask-polarity[fully-masked-row]", "torch", "y"))
    assert np.isnan(_rec(run, "attention-bool-mask-polarity[fully-masked-row]", "reference", "y")[0, 1]).all()


def test_a_parameter_on_one_side_only_is_unsupported_with_its_name() -> None:
    layer = LayerWeights({"kernel": "", "bias": ""}, {"torch": {"weight": ("T", "kernel"), "bias": "bias"}})
    ops = type("Ops", (), {"transpose": staticmethod(np.transpose)})()
    canon = {"kernel": np.ones((2, 3)), "bias": np.zeros(3)}
    assert native_params(layer, "torch", canon, ["weight", "bias"], ops)["weight"].shape == (3, 2)
    with pytest.raises(Unsupported, match="extra_scale have no canonical counterpart"):
        native_params(layer, "torch", canon, ["weight", "bias", "extra_scale"], ops)
    with pytest.raises(Unsupported, match="no parameter bias"):
        native_params(layer, "torch", canon, ["weight"], ops)
    with pytest.raises(Unsupported, match="gain have no native counterpart"):
        native_params(layer, "torch", canon | {"gain": np.ones(3)}, ["weight", "bias"], ops)


def test_multi_head_attention_columns_equal_the_layers_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "multi-head-attention-key-padding", _inputs("multi-head-attention-key-padding")
    mha: Any = torch.nn.MultiheadAttention(4, 2, batch_first=True)
    mha.load_state_dict({
        "in_proj_weight": torch.tensor(np.concatenate([w["q_kernel"], w["k_kernel"], w["v_kernel"]], axis=1).T),
        "in_proj_bias": torch.tensor(np.concatenate([w["q_bias"], w["k_bias"], w["v_bias"]])),
        "out_proj.weight": torch.tensor(w["out_kernel"].T), "out_proj.bias": torch.tensor(w["out_bias"])})
    q = torch.tensor(w["query"], requires_grad=True)
    y, _ = mha(q, torch.tensor(w["key"]), torch.tensor(w["value"]), key_padding_mask=torch.tensor(~w["key_keep"]))
    y.sum().backward()
    _close(y.detach(), _rec(run, case, "torch", "y"))
    _close(q.grad, _rec(run, case, "torch", "grad.query"))
    _close(mha.out_proj.weight.grad.T, _rec(run, case, "torch", "grad.out_kernel"))

    import keras

    layer = keras.layers.MultiHeadAttention(2, 2)
    layer.build((2, 3, 4), (2, 5, 4), (2, 5, 4))
    per_head = []
    for c in "qkv":
        per_head += [w[f"{c}_kernel"].reshape(4, 2, 2), w[f"{c}_bias"].reshape(2, 2)]
    layer.set_weights(per_head + [w["out_kernel"].reshape(2, 2, 4), w["out_bias"]])
    mask = np.broadcast_to(w["key_keep"][:, None, :], (2, 3, 5))
    _close(np.asarray(layer(w["query"], w["value"], key=w["key"], attention_mask=mask)),
           _rec(run, case, "tensorflow", "y"))
    _close(np.asarray(y.detach()), _rec(run, case, "jax", "y"))  # flax agrees with torch's native layer


def test_gru_cell_columns_equal_the_cells_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "gru-cell-canonical-weights", _inputs("gru-cell-canonical-weights")
    cell: Any = torch.nn.GRUCell(5, 4)  # weight_ih, not weight_ih_l0
    cell.load_state_dict({"weight_ih": torch.tensor(w["kernel"].T), "weight_hh": torch.tensor(w["recurrent_kernel"].T),
                          "bias_ih": torch.tensor(w["bias_ih"]), "bias_hh": torch.tensor(w["bias_hh"])})
    h = cell(torch.tensor(w["x"]), torch.tensor(w["h0"]))
    h.sum().backward()
    _close(h.detach(), _rec(run, case, "torch", "h"))
    _close(cell.weight_ih.grad.T, _rec(run, case, "torch", "grad.kernel"))

    import keras

    zrh = [1, 0, 2]
    layer = keras.layers.GRUCell(4)
    layer.build((2, 5))
    layer.set_weights([_gates(w["kernel"], zrh, 3), _gates(w["recurrent_kernel"], zrh, 3),
                       np.stack([_gates(w["bias_ih"], zrh, 3), _gates(w["bias_hh"], zrh, 3)])])
    kh, _ = layer(w["x"], [w["h0"]])
    _close(np.asarray(kh), _rec(run, case, "tensorflow", "h"))

    from flax import linen

    k, u, b_i, b_h = (np.split(w[n], 3, axis=-1) for n in ("kernel", "recurrent_kernel", "bias_ih", "bias_hh"))
    params = {"ir": {"kernel": k[0], "bias": b_i[0] + b_h[0]}, "iz": {"kernel": k[1], "bias": b_i[1] + b_h[1]},
              "in": {"kernel": k[2], "bias": b_i[2]}, "hr": {"kernel": u[0]}, "hz": {"kernel": u[1]},
              "hn": {"kernel": u[2], "bias": b_h[2]}}
    fh, _ = linen.GRUCell(4).apply({"params": params}, w["h0"], w["x"])  # flax: the carry first
    _close(fh, _rec(run, case, "jax", "h"))
    _close(_rec(run, case, "reference", "h"), _rec(run, case, "torch", "h"))


def test_lstm_cell_columns_equal_the_cells_built_natively(run: dict[str, Any]) -> None:
    import torch

    case, w = "lstm-cell-canonical-weights", _inputs("lstm-cell-canonical-weights")
    cell: Any = torch.nn.LSTMCell(5, 4)
    cell.load_state_dict({"weight_ih": torch.tensor(w["kernel"].T), "weight_hh": torch.tensor(w["recurrent_kernel"].T),
                          "bias_ih": torch.tensor(w["bias_ih"]), "bias_hh": torch.tensor(w["bias_hh"])})
    h, c = cell(torch.tensor(w["x"]), (torch.tensor(w["h0"]), torch.tensor(w["c0"])))
    (h + c).sum().backward()
    _close(h.detach(), _rec(run, case, "torch", "h"))
    _close(c.detach(), _rec(run, case, "torch", "c"))
    _close(cell.weight_ih.grad.T, _rec(run, case, "torch", "grad.kernel"))

    import keras

    layer = keras.layers.LSTMCell(4)
    layer.build((2, 5))
    layer.set_weights([w["kernel"], w["recurrent_kernel"], w["bias_ih"] + w["bias_hh"]])  # i, f, c, o
    _, (kh, kc) = layer(w["x"], [w["h0"], w["c0"]])
    _close(np.asarray(kh), _rec(run, case, "tensorflow", "h"))
    _close(np.asarray(kc), _rec(run, case, "tensorflow", "c"))

    from flax import nnx

    fcell: Any = nnx.LSTMCell(5, 4, rngs=nnx.Rngs(0))
    for j, gate in enumerate(["ii", "if_", "ig", "io"]):
        getattr(fcell, gate).kernel[...] = np.split(w["kernel"], 4, axis=-1)[j]
    for j, gate in enumerate(["hi", "hf", "hg", "ho"]):
        getattr(fcell, gate).kernel[...] = np.split(w["recurrent_kernel"], 4, axis=-1)[j]
        getattr(fcell, gate).bias[...] = np.split(w["bias_ih"] + w["bias_hh"], 4)[j]
    (fc, fh), _ = fcell((w["c0"], w["h0"]), w["x"])  # flax's carry is (c, h)
    _close(fh, _rec(run, case, "jax", "h"))
    _close(fc, _rec(run, case, "jax", "c"))
