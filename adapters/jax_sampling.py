"""The JAX column's default initialisers (oracle/ops/sampling.py): flax.nnx layers built with Rngs(0), as their
users write them (the jax.random samplers are declared expressions)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.jax_layers import initial

CUSTOM: dict[str, Callable[..., Any]] = {
    "nnx_default_conv2d_kernel": functools.partial(initial, "Conv", ("kernel",), square=("kernel_size",)),
    "nnx_default_conv1d_kernel": functools.partial(initial, "Conv", ("kernel",), square=("kernel_size",), rank=1),
    "nnx_default_conv2d_bias": functools.partial(initial, "Conv", ("bias",), square=("kernel_size",)),
    "nnx_default_gru_kernel": functools.partial(initial, "GRUCell", ("dense_i.kernel",)),
    "nnx_default_dense_bias": functools.partial(initial, "Linear", ("bias",)),
    "nnx_default_lstm_recurrent_kernel": functools.partial(initial, "LSTMCell", ("hi.kernel", "hf.kernel", "hg.kernel",
                                                                                 "ho.kernel")),
}
