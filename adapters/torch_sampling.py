"""The torch column's samplers and default initialisers (oracle/ops/sampling.py): torch's global generator,
seeded inside fork_rng (a `with` block, in adapters/torch_layers.py's _seeded) so the worker's own random state is
left as it was."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from adapters.torch_layers import _param, _seeded, initial


def _categorical(logits: Any, num_samples: int) -> Any:
    """torch.distributions.Categorical(logits=logits).sample((num_samples,)), seeded inside torch.random.fork_rng
    (a `with` block an expression cannot hold), so the worker's random state is left alone."""
    return _seeded(lambda: torch.distributions.Categorical(logits=logits).sample((num_samples,)))


def _multinomial(probs: Any, num_samples: int) -> Any:
    """torch.multinomial(probs, num_samples) seeded inside torch.random.fork_rng (a `with` block an expression
    cannot hold); replacement is torch's own default (False): more samples than classes raise, as users meet it."""
    return _seeded(lambda: torch.multinomial(probs, num_samples))


def _normal(num_samples: int, mean: float, std: float) -> Any:
    """torch.normal(mean, std, (num_samples,)) seeded inside torch.random.fork_rng (a `with` block an expression
    cannot hold), so the worker's random state is left alone."""
    return _seeded(lambda: torch.normal(mean, std, (num_samples,)))


def _uniform(num_samples: int, low: float, high: float) -> Any:
    """torch.empty(num_samples).uniform_(low, high) seeded inside torch.random.fork_rng (a `with` block an
    expression cannot hold), so the worker's random state is left alone."""
    return _seeded(lambda: torch.empty(num_samples).uniform_(low, high))


def _truncated_normal(num_samples: int, std: float) -> Any:
    """torch.nn.init.trunc_normal_(torch.empty(num_samples), std=std) seeded inside torch.random.fork_rng (a `with`
    block an expression cannot hold), so the worker's random state is left alone."""
    return _seeded(lambda: torch.nn.init.trunc_normal_(torch.empty(num_samples), std=std))


def _conv2d_kernel(in_channels: int, out_channels: int, kernel_size: int) -> Any:
    """torch.nn.Conv2d's weight built under seed 0 inside torch.random.fork_rng (a `with` block an expression cannot
    hold), permuted from [out, in, k, k] to the canonical [k, k, in, out]."""
    return _seeded(lambda: _param(torch.nn.Conv2d(in_channels, out_channels, kernel_size), "weight")).permute(
        2, 3, 1, 0)


CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_categorical_sample": _categorical,
    "torch_multinomial_sample": _multinomial,
    "torch_normal_sample": _normal,
    "torch_uniform_sample": _uniform,
    "torch_truncated_normal_sample": _truncated_normal,
    "torch_default_conv2d_kernel": _conv2d_kernel,
    "torch_default_dense_bias": functools.partial(initial, "Linear", "bias", False),
    "torch_default_lstm_recurrent_kernel": functools.partial(initial, "LSTM", "weight_hh_l0", True),
}
