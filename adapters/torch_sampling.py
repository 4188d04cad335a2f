"""The torch column's categorical sampler and default initialisers (oracle/ops/sampling.py): torch's global
generator, seeded inside fork_rng (a `with` block, adapters/torch_layers.py's _seeded) so the worker's own random
state is left as it was. The samplers that take a `generator` are declared expressions with a seeded one."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from adapters.torch_layers import _param, _seeded, initial


def _categorical(logits: Any, num_samples: int) -> Any:
    """Categorical.sample takes no generator: seeded inside torch.random.fork_rng (a `with` block an expression
    cannot hold), so the worker's random state is left alone."""
    return _seeded(lambda: torch.distributions.Categorical(logits=logits).sample((num_samples,)))


def _conv2d_kernel(in_channels: int, out_channels: int, kernel_size: int) -> Any:
    """torch.nn.Conv2d's weight built under seed 0 inside torch.random.fork_rng (a `with` block an expression cannot
    hold), permuted from [out, in, k, k] to the canonical [k, k, in, out]."""
    return _seeded(lambda: _param(torch.nn.Conv2d(in_channels, out_channels, kernel_size), "weight")).permute(
        2, 3, 1, 0)


CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_categorical_sample": _categorical,
    "torch_default_conv2d_kernel": _conv2d_kernel,
    "torch_default_dense_bias": functools.partial(initial, "Linear", "bias", False),
    "torch_default_lstm_recurrent_kernel": functools.partial(initial, "LSTM", "weight_hh_l0", True),
}
