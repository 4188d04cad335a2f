"""The torch column's categorical sampler and default initialisers (oracle/ops/sampling.py): torch's global
generator, seeded inside fork_rng (a `with` block, adapters/torch_layers.py's _seeded) so the worker's own random
state is left as it was. The samplers that take a `generator` are declared expressions with a seeded one."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from adapters.torch_layers import _seeded, initial


def _categorical(logits: Any, num_samples: int) -> Any:
    """Categorical.sample takes no generator: seeded inside torch.random.fork_rng (a `with` block an expression
    cannot hold), so the worker's random state is left alone."""
    return _seeded(lambda: torch.distributions.Categorical(logits=logits).sample((num_samples,)))


CUSTOM: dict[str, Callable[..., Any]] = {
    "torch_categorical_sample": _categorical,
    "torch_default_conv2d_kernel": functools.partial(initial, "Conv2d", "weight", (2, 3, 1, 0)),
    "torch_default_dense_bias": functools.partial(initial, "Linear", "bias", None),
    "torch_default_lstm_recurrent_kernel": functools.partial(initial, "LSTM", "weight_hh_l0", (1, 0)),
}
