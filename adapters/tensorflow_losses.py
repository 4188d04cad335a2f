"""The TensorFlow/Keras column's custom bindings of the loss and metric families (oracle/ops/losses.py,
metrics.py)."""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from oracle.native import Made, as_made, shown_call


def _keras_ctc_tnc(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
                   reduction: Any = None) -> Any:
    """keras.ops.ctc_loss is batch-major [N, T, C]; the case is torch's time-major [T, N, C]."""
    import keras

    per_sample = keras.ops.ctc_loss(targets, tf.transpose(log_probs, [1, 0, 2]), target_lengths, input_lengths)
    return {"mean": tf.math.reduce_mean, "sum": tf.math.reduce_sum}.get(reduction, lambda v: v)(per_sample)


def _keras_f1_sparse(preds: Any, target: Any, num_classes: int, average: Any = "framework") -> Made:
    """keras.metrics.F1Score takes one-hot targets; the case gives integer labels (converted, nothing else)."""
    import keras

    options = {} if average == "framework" else {"average": None if average == "none" else average}
    text = (f"metric = {shown_call('keras.metrics.F1Score', (), options)}; metric.update_state(tf.one_hot({{target}}, "
            f"{num_classes}, dtype={{preds}}.dtype), {{preds}}); metric.result()")
    metric = as_made(lambda: keras.metrics.F1Score(**options), text)
    as_made(lambda: metric.update_state(tf.one_hot(target, num_classes, dtype=preds.dtype), preds), text)
    defaults = {} if options else {"average": f"average={metric.average!r}"}
    return Made(as_made(metric.result, text), text, defaults)


CUSTOM: dict[str, Callable[..., Any]] = {"keras_ctc_tnc": _keras_ctc_tnc, "keras_f1_sparse": _keras_f1_sparse}
