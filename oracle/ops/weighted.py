"""Layers with weights, built in every framework from one set of canonical weights (the case's inputs).

Each op takes the input, an initial state where the layer has one, and its canonical weights; the
reference computes the layer from them with the formula below, and each framework builds its own layer
through its public API with the weights mapped as `WEIGHTS[op]` says (oracle/ops/layer_weights.py).
Inputs are batch-first [batch, time, features]; a fused kernel holds its gates along the last axis.
"""

from __future__ import annotations

from typing import Any

from oracle.ops.conv_layers import WEIGHTS as CONV_WEIGHTS
from oracle.ops.layer_weights import LayerWeights, mapping_text
from oracle.ops.spec import REQUIRED, Arg, Attr, custom, expression, op


def _gates(n: int, order: tuple[int, ...], name: Any) -> tuple[Any, ...]:
    """Native gate order as a list of canonical chunks: (1, 0, 2) puts canonical gate 1 first."""
    return ("cat", *(("chunk", name, i, n) for i in order))


def _sigmoid(xp: Any, z: Any) -> Any:
    return 1 / (1 + xp.exp(-z))


def _lstm(r: Any, x: Any, h0: Any, c0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any) -> Any:
    """Gates i, f, g, o = split(x_t @ kernel + bias_ih + h @ recurrent_kernel + bias_hh);
    c = sigmoid(f) * c + sigmoid(i) * tanh(g); h = sigmoid(o) * tanh(c)."""
    xp, h, c, ys = r.xp, h0, c0, []
    for t in range(x.shape[1]):
        i, f, g, o = xp.split(x[:, t] @ kernel + bias_ih + h @ recurrent_kernel + bias_hh, 4, axis=-1)
        c = _sigmoid(xp, f) * c + _sigmoid(xp, i) * xp.tanh(g)
        h = _sigmoid(xp, o) * xp.tanh(c)
        ys.append(h)
    return xp.stack(ys, axis=1), h, c


def _gru(r: Any, x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
         reset_after: bool = True) -> Any:
    """Gates r, z, n: r, z = sigmoid(x W + b_i + h U + b_h) per gate;
    reset_after: n = tanh(x W_n + b_in + r * (h U_n + b_hn)); otherwise n = tanh(x W_n + b_in + (r * h) U_n + b_hn);
    h = (1 - z) * n + z * h."""
    xp, h, ys = r.xp, h0, []
    w_r, w_z, w_n = xp.split(kernel, 3, axis=-1)
    u_r, u_z, u_n = xp.split(recurrent_kernel, 3, axis=-1)
    bi_r, bi_z, bi_n = xp.split(bias_ih, 3, axis=-1)
    bh_r, bh_z, bh_n = xp.split(bias_hh, 3, axis=-1)
    for t in range(x.shape[1]):
        xt = x[:, t]
        rg = _sigmoid(xp, xt @ w_r + bi_r + h @ u_r + bh_r)
        z = _sigmoid(xp, xt @ w_z + bi_z + h @ u_z + bh_z)
        hidden = rg * (h @ u_n + bh_n) if reset_after else (rg * h) @ u_n + bh_n
        n = xp.tanh(xt @ w_n + bi_n + hidden)
        h = (1 - z) * n + z * h
        ys.append(h)
    return xp.stack(ys, axis=1), h


def _simple_rnn(r: Any, x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any) -> Any:
    """h = tanh(x_t @ kernel + bias_ih + h @ recurrent_kernel + bias_hh)."""
    xp, h, ys = r.xp, h0, []
    for t in range(x.shape[1]):
        h = xp.tanh(x[:, t] @ kernel + bias_ih + h @ recurrent_kernel + bias_hh)
        ys.append(h)
    return xp.stack(ys, axis=1), h


def _embedding(r: Any, ids: Any, table: Any, padding_idx: int | None = None) -> Any:
    """table[ids]; an id outside [0, rows) is an error. padding_idx changes no value (the reference's
    gradient is the lookup's, the padding row included)."""
    r.check_indices("embedding ids", ids, table.shape[0])
    if r.concrete(ids).min(initial=0) < 0:
        raise IndexError("embedding ids: negative id")
    return r.xp.take(table, ids, axis=0)


def _softmax_attend(r: Any, q: Any, k: Any, v: Any, keep: Any) -> Any:
    """[batch, len, heads, dim] layout; keep [batch, heads, lq, lk] True = attend. A row with nothing to
    attend to is NaN (0/0): the reference does not invent a value for it."""
    xp = r.xp
    scores = xp.einsum("bqhd,bkhd->bhqk", q, k) / xp.sqrt(q.shape[-1] * 1.0)
    scores = xp.where(keep, scores, -xp.inf)
    top = xp.max(xp.where(keep, scores, 0.0), axis=-1, keepdims=True)
    w = xp.where(keep, xp.exp(scores - top), 0.0)
    w = w / xp.sum(w, axis=-1, keepdims=True)
    return xp.einsum("bhqk,bkhd->bqhd", w, v)


def _attention(r: Any, q: Any, k: Any, v: Any, is_causal: bool = False) -> Any:
    """softmax(q k^T / sqrt(dim)) v per head; is_causal: query i attends to keys j <= i (top-left aligned
    when the lengths differ)."""
    xp = r.xp
    lq, lk = q.shape[1], k.shape[1]
    keep = xp.ones((1, 1, lq, lk), dtype=bool)
    if is_causal:
        keep = xp.tril(xp.ones((lq, lk), dtype=bool))[None, None]
    return _softmax_attend(r, q, k, v, keep)


def _masked_attention(r: Any, q: Any, k: Any, v: Any, mask: Any) -> Any:
    """As attention, with a boolean mask [batch, heads, lq, lk] where True means attend."""
    return _softmax_attend(r, q, k, v, mask)


def _mha(r: Any, query: Any, key: Any, value: Any, key_keep: Any, q_kernel: Any, q_bias: Any, k_kernel: Any,
         k_bias: Any, v_kernel: Any, v_bias: Any, out_kernel: Any, out_bias: Any, num_heads: int) -> Any:
    """Project q, k, v (x @ kernel + bias, [embed] split head-major into [heads, head_dim]), attend per head
    (key_keep [batch, keys], True = attend), join the heads and project: heads @ out_kernel + out_bias."""
    def split(x: Any) -> Any:
        return x.reshape(x.shape[0], x.shape[1], num_heads, -1)

    q, k, v = split(query @ q_kernel + q_bias), split(key @ k_kernel + k_bias), split(value @ v_kernel + v_bias)
    heads = _softmax_attend(r, q, k, v, key_keep[:, None, None, :])
    return heads.reshape(heads.shape[0], heads.shape[1], -1) @ out_kernel + out_bias


def _dense(r: Any, x: Any, kernel: Any, bias: Any) -> Any:
    """x @ kernel + bias; kernel [in, out]."""
    return x @ kernel + bias


RNN_WEIGHTS = {"kernel": "[input, gates*units], gates along the last axis",
               "recurrent_kernel": "[units, gates*units]", "bias_ih": "[gates*units], added to x @ kernel",
               "bias_hh": "[gates*units], added to h @ recurrent_kernel"}
_MERGED4 = ("add", "bias_ih", "bias_hh")
_LINEN_LSTM: dict[str, Any] = {f"i{g}/kernel": ("chunk", "kernel", n, 4) for n, g in enumerate("ifgo")}
_LINEN_LSTM |= {f"h{g}/kernel": ("chunk", "recurrent_kernel", n, 4) for n, g in enumerate("ifgo")}
_LINEN_LSTM |= {f"h{g}/bias": ("chunk", _MERGED4, n, 4) for n, g in enumerate("ifgo")}
_TORCH_RNN: dict[str, Any] = {"weight_ih_l0": ("T", "kernel"), "weight_hh_l0": ("T", "recurrent_kernel"),
                              "bias_ih_l0": "bias_ih", "bias_hh_l0": "bias_hh"}
_KERAS_GRU = (1, 0, 2)  # Keras keeps gates z, r, h; canonical (torch's) order is r, z, n
_LINEN_GRU: dict[str, Any] = {
    "ir/kernel": ("chunk", "kernel", 0, 3), "iz/kernel": ("chunk", "kernel", 1, 3), "in/kernel": ("chunk", "kernel", 2, 3),
    # flax's GRUCell has no hidden bias for r and z: the two biases of those gates merge on the input side
    "ir/bias": ("chunk", ("add", "bias_ih", "bias_hh"), 0, 3), "iz/bias": ("chunk", ("add", "bias_ih", "bias_hh"), 1, 3),
    "in/bias": ("chunk", "bias_ih", 2, 3), "hr/kernel": ("chunk", "recurrent_kernel", 0, 3),
    "hz/kernel": ("chunk", "recurrent_kernel", 1, 3), "hn/kernel": ("chunk", "recurrent_kernel", 2, 3),
    "hn/bias": ("chunk", "bias_hh", 2, 3)}

def _per_head(projections: dict[str, str], output: str) -> dict[str, Any]:
    """Keras and flax.nnx keep per-head kernels [embed, heads, head_dim] and [heads, head_dim, embed]."""
    found: dict[str, Any] = {}
    for native, c in projections.items():
        found[f"{native}/kernel"] = ("reshape", f"{c}_kernel", (-1, "heads", "head_dim"))
        found[f"{native}/bias"] = ("reshape", f"{c}_bias", ("heads", "head_dim"))
    return found | {f"{output}/kernel": ("reshape", "out_kernel", ("heads", "head_dim", -1)),
                    f"{output}/bias": "out_bias"}


WEIGHTS: dict[str, LayerWeights] = {
    "lstm": LayerWeights(RNN_WEIGHTS | {"gates": "i, f, g, o"}, {
        "torch": _TORCH_RNN,  # torch.nn.LSTM keeps gates i, f, g, o and [4*units, input] kernels
        "tensorflow": {"kernel": "kernel", "recurrent_kernel": "recurrent_kernel", "bias": _MERGED4},  # i, f, c, o
        "jax": _LINEN_LSTM}),
    "gru": LayerWeights(RNN_WEIGHTS | {"gates": "r, z, n"}, {
        "torch": _TORCH_RNN,
        "tensorflow": {"kernel": _gates(3, _KERAS_GRU, "kernel"),
                       "recurrent_kernel": _gates(3, _KERAS_GRU, "recurrent_kernel"),
                       "bias": ("stack", _gates(3, _KERAS_GRU, "bias_ih"), _gates(3, _KERAS_GRU, "bias_hh"))},
        "jax": _LINEN_GRU}),
    # reset_after=false (Keras' other convention): the hidden bias of n sits outside the reset gate, so
    # it merges with the input bias into Keras' single [3*units] bias
    "gru_reset_before": LayerWeights(RNN_WEIGHTS, {
        "tensorflow": {"kernel": _gates(3, _KERAS_GRU, "kernel"),
                       "recurrent_kernel": _gates(3, _KERAS_GRU, "recurrent_kernel"),
                       "bias": _gates(3, _KERAS_GRU, ("add", "bias_ih", "bias_hh"))}}),
    "lstm_cell": LayerWeights(RNN_WEIGHTS | {"gates": "i, f, g, o"}, {
        "torch": {k.removesuffix("_l0"): e for k, e in _TORCH_RNN.items()},
        "tensorflow": {"kernel": "kernel", "recurrent_kernel": "recurrent_kernel", "bias": _MERGED4},
        "jax": _LINEN_LSTM}),
    # one step: torch.nn.GRUCell's parameters lack the layer's _l0 suffix; Keras' GRUCell and flax's are the layer's
    "gru_cell": LayerWeights(RNN_WEIGHTS | {"gates": "r, z, n"}, {
        "torch": {k.removesuffix("_l0"): e for k, e in _TORCH_RNN.items()},
        "tensorflow": {"kernel": _gates(3, _KERAS_GRU, "kernel"),
                       "recurrent_kernel": _gates(3, _KERAS_GRU, "recurrent_kernel"),
                       "bias": ("stack", _gates(3, _KERAS_GRU, "bias_ih"), _gates(3, _KERAS_GRU, "bias_hh"))},
        "jax": _LINEN_GRU}),
    "simple_rnn": LayerWeights(RNN_WEIGHTS, {
        "torch": _TORCH_RNN,
        "tensorflow": {"kernel": "kernel", "recurrent_kernel": "recurrent_kernel", "bias": ("add", "bias_ih", "bias_hh")},
        "jax": {"i/kernel": "kernel", "i/bias": ("add", "bias_ih", "bias_hh"), "h/kernel": "recurrent_kernel"}}),
    "embedding_layer": LayerWeights({"table": "[rows, dim]"}, {
        "torch": {"weight": "table"}, "tensorflow": {"embeddings": "table"}, "jax": {"embedding": "table"}}),
    "multi_head_attention": LayerWeights(
        {"q_kernel": "[embed, heads*head_dim], head-major", "q_bias": "[heads*head_dim]", "k_kernel": "as q",
         "k_bias": "", "v_kernel": "", "v_bias": "", "out_kernel": "[heads*head_dim, embed]", "out_bias": "[embed]"}, {
            # torch keeps one fused [3*embed, embed] input projection, [out, in]
            "torch": {"in_proj_weight": ("T", ("cat", "q_kernel", "k_kernel", "v_kernel")),
                      "in_proj_bias": ("cat", "q_bias", "k_bias", "v_bias"),
                      "out_proj.weight": ("T", "out_kernel"), "out_proj.bias": "out_bias"},
            "tensorflow": _per_head({"query": "q", "key": "k", "value": "v"}, "attention_output"),
            "jax": _per_head({"query": "q", "key": "k", "value": "v"}, "out")}),
    "dense_layer": LayerWeights({"kernel": "[in, out]", "bias": "[out]"}, {
        "torch": {"weight": ("T", "kernel"), "bias": "bias"}, "tensorflow": {"kernel": "kernel", "bias": "bias"},
        "jax": {"kernel": "kernel", "bias": "bias"}}),
}
WEIGHTS |= CONV_WEIGHTS  # convolution and normalization layers (oracle/ops/conv_layers.py)


def _code(layer: str, torch: str, tensorflow: str, jax: str) -> dict[str, Any]:
    """Each framework's custom binding, its shown code naming the mapping from WEIGHTS (braces escaped)."""
    def shown(fw: str) -> str:
        return mapping_text(WEIGHTS[layer], fw).replace("{", "{{").replace("}", "}}")

    return {"torch": custom(f"torch_{layer}", torch.replace("PARAMS", shown("torch"))),
            "tensorflow": custom(f"keras_{layer}", tensorflow.replace("PARAMS", shown("tensorflow"))),
            "jax": custom(f"linen_{layer}", jax.replace("PARAMS", shown("jax")))}


_RNN_ARGS = ("kernel", "recurrent_kernel", "bias_ih", "bias_hh")
OPS = [
    op("lstm", "layers", ("x", "h0", "c0", *_RNN_ARGS), "an LSTM over a batch-first sequence from canonical weights "
       "(gates i, f, g, o): every output, the last hidden and cell state", _lstm, outputs=("y", "h", "c"),
       **_code("lstm",
               "torch.func.functional_call(torch.nn.LSTM(in, units, batch_first=True), PARAMS, "
               "({x}, ({h0}[None], {c0}[None])))",
               "keras.layers.LSTM(units, return_sequences=True, return_state=True).stateless_call(PARAMS, non_trainable, "
               "{x}, initial_state=[{h0}, {c0}])",
               "flax.linen.RNN(flax.linen.LSTMCell(units)).apply({{'params': {{'cell': PARAMS}}}}, {x}, "
               "initial_carry=({c0}, {h0}), return_carry=True)")),
    op("gru", "layers", ("x", "h0", *_RNN_ARGS), "a GRU over a batch-first sequence from canonical weights (gates r, "
       "z, n, torch's order); reset_after says whether the reset gate multiplies h @ U_n + b_hn (true) or h "
       "(false)", _gru, outputs=("y", "h"),
       attrs={"reset_after": Attr("bool", True, doc="Keras' default; torch and flax have only this convention")},
       **_code("gru",
               "torch.func.functional_call(torch.nn.GRU(in, units, batch_first=True), PARAMS, ({x}, {h0}[None]))",
               "keras.layers.GRU(units, reset_after={reset_after}, return_sequences=True, return_state=True)"
               ".stateless_call(PARAMS, non_trainable, "
               "{x}, initial_state=[{h0}])",
               "flax.linen.RNN(flax.linen.GRUCell(units)).apply({{'params': {{'cell': PARAMS}}}}, {x}, "
               "initial_carry={h0}, return_carry=True)")),
    op("lstm_cell", "layers", ("x", "h0", "c0", *_RNN_ARGS), "one LSTM step on x [batch, features] from canonical "
       "weights (gates i, f, g, o): the new hidden and cell state",
       lambda r, x, h0, c0, *w: _lstm(r, x[:, None], h0, c0, *w)[1:], outputs=("h", "c"),
       **_code("lstm_cell",
               "torch.func.functional_call(torch.nn.LSTMCell(in, units), PARAMS, ({x}, ({h0}, {c0})))",
               "keras.layers.LSTMCell(units).stateless_call(PARAMS, non_trainable, {x}, [{h0}, {c0}])[1]",
               "flax.linen.LSTMCell(units).apply({{'params': PARAMS}}, ({c0}, {h0}), {x})[0], the carry (c, h)")),
    op("gru_cell", "layers", ("x", "h0", *_RNN_ARGS), "one GRU step on x [batch, features] from canonical weights "
       "(gates r, z, n, torch's order): the new hidden state", lambda r, x, h0, *w: _gru(r, x[:, None], h0, *w)[1],
       **_code("gru_cell",
               "torch.func.functional_call(torch.nn.GRUCell(in, units), PARAMS, ({x}, {h0}))",
               "keras.layers.GRUCell(units).stateless_call(PARAMS, non_trainable, {x}, [{h0}])[0]",
               "flax.linen.GRUCell(units).apply({{'params': PARAMS}}, {h0}, {x})[0]")),
    op("simple_rnn", "layers", ("x", "h0", *_RNN_ARGS), "an Elman RNN (tanh) over a batch-first sequence from "
       "canonical weights", _simple_rnn, outputs=("y", "h"),
       **_code("simple_rnn",
               "torch.func.functional_call(torch.nn.RNN(in, units, batch_first=True), PARAMS, ({x}, {h0}[None]))",
               "keras.layers.SimpleRNN(units, return_sequences=True, return_state=True)"
               ".stateless_call(PARAMS, non_trainable, {x}, initial_state=[{h0}])",
               "flax.linen.RNN(flax.linen.SimpleCell(units)).apply({{'params': {{'cell': PARAMS}}}}, {x}, "
               "initial_carry={h0}, return_carry=True)")),
    op("embedding_layer", "layers", (Arg("ids", "int_tensor", "index"), "table"), "an embedding layer holding "
       "`table`, looked up at ids", _embedding,
       attrs={"padding_idx": Attr("int", None, nullable=True, doc="torch: that row gets no gradient")},
       **_code("embedding_layer",
               "torch.func.functional_call(torch.nn.Embedding(rows, dim, padding_idx={padding_idx}), PARAMS, "
               "({ids},))",
               "keras.layers.Embedding(rows, dim).stateless_call(PARAMS, non_trainable, {ids})",
               "flax.linen.Embed(rows, dim).apply({{'params': PARAMS}}, {ids})")),
    op("dense_layer", "layers", "x kernel bias", "a dense (linear) layer holding kernel [in, out] and bias", _dense,
       **_code("dense_layer",
               "torch.func.functional_call(torch.nn.Linear(in, out), PARAMS, ({x},))",
               "keras.layers.Dense(out).stateless_call(PARAMS, non_trainable, {x})",
               "flax.linen.Dense(out).apply({{'params': PARAMS}}, {x})")),
    op("multi_head_attention", "layers", ("query", "key", "value", Arg("key_keep", "tensor", "binary"), "q_kernel",
                                          "q_bias", "k_kernel", "k_bias", "v_kernel", "v_bias", "out_kernel",
                                          "out_bias"),
       "multi-head attention layer from canonical projections; key_keep [batch, keys] True = attend (torch's "
       "key_padding_mask is its negation: True = ignore)", _mha,
       attrs={"num_heads": Attr("int", REQUIRED, low=1)},
       **_code("multi_head_attention",
               "torch.func.functional_call(torch.nn.MultiheadAttention(embed, {num_heads}, batch_first=True), "
               "PARAMS, ({query}, {key}, {value}), {{'key_padding_mask': ~{key_keep}, 'need_weights': False}})[0]",
               "keras.layers.MultiHeadAttention({num_heads}, key_dim).stateless_call(PARAMS, [], {query}, {value}, "
               "key={key}, attention_mask={key_keep}[:, None, :] broadcast to [batch, queries, keys])",
               "m = flax.nnx.MultiHeadAttention({num_heads}, embed, rngs=flax.nnx.Rngs(0)); "
               "for name, array in PARAMS.items(): getattr(getattr(m, name.split('/')[0]), name.split('/')[1])[...] "
               "= array; m({query}, {key}, {value}, mask={key_keep}[:, None, None, :], decode=False)")),
    op("attention", "layers", "q k v", "scaled dot-product attention, [batch, len, heads, dim] (torch's own layout "
       "is [batch, heads, len, dim]: transposed in and out)", _attention,
       attrs={"is_causal": Attr("bool", False)},
       conventions="causal with unequal lengths: query i attends keys 0..i (top-left aligned)",
       torch=expression("torch.nn.functional.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), "
                        "v.transpose(1, 2), is_causal=is_causal).transpose(1, 2)"),
       tensorflow=expression("keras.ops.dot_product_attention(q, k, v, is_causal=is_causal)"),
       jax=expression("jax.nn.dot_product_attention(q, k, v, is_causal=is_causal)")),
    op("masked_attention", "layers", ("q", "k", "v", Arg("mask", "tensor", "binary")), "scaled dot-product "
       "attention with a boolean mask [batch, heads, lq, lk], True = attend (each API's documented polarity)",
       _masked_attention,
       conventions="a fully masked row is NaN in the reference (softmax over nothing)",
       torch=expression("torch.nn.functional.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), "
                        "v.transpose(1, 2), attn_mask=mask).transpose(1, 2)"),
       tensorflow=expression("keras.ops.dot_product_attention(q, k, v, mask=mask)"),
       jax=expression("jax.nn.dot_product_attention(q, k, v, mask=mask)")),
]
