"""The TensorFlow column's layers from canonical weights (oracle/ops/weighted.py): each Keras layer is built as
a user builds it and run with the mapped weights by Layer.stateless_call, so the tape sees the canonical ones."""

from __future__ import annotations

import contextlib
import functools
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import keras
import tensorflow as tf

from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS
from oracle.request import Unsupported

OPS = SimpleNamespace(transpose=tf.transpose, chunk=lambda a, i, n: tf.split(a, n, axis=-1)[i],
                      cat=lambda parts: tf.concat(parts, axis=-1), stack=lambda parts: tf.stack(parts),
                      reshape=tf.reshape, permute=tf.transpose)


def _run(layer: str, built: Any, canon: dict[str, Any], *args: Any, depth: int = 1,
         sizes: dict[str, int] | None = None, **kwargs: Any) -> Any:
    """The layer's own variables, in its order, replaced by the mapped canonical weights for this call;
    a variable is named by the last `depth` parts of its path (query/kernel)."""
    names = ["/".join(v.path.split("/")[-depth:]) for v in built.trainable_variables]
    params = native_params(WEIGHTS[layer], "tensorflow", canon, names, OPS, sizes)
    if keras.mixed_precision.dtype_policy().name.startswith("mixed"):
        # stateless_call skips the policy's autocast of variables (a float32 result where layer(x) gives
        # float16), so under mixed precision the weights are assigned and the layer called as users do;
        # the tape then sees the layer's variables, not the canonical weights (forward only)
        for variable, name in zip(built.trainable_variables, names):
            variable.assign(params[name])
        return built(*args, **kwargs)
    # non-trainable state (a recurrent layer's dropout seed) is no weight: it goes in as it is
    state = [v.value for v in built.non_trainable_variables]
    out, _ = built.stateless_call([params[n] for n in names], state, *args, **kwargs)
    return out


def _dtype(t: Any) -> str | None:
    """A float32 layer is left to Keras' global dtype policy (so a mixed-precision case reaches it)."""
    return None if t.dtype == tf.float32 else t.dtype.name


def _recurrent(cls: Any, x: Any, recurrent_kernel: Any, **options: Any) -> Any:
    built = cls(recurrent_kernel.shape[0], return_sequences=True, return_state=True, dtype=_dtype(x), **options)
    built.build(tuple(x.shape))
    return built


def lstm(x: Any, h0: Any, c0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
         cell: bool = False) -> Any:
    """Canonical weights mapped onto keras.layers.LSTM's variables (keras.layers.LSTMCell's for one step), run by
    stateless_call."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    if cell:
        step = keras.layers.LSTMCell(recurrent_kernel.shape[0], dtype=_dtype(x))
        step.build(tuple(x.shape))
        _, (h, c) = _run("lstm_cell", step, canon, x, [h0, c0])  # (output, [h, c])
        return h, c
    y, h, c = _run("lstm", _recurrent(keras.layers.LSTM, x, recurrent_kernel), canon, x, initial_state=[h0, c0])
    return y, h, c


def gru(x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
        reset_after: bool = True, cell: bool = False) -> Any:
    """Canonical weights mapped onto keras.layers.GRU's variables (keras.layers.GRUCell's for one step), run by
    stateless_call."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    if cell:
        step = keras.layers.GRUCell(recurrent_kernel.shape[0], reset_after=reset_after, dtype=_dtype(x))
        step.build(tuple(x.shape))
        return _run("gru_cell" if reset_after else "gru_reset_before", step, canon, x, [h0])[0]
    built = _recurrent(keras.layers.GRU, x, recurrent_kernel, reset_after=reset_after)
    y, h = _run("gru" if reset_after else "gru_reset_before", built, canon, x, initial_state=[h0])
    return y, h


def simple_rnn(x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any) -> Any:
    """Canonical weights mapped onto keras.layers.SimpleRNN's variables, run by stateless_call."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    y, h = _run("simple_rnn", _recurrent(keras.layers.SimpleRNN, x, recurrent_kernel), canon, x, initial_state=[h0])
    return y, h


def mha(query: Any, key: Any, value: Any, key_keep: Any, q_kernel: Any, q_bias: Any, k_kernel: Any, k_bias: Any,
        v_kernel: Any, v_bias: Any, out_kernel: Any, out_bias: Any, num_heads: int) -> Any:
    """Canonical weights mapped onto keras.layers.MultiHeadAttention's variables, run by stateless_call."""
    canon = {"q_kernel": q_kernel, "q_bias": q_bias, "k_kernel": k_kernel, "k_bias": k_bias, "v_kernel": v_kernel,
             "v_bias": v_bias, "out_kernel": out_kernel, "out_bias": out_bias}
    head_dim = q_kernel.shape[1] // num_heads
    built = keras.layers.MultiHeadAttention(num_heads, head_dim, dtype=_dtype(query))
    built.build(tuple(query.shape), tuple(value.shape), tuple(key.shape))
    # attention_mask [batch, queries, keys], True = attend: the keep mask repeated for every query
    mask = tf.broadcast_to(tf.cast(key_keep, tf.bool)[:, None, :], (query.shape[0], query.shape[1], key.shape[1]))
    return _run("multi_head_attention", built, canon, query, value, key=key, attention_mask=mask, depth=2,
                sizes={"heads": num_heads, "head_dim": head_dim})


def embedding(ids: Any, table: Any, padding_idx: int | None = None) -> Any:
    """Canonical table mapped onto keras.layers.Embedding's variable, run by stateless_call."""
    if padding_idx is not None:
        raise Unsupported("keras.layers.Embedding has no padding_idx (its mask_zero masks id 0 downstream; "
                          "it does not freeze a row)")
    built = keras.layers.Embedding(table.shape[0], table.shape[1], dtype=_dtype(table))
    built.build(tuple(ids.shape))
    return _run("embedding_layer", built, {"table": table}, ids)


def dense(x: Any, kernel: Any, bias: Any) -> Any:
    """Canonical weights mapped onto keras.layers.Dense's variables, run by stateless_call."""
    built = keras.layers.Dense(kernel.shape[1], dtype=_dtype(kernel))
    built.build(tuple(x.shape))
    return _run("dense_layer", built, {"kernel": kernel, "bias": bias}, x)


CUSTOM: dict[str, Callable[..., Any]] = {
    "keras_lstm": lstm, "keras_lstm_cell": functools.partial(lstm, cell=True),
    "keras_gru": gru, "keras_gru_cell": functools.partial(gru, cell=True),
    "keras_simple_rnn": simple_rnn, "keras_embedding_layer": embedding,
    "keras_dense_layer": dense, "keras_multi_head_attention": mha,
}


@contextlib.contextmanager
def mixed_policy(dtype: str | None, in_effect: dict[str, Any]) -> Iterator[None]:
    """settings.autocast: Keras' global dtype policy mixed_<dtype> for the case, then the previous one back.
    It reaches Keras layers built in the case; tf.* functions keep the dtypes they are given."""
    if dtype is None:
        yield
        return
    saved = keras.mixed_precision.dtype_policy().name
    keras.mixed_precision.set_dtype_policy(f"mixed_{dtype}")
    in_effect["autocast"] = f"keras.mixed_precision.set_dtype_policy('mixed_{dtype}')"
    in_effect["keras_policy"] = keras.mixed_precision.dtype_policy().name
    try:
        yield
    finally:
        keras.mixed_precision.set_dtype_policy(saved)
        in_effect["restored"] = f"keras policy {keras.mixed_precision.dtype_policy().name}"
