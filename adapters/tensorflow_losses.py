"""The TensorFlow/Keras column's custom bindings of the loss and metric families (oracle/ops/losses.py,
metrics.py)."""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf


def _keras_ctc_tnc(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
                   reduction: Any = None) -> Any:
    """keras.ops.ctc_loss is batch-major [N, T, C]; the case is torch's time-major [T, N, C]."""
    import keras

    per_sample = keras.ops.ctc_loss(targets, tf.transpose(log_probs, [1, 0, 2]), target_lengths, input_lengths)
    return {"mean": tf.math.reduce_mean, "sum": tf.math.reduce_sum}.get(reduction, lambda v: v)(per_sample)


def _keras_f1_sparse(preds: Any, target: Any, num_classes: int, average: Any = "framework") -> Any:
    """keras.metrics.F1Score takes one-hot targets; the case gives integer labels (converted, nothing else)."""
    import keras

    options = {} if average == "framework" else {"average": None if average == "none" else average}
    metric = keras.metrics.F1Score(**options)
    metric.update_state(tf.one_hot(target, num_classes, dtype=preds.dtype), preds)
    return metric.result()


CUSTOM: dict[str, Callable[..., Any]] = {"keras_ctc_tnc": _keras_ctc_tnc, "keras_f1_sparse": _keras_f1_sparse}
