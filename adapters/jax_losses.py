"""The JAX column's custom bindings of the loss family (oracle/ops/losses.py)."""

from __future__ import annotations

from typing import Any, Callable


def _optax_ctc_tnc(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
                   reduction: Any = None) -> Any:
    """optax.losses.ctc_loss is batch-major and takes paddings, not lengths; the case is torch's [T, N, C]."""
    import jax.numpy as jnp
    import optax

    logits = jnp.transpose(log_probs, (1, 0, 2))
    logit_paddings = (jnp.arange(logits.shape[1])[None, :] >= input_lengths[:, None]).astype(logits.dtype)
    label_paddings = (jnp.arange(targets.shape[1])[None, :] >= target_lengths[:, None]).astype(logits.dtype)
    per_sample = optax.losses.ctc_loss(logits, logit_paddings, targets, label_paddings)
    return {"mean": jnp.mean, "sum": jnp.sum}.get(reduction, lambda v: v)(per_sample)


CUSTOM: dict[str, Callable[..., Any]] = {"optax_ctc_tnc": _optax_ctc_tnc}
