"""The TensorFlow column's layers from canonical weights (oracle/ops/weighted.py): each Keras layer is built as
a user builds it and run with the mapped weights by Layer.stateless_call, so the tape sees the canonical ones."""

from __future__ import annotations

import contextlib
import functools
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import keras
import tensorflow as tf

from adapters.layer_spec import PINNED, Layer
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS

OPS = SimpleNamespace(transpose=tf.transpose, chunk=lambda a, i, n: tf.split(a, n, axis=-1)[i],
                      cat=lambda parts: tf.concat(parts, axis=-1), stack=lambda parts: tf.stack(parts),
                      reshape=tf.reshape, permute=tf.transpose)


def layer(spec: Layer, *args: Any, **attrs: Any) -> Any:
    """One idiom for every Keras layer op, its differences data (adapters/layer_spec.py): the layer built as the
    spec's expression says and run by Layer.stateless_call with the canonical weights mapped onto its variables,
    in its order, so the tape sees the canonical ones."""
    def call(weights: str, values: dict[str, Any], sizes: dict[str, Any]) -> Callable[..., Any]:
        mapping = WEIGHTS[weights]
        canon = {name: values[name] for name in mapping.canonical if name in values}

        def run(built: Any, *inputs: Any, **kwargs: Any) -> Any:
            # a variable is named by the last `depth` parts of its path (query/kernel)
            names = ["/".join(v.path.split("/")[-spec.depth:]) for v in built.trainable_variables]
            held = ["/".join(v.path.split("/")[-spec.depth:]) for v in built.non_trainable_variables] \
                if spec.state else []
            params = native_params(mapping, "tensorflow", canon, names + held, OPS, sizes or None)
            if keras.mixed_precision.dtype_policy().name.startswith("mixed"):
                # stateless_call skips the policy's autocast of variables (a float32 result where layer(x) gives
                # float16), so under mixed precision the weights are assigned and the layer called as users do;
                # the tape then sees the layer's variables, not the canonical weights (forward only)
                for variable, name in zip(built.trainable_variables + built.non_trainable_variables, names + held):
                    variable.assign(params[name])
                out = built(*inputs, **kwargs)
                return (out, {n: v.value for n, v in zip(held, built.non_trainable_variables)}) if spec.state else out
            # non-trainable state that is no weight (a recurrent layer's dropout seed) goes in as it is
            state = [params[n] for n in held] if spec.state else [v.value for v in built.non_trainable_variables]
            out, after = built.stateless_call([params[n] for n in names], state, *inputs, **kwargs)
            return (out, dict(zip(held, after))) if spec.state else out
        return run

    return spec.run(args, attrs, call, {"dtype_of": _dtype})


def _dtype(t: Any) -> str | None:
    """A float32 layer is left to Keras' global dtype policy (so a mixed-precision case reaches it)."""
    return None if t.dtype == tf.float32 else t.dtype.name


# each layer built for its input's shape (layer.build) before its variables are replaced
_RNN = ("layer = keras.layers.{cls}(recurrent_kernel.shape[0], return_sequences=True, return_state=True, "
        "dtype=dtype_of(x){options}); layer.build(tuple(x.shape)); ")
_CELL = "layer = keras.layers.{cls}(recurrent_kernel.shape[0], dtype=dtype_of(x)); layer.build(tuple(x.shape)); "
_RNN_ARGS = "kernel recurrent_kernel bias_ih bias_hh"
# attention_mask [batch, queries, keys], True = attend: the keep mask repeated for every query
_MHA = ("layer = keras.layers.MultiHeadAttention(num_heads, q_kernel.shape[1] // num_heads, dtype=dtype_of(query)); "
        "layer.build(tuple(query.shape), tuple(value.shape), tuple(key.shape)); "
        "mask = tf.broadcast_to(tf.cast(key_keep, tf.bool)[:, None, :], (query.shape[0], query.shape[1], "
        "key.shape[1])); run(layer, query, value, key=key, attention_mask=mask)")
LAYERS: dict[str, Layer] = {
    "keras_lstm": Layer(f"x h0 c0 {_RNN_ARGS}", _RNN.format(cls="LSTM", options="")
                        + "out = run(layer, x, initial_state=[h0, c0]); (out[0], out[1], out[2])", "lstm"),
    "keras_gru": Layer(f"x h0 {_RNN_ARGS}", _RNN.format(cls="GRU", options=", reset_after=reset_after")
                       + "out = run(layer, x, initial_state=[h0]); (out[0], out[1])", "gru",
                       other_weights=("reset_after", False, "gru_reset_before")),
    # one step: Keras' cells take x [batch, features] and the list of states, and return (output, new states)
    "keras_lstm_cell": Layer(f"x h0 c0 {_RNN_ARGS}", _CELL.format(cls="LSTMCell")
                             + "out = run(layer, x, [h0, c0]); (out[1][0], out[1][1])", "lstm_cell"),
    "keras_gru_cell": Layer(f"x h0 {_RNN_ARGS}", _CELL.format(cls="GRUCell") + "run(layer, x, [h0])[0]", "gru_cell"),
    "keras_simple_rnn": Layer(f"x h0 {_RNN_ARGS}", _RNN.format(cls="SimpleRNN", options="")
                              + "out = run(layer, x, initial_state=[h0]); (out[0], out[1])", "simple_rnn"),
    "keras_multi_head_attention": Layer(
        "query key value key_keep q_kernel q_bias k_kernel k_bias v_kernel v_bias out_kernel out_bias", _MHA,
        "multi_head_attention", depth=2, sizes=(("heads", "num_heads"), ("head_dim", "q_kernel.shape[1] // num_heads"))),
    "keras_embedding_layer": Layer(
        "ids table", "layer = keras.layers.Embedding(table.shape[0], table.shape[1], dtype=dtype_of(table)); "
        "layer.build(tuple(ids.shape)); run(layer, ids)", "embedding_layer",
        refuse=(("padding_idx", PINNED, "keras.layers.Embedding has no padding_idx (its mask_zero masks id 0 "
                 "downstream; it does not freeze a row)"),)),
    "keras_dense_layer": Layer("x kernel bias", "layer = keras.layers.Dense(kernel.shape[1], dtype=dtype_of(kernel)); "
                               "layer.build(tuple(x.shape)); run(layer, x)", "dense_layer"),
}
CUSTOM: dict[str, Callable[..., Any]] = {name: functools.partial(layer, spec) for name, spec in LAYERS.items()}


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
