"""The JAX column's layers from canonical weights (oracle/ops/weighted.py): flax.linen modules applied to the
mapped weights (Module.apply with a params tree), so jax.grad reaches the canonical ones."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any, Callable

from oracle.native import Made, as_made
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS
from oracle.request import Unsupported


def _ops() -> Any:
    import jax.numpy as jnp

    return SimpleNamespace(transpose=jnp.transpose, chunk=lambda a, i, n: jnp.split(a, n, axis=-1)[i],
                           cat=lambda parts: jnp.concatenate(parts, axis=-1), stack=jnp.stack,
                           reshape=jnp.reshape, permute=jnp.transpose)


def _flat(tree: dict[str, Any], prefix: str = "") -> list[str]:
    names = []
    for key, value in tree.items():
        names += _flat(value, f"{prefix}{key}/") if isinstance(value, dict) else [f"{prefix}{key}"]
    return names


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        *heads, leaf = path.split("/")
        node = tree
        for head in heads:
            node = node.setdefault(head, {})
        node[leaf] = value
    return tree


def _apply(layer: str, module: Any, canon: dict[str, Any], x: Any, under: str = "", **kwargs: Any) -> Any:
    """The module's parameter tree (shapes only: jax.eval_shape of init) replaced by the mapped weights."""
    import jax

    shapes = jax.eval_shape(lambda: module.init(jax.random.PRNGKey(0), x, **kwargs))["params"]
    shapes = shapes[under] if under else shapes
    params = native_params(WEIGHTS[layer], "jax", canon, _flat(shapes), _ops())
    tree = _nested(params)
    return module.apply({"params": {under: tree} if under else tree}, x, **kwargs)


def _cell(cls: str, recurrent_kernel: Any) -> Any:
    from flax import linen

    return linen.RNN(getattr(linen, cls)(recurrent_kernel.shape[0], param_dtype=recurrent_kernel.dtype))


def lstm(x: Any, h0: Any, c0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
         cell: bool = False) -> Any:
    """Canonical weights mapped onto a flax.linen LSTM cell's parameter tree, applied with Module.apply (the cell
    alone for one step)."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    if cell:  # flax's cell takes (carry, inputs), its carry (c, h), and returns (new carry, output)
        from flax import linen

        step = linen.LSTMCell(recurrent_kernel.shape[0], param_dtype=recurrent_kernel.dtype)
        (c, h), _ = _apply("lstm_cell", step, canon, (c0, h0), inputs=x)
        return h, c
    (c, h), y = _apply("lstm", _cell("LSTMCell", recurrent_kernel), canon, x, "cell", initial_carry=(c0, h0),
                       return_carry=True)  # flax's LSTM carry is (c, h)
    return y, h, c


def gru(x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any,
        reset_after: bool = True, cell: bool = False) -> Any:
    """Canonical weights mapped onto a flax.linen GRU cell's parameter tree, applied with Module.apply."""
    if not reset_after:
        raise Unsupported("flax.linen.GRUCell has one convention, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) "
                          "(reset_after=True); it has no option for reset_after=False")
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    if cell:  # one step: flax's cell takes (carry, inputs) and returns (new carry, output)
        from flax import linen

        step = linen.GRUCell(recurrent_kernel.shape[0], param_dtype=recurrent_kernel.dtype)
        return _apply("gru_cell", step, canon, h0, inputs=x)[0]
    h, y = _apply("gru", _cell("GRUCell", recurrent_kernel), canon, x, "cell", initial_carry=h0, return_carry=True)
    return y, h


def simple_rnn(x: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias_ih: Any, bias_hh: Any) -> Any:
    """Canonical weights mapped onto a flax.linen SimpleCell's parameter tree, applied with Module.apply."""
    canon = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias_ih": bias_ih, "bias_hh": bias_hh}
    h, y = _apply("simple_rnn", _cell("SimpleCell", recurrent_kernel), canon, x, "cell", initial_carry=h0,
                  return_carry=True)
    return y, h


def embedding(ids: Any, table: Any, padding_idx: int | None = None) -> Any:
    """Canonical table mapped onto flax.linen.Embed's parameter tree, applied with Module.apply."""
    from flax import linen

    if padding_idx is not None:
        raise Unsupported("flax.linen.Embed has no padding_idx")
    module = linen.Embed(table.shape[0], table.shape[1], param_dtype=table.dtype)
    return _apply("embedding_layer", module, {"table": table}, ids)


def dense(x: Any, kernel: Any, bias: Any) -> Any:
    """Canonical weights mapped onto flax.linen.Dense's parameter tree, applied with Module.apply."""
    from flax import linen

    module = linen.Dense(kernel.shape[1], param_dtype=kernel.dtype)
    return _apply("dense_layer", module, {"kernel": kernel, "bias": bias}, x)


def mha(query: Any, key: Any, value: Any, key_keep: Any, q_kernel: Any, q_bias: Any, k_kernel: Any, k_bias: Any,
        v_kernel: Any, v_bias: Any, out_kernel: Any, out_bias: Any, num_heads: int) -> Any:
    """flax.nnx.MultiHeadAttention with its parameters assigned (nnx attribute assignment)."""
    from flax import nnx

    canon = {"q_kernel": q_kernel, "q_bias": q_bias, "k_kernel": k_kernel, "k_bias": k_bias, "v_kernel": v_kernel,
             "v_bias": v_bias, "out_kernel": out_kernel, "out_bias": out_bias}
    embed = q_kernel.shape[0]
    module = nnx.MultiHeadAttention(num_heads, embed, decode=False, param_dtype=q_kernel.dtype, rngs=nnx.Rngs(0))
    names = ["/".join(str(p) for p in path) for path, _ in nnx.to_flat_state(nnx.state(module, nnx.Param))]
    sizes = {"heads": num_heads, "head_dim": q_kernel.shape[1] // num_heads}
    for name, array in native_params(WEIGHTS["multi_head_attention"], "jax", canon, names, _ops(), sizes).items():
        sub, leaf = name.split("/")
        getattr(getattr(module, sub), leaf)[...] = array
    return module(query, key, value, mask=key_keep[:, None, None, :])


CUSTOM: dict[str, Callable[..., Any]] = {
    "linen_lstm": lstm, "linen_lstm_cell": functools.partial(lstm, cell=True),
    "linen_gru": gru, "linen_gru_cell": functools.partial(gru, cell=True),
    "linen_simple_rnn": simple_rnn, "linen_embedding_layer": embedding,
    "linen_dense_layer": dense, "linen_multi_head_attention": mha,
}


# Default initialisers and dropout (oracle/ops/stochastic.py), as a flax.nnx user writes them.
def _value(param: Any) -> Any:
    return param.get_value() if hasattr(param, "get_value") else param.value


def _nnx_lstm_kernel(input_size: int, units: int, gates: tuple[str, ...] = ("ii", "if_", "ig", "io")) -> Any:
    """The four gate kernels of flax.nnx.LSTMCell, each a parameter of its own, joined in gate order."""
    import jax.numpy as jnp
    from flax import nnx

    cell = nnx.LSTMCell(input_size, units, rngs=nnx.Rngs(0))
    return jnp.concatenate([_value(getattr(cell, g).kernel) for g in gates], axis=-1)


def _nnx_dropout(x: Any, rate: float, training: bool | None = None) -> Made:
    """`deterministic` is the negation of the case's `training`, passed only when pinned."""
    from flax import nnx

    call = f"flax.nnx.Dropout({rate!r}, rngs=flax.nnx.Rngs(0))"
    text = f"{call}({{x}})" if training is None else f"{call}({{x}}, deterministic={not training!r})"
    layer = as_made(lambda: nnx.Dropout(rate, rngs=nnx.Rngs(0)), text)
    y = as_made(lambda: layer(x) if training is None else layer(x, deterministic=not training), text)
    return Made(y, text, {"training": f"deterministic={layer.deterministic!r}"} if training is None else {})


def initial(module: str, parameter: str, spatial: int = 0, **sizes: int) -> Any:
    """flax.nnx.<module>(*sizes, rngs=flax.nnx.Rngs(0)).<parameter>'s value (a dotted path: dense_i.kernel), read as
    this flax version has it (get_value, else .value): one spelling would fail on the other versions the oracle
    compares. `spatial`: a convolution's kernel_size as the tuple flax takes, one entry per spatial axis (an int
    would be a 1-D kernel)."""
    from flax import nnx

    shaped: dict[str, int | tuple[int, ...]] = dict(sizes)
    if spatial:
        shaped["kernel_size"] = (sizes["kernel_size"],) * spatial
    built = getattr(nnx, module)(*shaped.values(), rngs=nnx.Rngs(0))
    return _value(functools.reduce(getattr, parameter.split("."), built))


CUSTOM.update({
    "nnx_default_dense_kernel": functools.partial(initial, "Linear", "kernel"),
    "nnx_default_embedding_table": functools.partial(initial, "Embed", "embedding"),
    "nnx_default_lstm_kernel": _nnx_lstm_kernel,
    "nnx_dropout_layer": _nnx_dropout,
})
