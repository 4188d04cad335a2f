"""The torch column's categorical sampler and default initialisers (oracle/ops/sampling.py): torch's global
generator, seeded inside fork_rng (a `with` block, adapters/torch_layers.py's _seeded) so the worker's own random
state is left as it was. The samplers that take a `generator` are declared expressions with a seeded one."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.torch_layers import initial, seeded

CUSTOM: dict[str, Callable[..., Any]] = {
    # Categorical.sample takes no generator: seeded as the initialisers are
    "torch_categorical_sample": functools.partial(seeded, "logits", "torch.distributions.Categorical(logits=logits)"
                                                  ".sample((num_samples,))"),
    "torch_default_conv2d_kernel": initial("Conv2d", "weight", ".permute(2, 3, 1, 0)"),
    "torch_default_conv1d_kernel": initial("Conv1d", "weight", ".permute(2, 1, 0)"),
    "torch_default_conv2d_bias": initial("Conv2d", "bias"),
    "torch_default_gru_kernel": initial("GRU", "weight_ih_l0", ".T"),
    "torch_default_dense_bias": initial("Linear", "bias"),
    "torch_default_lstm_recurrent_kernel": initial("LSTM", "weight_hh_l0", ".T"),
}
