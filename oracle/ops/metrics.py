"""Classification metrics, each a stateful object as users build them: update, then result.

Binary: a prediction is positive iff preds > threshold. The reference's 0/0 is NaN
(undefined); a column that returns 0 follows `zero_division_zero`.
"""

from __future__ import annotations

from oracle.ops.spec import Arg, Binding, Attr, construct, none, op, stateful, switch

ATTRS = {
    "task": Attr("str", "binary", choices=("binary", "multiclass")),
    "threshold": Attr("float", reference=0.5, low=0.0, high=1.0, doc="binary: positive iff preds > threshold"),
    "num_classes": Attr("int", nullable=True, low=1, reference=None),
}
ARGS = (Arg("preds", domain="probability"), Arg("target", domain="binary"))


def _counts(r, name, preds, target, task, threshold):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import Undefined

    if task != "binary":
        raise Undefined(f"the reference defines {name} for task=binary only")
    p, t = r.operands(name, preds, target)
    xp = r.xp
    positive, actual = p > threshold, t == 1
    return (xp.sum(positive & actual), xp.sum(positive & ~actual), xp.sum(~positive & actual),
            xp.sum(~positive & ~actual))


def _precision(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, fp, _, _ = _counts(r, "precision", preds, target, task, threshold)
    return r.ratio(tp * 1.0, tp + fp * 1.0)


def _recall(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, _, fn, _ = _counts(r, "recall", preds, target, task, threshold)
    return r.ratio(tp * 1.0, tp + fn * 1.0)


def _f1(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, fp, fn, _ = _counts(r, "f1", preds, target, task, threshold)
    return r.ratio(2.0 * tp, 2.0 * tp + fp + fn)


def _accuracy(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    xp = r.xp
    if task == "multiclass":
        if preds.ndim != target.ndim + 1:
            from oracle.ops.refctx import ShapeMismatch

            raise ShapeMismatch(f"multiclass accuracy needs preds [N, C] and target [N], got "
                                f"{list(preds.shape)} and {list(target.shape)}")
        return xp.mean(xp.argmax(preds, axis=-1) == target) * 1.0
    tp, fp, fn, tn = _counts(r, "accuracy", preds, target, task, threshold)
    return (tp + tn) / (tp + fp + fn + tn * 1.0)


def _torchmetric(cls: str) -> Binding:
    """torchmetrics.classification.<cls>(task=...), called on (preds, target) as its documentation does."""
    return construct(f"torchmetrics.classification.{cls}", task="task", threshold="threshold",
                     num_classes="num_classes")


def _keras(cls: str, threshold: str) -> Binding:
    return stateful(f"keras.metrics.{cls}", update="update_state", result="result", args=("target", "preds"),
                    infers=("num_classes",), threshold=threshold)


def _flax(cls: str) -> Binding:
    return stateful(cls, update="update", result="compute", args=("labels=target", "logits=preds"),
                    infers=("num_classes",), threshold="threshold")


_NO_MULTICLASS_KERAS = "keras.metrics.{} has no multiclass averaging for integer labels"

OPS = [
    op("precision", "metric", ARGS, "tp / (tp + fp); 0/0 is NaN", _precision, attrs=ATTRS,
       alternatives=("zero_division_zero",),
       torch=_torchmetric("Precision"),
       tensorflow=switch("task", binary=_keras("Precision", "thresholds"),
                         multiclass=none(_NO_MULTICLASS_KERAS.format("Precision"))),
       jax=switch("task", binary=_flax("flax_metrics.Precision"), multiclass=none("flax_metrics.Precision is binary only"))),
    op("recall", "metric", ARGS, "tp / (tp + fn); 0/0 is NaN", _recall, attrs=ATTRS,
       alternatives=("zero_division_zero",),
       torch=_torchmetric("Recall"),
       tensorflow=switch("task", binary=_keras("Recall", "thresholds"),
                         multiclass=none(_NO_MULTICLASS_KERAS.format("Recall"))),
       jax=switch("task", binary=_flax("flax_metrics.Recall"), multiclass=none("flax_metrics.Recall is binary only"))),
    op("f1", "metric", ARGS, "2 tp / (2 tp + fp + fn); 0/0 is NaN", _f1, attrs=ATTRS,
       alternatives=("zero_division_zero",),
       torch=_torchmetric("F1Score"),
       tensorflow=switch("task", binary=_keras("F1Score", "threshold"),
                         multiclass=none("keras.metrics.F1Score needs one-hot targets, not integer labels")),
       jax=switch("task", binary=_flax("flax_metrics.F1Score"), multiclass=none("flax_metrics.F1Score is binary only"))),
    op("accuracy", "metric", ARGS, "share of correct predictions; binary: (preds > threshold) == target; "
       "multiclass: argmax of preds over the last axis == target", _accuracy, attrs=ATTRS,
       torch=_torchmetric("Accuracy"),
       tensorflow=switch("task", binary=_keras("BinaryAccuracy", "threshold"),
                         multiclass=stateful("keras.metrics.SparseCategoricalAccuracy", update="update_state",
                                             result="result", args=("target", "preds"), infers=("num_classes",))),
       jax=switch("task", binary=_flax("flax.nnx:metrics.Accuracy"),
                  multiclass=stateful("flax.nnx:metrics.Accuracy", update="update", result="compute",
                                      args=("logits=preds", "labels=target"), infers=("num_classes",)))),
]
