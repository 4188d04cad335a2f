"""The JAX column's default initialisers (oracle/ops/sampling.py): flax.nnx layers built with Rngs(0), as their
users write them (the jax.random samplers are declared expressions)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.jax_layers import _nnx_lstm_kernel, initial


def _conv2d_kernel(in_channels: int, out_channels: int, kernel_size: int) -> Any:
    """flax.nnx.Conv's kernel read as this flax version has it (see initial): one spelling fails on the others."""
    return initial("Conv", "kernel", in_features=in_channels, out_features=out_channels,
                   kernel_size=(kernel_size, kernel_size))


CUSTOM: dict[str, Callable[..., Any]] = {
    "nnx_default_conv2d_kernel": _conv2d_kernel,
    "nnx_default_dense_bias": functools.partial(initial, "Linear", "bias"),
    "nnx_default_lstm_recurrent_kernel": functools.partial(_nnx_lstm_kernel, gates=("hi", "hf", "hg", "ho")),
}
