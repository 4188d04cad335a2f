"""The torch column's layers from canonical weights (oracle/ops/weighted.py): each module is built as a user
builds it and run with the mapped weights by torch.func.functional_call, so gradients reach the canonical ones."""

from __future__ import annotations

import contextlib
import functools
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import torch

from oracle.native import Made, as_made
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS
from oracle.request import Unsupported

OPS = SimpleNamespace(transpose=lambda a: a.transpose(0, 1), chunk=lambda a, i, n: torch.chunk(a, n, dim=-1)[i],
                      cat=lambda parts: torch.cat(parts, dim=-1), stack=lambda parts: torch.stack(parts),
                      reshape=lambda a, shape: a.reshape(shape), permute=lambda a, axes: a.permute(*axes))


def _run(layer: str, module: torch.nn.Module, canon: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    names = [name for name, _ in module.named_parameters()]
    params = native_params(WEIGHTS[layer], "torch", canon, names, OPS)
    return torch.func.functional_call(module, params, args, kwargs)


def mha(query: Any, key: Any, value: Any, key_keep: Any, q_kernel: Any, q_bias: Any, k_kernel: Any, k_bias: Any,
        v_kernel: Any, v_bias: Any, out_kernel: Any, out_bias: Any, num_heads: int) -> Any:
    """Canonical weights mapped onto torch.nn.MultiheadAttention's parameters, run by functional_call."""
    canon = {"q_kernel": q_kernel, "q_bias": q_bias, "k_kernel": k_kernel, "k_bias": k_bias, "v_kernel": v_kernel,
             "v_bias": v_bias, "out_kernel": out_kernel, "out_bias": out_bias}
    module = torch.nn.MultiheadAttention(q_kernel.shape[0], num_heads, batch_first=True, dtype=query.dtype,
                                         device=query.device)
    # key_padding_mask True means "ignore this key": the canonical keep mask negated
    return _run("multi_head_attention", module, canon, query, key, value, key_padding_mask=~key_keep,
                need_weights=False)[0]


def _rnn(cls: Any, layer: str, x: Any, kernel: Any, **canon: Any) -> Any:
    return cls(kernel.shape[0], canon["recurrent_kernel"].shape[0], batch_first=True, dtype=x.dtype, device=x.device)


def lstm(x: Any, h0: Any, c0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
         cell: bool = False) -> Any:
    """Canonical weights mapped onto torch.nn.LSTM's parameters (torch.nn.LSTMCell's for one step), run by
    functional_call."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    if cell:
        step = torch.nn.LSTMCell(kernel.shape[0], recurrent_kernel.shape[0], dtype=x.dtype, device=x.device)
        return _run("lstm_cell", step, canon, x, (h0, c0))  # (h, c)
    module = _rnn(torch.nn.LSTM, "lstm", x, **canon)
    y, (h, c) = _run("lstm", module, canon, x, (h0[None], c0[None]))  # torch's states lead with num_layers
    return y, h[0], c[0]


def gru(x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
        reset_after: bool = True, cell: bool = False) -> Any:
    """Canonical weights mapped onto torch.nn.GRU's parameters (torch.nn.GRUCell's for one step), run by
    functional_call."""
    if not reset_after:
        raise Unsupported("torch.nn.GRU has one convention, the reset gate applied to h @ W_hn + b_hn "
                          "(reset_after=True); it has no option for reset_after=False")
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    if cell:
        module = torch.nn.GRUCell(kernel.shape[0], recurrent_kernel.shape[0], dtype=x.dtype, device=x.device)
        return _run("gru_cell", module, canon, x, h0)
    y, h = _run("gru", _rnn(torch.nn.GRU, "gru", x, **canon), canon, x, h0[None])
    return y, h[0]


def simple_rnn(x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any) -> Any:
    """Canonical weights mapped onto torch.nn.RNN, run by functional_call."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    y, h = _run("simple_rnn", _rnn(torch.nn.RNN, "simple_rnn", x, **canon), canon, x, h0[None])
    return y, h[0]


def embedding(ids: Any, table: Any, padding_idx: int | None = None) -> Any:
    """Canonical table mapped onto torch.nn.Embedding's weight, run by functional_call."""
    module = torch.nn.Embedding(table.shape[0], table.shape[1], padding_idx=padding_idx, dtype=table.dtype,
                                device=table.device)
    return _run("embedding_layer", module, {"table": table}, ids)


def dense(x: Any, kernel: Any, bias: Any) -> Any:
    """Canonical weights mapped onto torch.nn.Linear's parameters, run by functional_call."""
    module = torch.nn.Linear(kernel.shape[0], kernel.shape[1], dtype=kernel.dtype, device=kernel.device)
    return _run("dense_layer", module, {"kernel": kernel, "bias": bias}, x)




CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_lstm": lstm, "torch_lstm_cell": functools.partial(lstm, cell=True),
    "torch_gru": gru, "torch_gru_cell": functools.partial(gru, cell=True),
    "torch_simple_rnn": simple_rnn, "torch_embedding_layer": embedding,
    "torch_dense_layer": dense, "torch_multi_head_attention": mha,
}


# Default initialisers and dropout (oracle/ops/stochastic.py): torch's global generator, seeded inside fork_rng
# so the worker's own random state is left as it was.
def _seeded(make: Callable[[], Any]) -> Any:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return make()


def _param(module: torch.nn.Module, name: str) -> Any:
    return module.get_parameter(name).detach()


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


def initial(module: str, parameter: str, transposed: bool, **sizes: int) -> Any:
    """torch.nn.<module>(*sizes).<parameter> as built under seed 0 inside torch.random.fork_rng (a `with` block
    an expression cannot hold), so the worker's random state is left alone; `transposed`: torch's [out, in, *k]
    moved to the canonical [*k, in, out] (a 2-D weight's transpose)."""
    value = _seeded(lambda: _param(getattr(torch.nn, module)(*sizes.values()), parameter))
    return value.permute(*range(2, value.ndim), 1, 0) if transposed else value


CUSTOM.update({
    "torch_default_dense_kernel": functools.partial(initial, "Linear", "weight", True),
    "torch_default_embedding_table": functools.partial(initial, "Embedding", "weight", False),
    "torch_default_lstm_kernel": functools.partial(initial, "LSTM", "weight_ih_l0", True),
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
