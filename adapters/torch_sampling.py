"""The torch column's samplers and default initialisers (oracle/ops/sampling.py): torch's global generator,
seeded inside fork_rng so the worker's own random state is left as it was."""

from __future__ import annotations

from typing import Any, Callable

import torch

from adapters.torch_layers import _param, _seeded

CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_categorical_sample": lambda logits, num_samples: _seeded(
        lambda: torch.distributions.Categorical(logits=logits).sample((num_samples,))),
    # replacement is torch's own default (False): more samples than classes raise, as users meet it
    "torch_multinomial_sample": lambda probs, num_samples: _seeded(lambda: torch.multinomial(probs, num_samples)),
    "torch_normal_sample": lambda num_samples, mean, std: _seeded(lambda: torch.normal(mean, std, (num_samples,))),
    "torch_uniform_sample": lambda num_samples, low, high: _seeded(
        lambda: torch.empty(num_samples).uniform_(low, high)),
    "torch_truncated_normal_sample": lambda num_samples, std: _seeded(
        lambda: torch.nn.init.trunc_normal_(torch.empty(num_samples), std=std)),
    "torch_default_conv2d_kernel": lambda in_channels, out_channels, kernel_size: _seeded(
        lambda: _param(torch.nn.Conv2d(in_channels, out_channels, kernel_size), "weight").permute(2, 3, 1, 0)),
    "torch_default_dense_bias": lambda in_features, out_features: _seeded(
        lambda: _param(torch.nn.Linear(in_features, out_features), "bias")),
    "torch_default_lstm_recurrent_kernel": lambda input_size, units: _seeded(
        lambda: _param(torch.nn.LSTM(input_size, units), "weight_hh_l0").T),
}
