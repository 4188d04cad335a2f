"""The JAX column's layers from canonical weights (oracle/ops/weighted.py): flax.linen modules applied to the
mapped weights (Module.apply with a params tree), so jax.grad reaches the canonical ones."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any, Callable

from adapters.layer_spec import PINNED, Layer
from oracle.native import Made, as_made
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS


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


def layer(spec: Layer, *args: Any, **attrs: Any) -> Any:
    """One idiom for every flax layer op, its differences data (adapters/layer_spec.py): the module built as the
    spec's expression says and run with the canonical weights mapped onto its own, so jax.grad reaches the
    canonical ones: a flax.linen module applied (Module.apply) to that parameter tree (its shapes from
    jax.eval_shape of init), a flax.nnx module with its parameters assigned (nnx attribute assignment)."""
    def call(weights: str, values: dict[str, Any], sizes: dict[str, Any]) -> Callable[..., Any]:
        mapping = WEIGHTS[weights]
        canon = {name: values[name] for name in mapping.canonical if name in values}

        def run(module: Any, x: Any, *inputs: Any, **kwargs: Any) -> Any:
            import jax
            from flax import nnx

            if isinstance(module, nnx.Module):
                state = nnx.to_flat_state(nnx.state(module, nnx.Param))
                names = ["/".join(str(p) for p in path) for path, _ in state]
                for name, array in native_params(mapping, "jax", canon, names, _ops(), sizes or None).items():
                    *subs, leaf = name.split("/")
                    getattr(functools.reduce(getattr, subs, module), leaf)[...] = array
                return module(x, *inputs, **kwargs)
            if spec.state:  # every collection, named collection/path; those beside params mutable and returned
                every = jax.eval_shape(lambda: module.init(jax.random.PRNGKey(0), x, *inputs, **kwargs))
                names = [f"{collection}/{name}" for collection in every for name in _flat(every[collection])]
                variables = _nested(native_params(mapping, "jax", canon, names, _ops(), sizes or None))
                return module.apply(variables, x, *inputs, mutable=[c for c in variables if c != "params"], **kwargs)
            shapes = jax.eval_shape(lambda: module.init(jax.random.PRNGKey(0), x, *inputs, **kwargs))["params"]
            shapes = shapes[spec.scope] if spec.scope else shapes
            tree = _nested(native_params(mapping, "jax", canon, _flat(shapes), _ops(), sizes or None))
            return module.apply({"params": {spec.scope: tree} if spec.scope else tree}, x, *inputs, **kwargs)
        return run

    return spec.run(args, attrs, call)


_CELL = "flax.linen.{cls}(recurrent_kernel.shape[0], param_dtype=recurrent_kernel.dtype)"
_RNN = f"flax.linen.RNN({_CELL})"
_RNN_ARGS = "kernel recurrent_kernel bias_ih bias_hh"
_GRU = ("reset_after", False, "flax.linen.GRUCell has one convention, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) "
        "(reset_after=True); it has no option for reset_after=False")
LAYERS: dict[str, Layer] = {
    # flax's LSTM carry is (c, h)
    "linen_lstm": Layer(f"x h0 c0 {_RNN_ARGS}", f"out = run({_RNN.format(cls='LSTMCell')}, x, initial_carry=(c0, h0), "
                        "return_carry=True); (out[1], out[0][1], out[0][0])", "lstm", scope="cell"),
    "linen_gru": Layer(f"x h0 {_RNN_ARGS}", f"out = run({_RNN.format(cls='GRUCell')}, x, initial_carry=h0, "
                       "return_carry=True); (out[1], out[0])", "gru", scope="cell", refuse=(_GRU,)),
    # one step: flax's cell takes (carry, inputs) and returns (new carry, output); an LSTM cell's carry is (c, h)
    "linen_lstm_cell": Layer(f"x h0 c0 {_RNN_ARGS}", f"out = run({_CELL.format(cls='LSTMCell')}, (c0, h0), x); "
                             "(out[0][1], out[0][0])", "lstm_cell"),
    "linen_gru_cell": Layer(f"x h0 {_RNN_ARGS}", f"run({_CELL.format(cls='GRUCell')}, h0, x)[0]", "gru_cell"),
    "linen_simple_rnn": Layer(f"x h0 {_RNN_ARGS}", f"out = run({_RNN.format(cls='SimpleCell')}, x, initial_carry=h0, "
                              "return_carry=True); (out[1], out[0])", "simple_rnn", scope="cell"),
    "linen_embedding_layer": Layer("ids table", "run(flax.linen.Embed(table.shape[0], table.shape[1], "
                                   "param_dtype=table.dtype), ids)", "embedding_layer",
                                   refuse=(("padding_idx", PINNED, "flax.linen.Embed has no padding_idx"),)),
    "linen_multi_head_attention": Layer(
        "query key value key_keep q_kernel q_bias k_kernel k_bias v_kernel v_bias out_kernel out_bias",
        "m = flax.nnx.MultiHeadAttention(num_heads, q_kernel.shape[0], decode=False, param_dtype=q_kernel.dtype, "
        "rngs=flax.nnx.Rngs(0)); run(m, query, key, value, mask=key_keep[:, None, None, :])", "multi_head_attention",
        sizes=(("heads", "num_heads"), ("head_dim", "q_kernel.shape[1] // num_heads"))),
    "linen_dense_layer": Layer("x kernel bias", "run(flax.linen.Dense(kernel.shape[1], param_dtype=kernel.dtype), x)",
                               "dense_layer"),
}
CUSTOM: dict[str, Callable[..., Any]] = {name: functools.partial(layer, spec) for name, spec in LAYERS.items()}


# Default initialisers and dropout (oracle/ops/stochastic.py), as a flax.nnx user writes them.
def _value(param: Any) -> Any:
    return param.get_value() if hasattr(param, "get_value") else param.value


def _nnx_dropout(x: Any, rate: float, training: bool | None = None) -> Made:
    """`deterministic` is the negation of the case's `training`, passed only when pinned."""
    from flax import nnx

    call = f"flax.nnx.Dropout({rate!r}, rngs=flax.nnx.Rngs(0))"
    text = f"{call}({{x}})" if training is None else f"{call}({{x}}, deterministic={not training!r})"
    layer = as_made(lambda: nnx.Dropout(rate, rngs=nnx.Rngs(0)), text)
    y = as_made(lambda: layer(x) if training is None else layer(x, deterministic=not training), text)
    return Made(y, text, {"training": f"deterministic={layer.deterministic!r}"} if training is None else {})


def initial(module: str, parameters: tuple[str, ...], *, square: tuple[str, ...] = (), rank: int = 2,
            **sizes: int | tuple[int, ...]) -> Any:
    """flax.nnx.<module>(*sizes, rngs=flax.nnx.Rngs(0)) and each parameter's value (a path: ii.kernel) read as this
    flax version has it (get_value, else .value): one spelling would fail on the other versions the oracle
    compares; several (an LSTM cell's gate kernels, each a parameter of its own) joined along the last axis in
    gate order; the `square` sizes passed as `rank` equal entries (a Conv's kernel_size: a 1-D one's (k,), a 2-D
    one's (k, k))."""
    import jax.numpy as jnp
    from flax import nnx

    built = getattr(nnx, module)(*((v,) * rank if k in square else v for k, v in sizes.items()), rngs=nnx.Rngs(0))
    values = [_value(functools.reduce(getattr, path.split("."), built)) for path in parameters]
    return values[0] if len(values) == 1 else jnp.concatenate(values, axis=-1)


CUSTOM.update({
    "nnx_default_dense_kernel": functools.partial(initial, "Linear", ("kernel",)),
    "nnx_default_embedding_table": functools.partial(initial, "Embed", ("embedding",)),
    "nnx_default_lstm_kernel": functools.partial(initial, "LSTMCell", ("ii.kernel", "if_.kernel", "ig.kernel",
                                                                       "io.kernel")),
    "nnx_dropout_layer": _nnx_dropout,
})
