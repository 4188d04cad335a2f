"""The JAX column's samplers and default initialisers (oracle/ops/sampling.py): jax.random with key(0), flax.nnx
layers built with Rngs(0), as their users write them."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.jax_layers import _value, initial


def _key() -> Any:
    import jax

    return jax.random.key(0)


def _random() -> Any:
    import jax

    return jax.random


def _lstm_recurrent(input_size: int, units: int) -> Any:
    import jax.numpy as jnp
    from flax import nnx

    cell = nnx.LSTMCell(input_size, units, rngs=nnx.Rngs(0))
    return jnp.concatenate([_value(g.kernel) for g in (cell.hi, cell.hf, cell.hg, cell.ho)], axis=-1)


CUSTOM: dict[str, Callable[..., Any]] = {
    "jax_categorical_sample": lambda logits, num_samples: _random().categorical(_key(), logits,
                                                                                 shape=(num_samples,)),
    "jax_multinomial_sample": lambda probs, num_samples: _random().choice(_key(), probs.shape[0],
                                                                           shape=(num_samples,), p=probs),
    "jax_normal_sample": lambda num_samples, mean, std: mean + std * _random().normal(_key(), (num_samples,)),
    "jax_uniform_sample": lambda num_samples, low, high: _random().uniform(_key(), (num_samples,), minval=low,
                                                                           maxval=high),
    "jax_truncated_normal_sample": lambda num_samples, std: std * _random().truncated_normal(
        _key(), -2.0, 2.0, (num_samples,)),
    "nnx_default_conv2d_kernel": lambda in_channels, out_channels, kernel_size: initial(
        "Conv", "kernel", in_features=in_channels, out_features=out_channels, kernel_size=(kernel_size, kernel_size)),
    "nnx_default_dense_bias": functools.partial(initial, "Linear", "bias"),
    "nnx_default_lstm_recurrent_kernel": _lstm_recurrent,
}
