"""The torch column's layers from canonical weights (oracle/ops/weighted.py): each module is built as a user
builds it and run with the mapped weights by torch.func.functional_call, so gradients reach the canonical ones."""

from __future__ import annotations

import contextlib
import functools
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import torch

from adapters.layer_spec import Layer
from oracle import expression
from oracle.native import Made, as_made, resolve
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS

OPS = SimpleNamespace(transpose=lambda a: a.transpose(0, 1), chunk=lambda a, i, n: torch.chunk(a, n, dim=-1)[i],
                      cat=lambda parts: torch.cat(parts, dim=-1), stack=lambda parts: torch.stack(parts),
                      reshape=lambda a, shape: a.reshape(shape), permute=lambda a, axes: a.permute(*axes))


def layer(spec: Layer, *args: Any, **attrs: Any) -> Any:
    """One idiom for every torch layer op, its differences data (adapters/layer_spec.py): the module built as the
    spec's expression says and run by torch.func.functional_call with the canonical weights mapped onto its
    parameters, so gradients reach the canonical ones."""
    def call(weights: str, values: dict[str, Any], sizes: dict[str, Any]) -> Callable[..., Any]:
        mapping = WEIGHTS[weights]
        canon = {name: values[name] for name in mapping.canonical if name in values}

        def run(module: torch.nn.Module, *inputs: Any, **kwargs: Any) -> Any:
            names = [name for name, _ in module.named_parameters()]
            held = [name for name, _ in module.named_buffers() if name in mapping.native["torch"]] if spec.state else []
            params = native_params(mapping, "torch", canon, names + held, OPS, sizes)
            if held and module.training:  # buffers updated in place (no gradient flows through the update): copies,
                params |= {name: params[name].detach().clone() for name in held}  # not the case's inputs
            out = torch.func.functional_call(module, params, inputs, kwargs)
            return (out, {name: params[name] for name in held}) if spec.state else out
        return run

    return spec.run(args, attrs, call)


_RNN = "torch.nn.{cls}(kernel.shape[0], recurrent_kernel.shape[0], batch_first=True, dtype=x.dtype, device=x.device)"
_CELL = "torch.nn.{cls}(kernel.shape[0], recurrent_kernel.shape[0], dtype=x.dtype, device=x.device)"
_RNN_ARGS = "kernel recurrent_kernel bias_ih bias_hh"
_TORCH_GRU = ("reset_after", False, "torch.nn.GRU has one convention, the reset gate applied to h @ W_hn + b_hn "
              "(reset_after=True); it has no option for reset_after=False")
LAYERS: dict[str, Layer] = {
    "torch_multi_head_attention": Layer(
        "query key value key_keep q_kernel q_bias k_kernel k_bias v_kernel v_bias out_kernel out_bias",
        # key_padding_mask True means "ignore this key": the canonical keep mask negated
        "m = torch.nn.MultiheadAttention(q_kernel.shape[0], num_heads, batch_first=True, dtype=query.dtype, "
        "device=query.device); run(m, query, key, value, key_padding_mask=~key_keep, need_weights=False)[0]",
        "multi_head_attention"),
    # torch's states lead with num_layers
    "torch_lstm": Layer(f"x h0 c0 {_RNN_ARGS}", f"out = run({_RNN.format(cls='LSTM')}, x, (h0[None], c0[None])); "
                        "(out[0], out[1][0][0], out[1][1][0])", "lstm"),
    "torch_gru": Layer(f"x h0 {_RNN_ARGS}", f"out = run({_RNN.format(cls='GRU')}, x, h0[None]); (out[0], out[1][0])",
                       "gru", refuse=(_TORCH_GRU,)),
    # one step: torch's cells take x [batch, features] and the states without the num_layers axis
    "torch_lstm_cell": Layer(f"x h0 c0 {_RNN_ARGS}", f"run({_CELL.format(cls='LSTMCell')}, x, (h0, c0))", "lstm_cell"),
    "torch_gru_cell": Layer(f"x h0 {_RNN_ARGS}", f"run({_CELL.format(cls='GRUCell')}, x, h0)", "gru_cell"),
    "torch_simple_rnn": Layer(f"x h0 {_RNN_ARGS}", f"out = run({_RNN.format(cls='RNN')}, x, h0[None]); "
                              "(out[0], out[1][0])", "simple_rnn"),
    "torch_embedding_layer": Layer("ids table", "run(torch.nn.Embedding(table.shape[0], table.shape[1], "
                                   "padding_idx=padding_idx, dtype=table.dtype, device=table.device), ids)",
                                   "embedding_layer"),
    "torch_dense_layer": Layer("x kernel bias", "run(torch.nn.Linear(kernel.shape[0], kernel.shape[1], "
                               "dtype=kernel.dtype, device=kernel.device), x)", "dense_layer"),
}
CUSTOM: dict[str, Callable[..., Any]] = {name: functools.partial(layer, spec) for name, spec in LAYERS.items()}


# Default initialisers and dropout (oracle/ops/stochastic.py): torch's global generator, seeded inside fork_rng
# so the worker's own random state is left as it was.
def _seeded(make: Callable[[], Any]) -> Any:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return make()


def _dropout(x: Any, rate: float, training: bool | None = None) -> Made:
    """Seeded inside torch.random.fork_rng (a `with` block) so the worker's random state is left alone."""
    text = f"torch.manual_seed(0); layer = torch.nn.Dropout(p={rate!r}); " \
           + ("" if training is None else f"layer.train({training!r}); ") + "layer({x})"
    mode: list[bool] = []

    def run() -> Any:
        layer = torch.nn.Dropout(p=rate)
        if training is not None:  # unpinned: the module as built, in torch's default (training) mode
            layer.train(training)
        mode.append(layer.training)
        return layer(x)

    y = as_made(lambda: _seeded(run), text)
    return Made(y, text, {"training": f"layer.training={mode[0]!r} (as built)"} if training is None else {})


def seeded(inputs: str, code: str, *args: Any, **attrs: Any) -> Any:
    """`code` (oracle/expression.py's language, over the op's arguments and attributes) run with torch's global
    generator seeded 0 inside torch.random.fork_rng, a `with` block an expression cannot hold, so the worker's
    random state is left alone: one idiom (a context manager around a declared expression), the code as data."""
    values = dict(zip(inputs.split(), args)) | attrs
    return _seeded(lambda: expression.run(code, values, resolve))


def initial(module: str, parameter: str, layout: str = "") -> Callable[..., Any]:
    """torch.nn.<module>(sizes...).<parameter> as built, detached, in the canonical layout (`layout`, such as .T)."""
    sizes = {"Linear": "in_features, out_features", "Embedding": "num_embeddings, embedding_dim",
             "LSTM": "input_size, units", "GRU": "input_size, units",
             "Conv1d": "in_channels, out_channels, kernel_size", "Conv2d": "in_channels, out_channels, kernel_size"}[module]
    return functools.partial(seeded, "", f"torch.nn.{module}({sizes}).{parameter}.detach(){layout}")


CUSTOM.update({
    "torch_default_dense_kernel": initial("Linear", "weight", ".T"),
    "torch_default_embedding_table": initial("Embedding", "weight"),
    "torch_default_lstm_kernel": initial("LSTM", "weight_ih_l0", ".T"),
    "torch_dropout_layer": _dropout,
})


@contextlib.contextmanager
def autocast(device_type: str, dtype: str | None, in_effect: dict[str, Any]) -> Iterator[None]:
    """settings.autocast: torch.autocast on the column's device; recorded while on, and its state after exit."""
    if dtype is None:
        yield
        return
    with torch.autocast(device_type=device_type, dtype=getattr(torch, dtype)):
        in_effect["autocast"] = f"torch.autocast(device_type={device_type!r}, dtype=torch.{dtype})"
        in_effect["autocast_enabled"] = torch.is_autocast_enabled(device_type)
        yield
    in_effect["restored"] = f"autocast enabled after the case: {torch.is_autocast_enabled(device_type)}"
