"""Classification metrics, each a stateful object as users build them: update, then result.

Binary: a prediction is positive iff preds > threshold. The reference's 0/0 is NaN
(undefined); a column that returns 0 follows `zero_division_zero`.
"""

from __future__ import annotations

from oracle.ops.spec import REQUIRED, Arg, Attr, Binding, Fixed, call, construct, custom, fix, none, op, stateful, switch

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


def _flax(cls: str, **fixed: Fixed) -> Binding:
    return stateful(cls, update="update", result="compute", args=("labels=target", "logits=preds"),
                    infers=("num_classes",), threshold="threshold", fixed=dict(fixed))


# flax.nnx.metrics.Accuracy is multiclass (argmax) without a threshold: the binary op must pass one
FLAX_BINARY = fix(0.5, "flax.nnx.metrics.Accuracy is binary only with a threshold (without one it takes the "
                       "argmax of multiclass logits); 0.5 is the op's stated threshold; a pinned threshold replaces it")


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
       jax=switch("task", binary=_flax("flax.nnx:metrics.Accuracy", threshold=FLAX_BINARY),
                  multiclass=stateful("flax.nnx:metrics.Accuracy", update="update", result="compute",
                                      args=("logits=preds", "labels=target"), infers=("num_classes",)))),
]


# ---- multiclass, ranking, segmentation and regression metrics ----

NUM_CLASSES = Attr("int", REQUIRED, low=1, doc="number of classes (torchmetrics and Keras need it)")
AVERAGE = Attr("str", choices=("micro", "macro", "weighted", "none"), reference="macro",
               doc="how per-class scores combine; the reference uses macro when unpinned")
SCORES = (Arg("preds", domain="probability"), Arg("target", "tensor", "index"))
NO_FLAX = "flax_metrics and flax.nnx.metrics have no {}"


def _labels_in_range(r, name, labels, num_classes):  # type: ignore[no-untyped-def]
    values = r.concrete(labels)
    if values.size and (values.min() < 0 or values.max() >= num_classes):
        raise IndexError(f"{name}: labels must lie in [0, {num_classes})")


def _per_class(r, preds, target, num_classes):  # type: ignore[no-untyped-def]
    _labels_in_range(r, "target", target, num_classes)
    xp = r.xp
    if preds.ndim != target.ndim + 1 or preds.shape[-1] != num_classes:
        from oracle.ops.refctx import ShapeMismatch

        raise ShapeMismatch(f"needs preds [N, {num_classes}] and target [N], got {list(preds.shape)} and "
                            f"{list(target.shape)}")
    eye = xp.eye(num_classes)
    p = eye[xp.argmax(preds, axis=-1)]
    t = eye[target]
    tp = xp.sum(p * t, axis=0)
    return tp, xp.sum(p * (1 - t), axis=0), xp.sum((1 - p) * t, axis=0), xp.sum(t, axis=0)


def _safe_ratio(r, num, den):  # type: ignore[no-untyped-def]
    xp = r.xp
    fill = 0.0 if r.follows("zero_division_zero") else xp.nan
    return xp.where(den == 0, fill, num / xp.where(den == 0, 1.0, den))


def _averaged(r, num, den, support, average, predicted=None):  # type: ignore[no-untyped-def]
    xp = r.xp
    if average == "micro":
        return _safe_ratio(r, xp.sum(num), xp.sum(den))
    per = _safe_ratio(r, num, den)
    if average == "none":
        return per
    if average == "weighted":
        return xp.sum(per * support) / xp.sum(support)
    if r.follows("macro_skips_absent") and predicted is not None:
        present = (support + predicted) > 0
        r.note(f"macro average over the {int(r.concrete(present).sum())} classes present")
        return xp.sum(xp.where(present, per, 0.0)) / xp.sum(present)
    return xp.mean(per)


def _mc_precision(r, preds, target, num_classes, average):  # type: ignore[no-untyped-def]
    tp, fp, _, support = _per_class(r, preds, target, num_classes)
    return _averaged(r, tp, tp + fp, support, average, tp + fp)


def _mc_recall(r, preds, target, num_classes, average):  # type: ignore[no-untyped-def]
    tp, fp, fn, support = _per_class(r, preds, target, num_classes)
    return _averaged(r, tp, tp + fn, support, average, tp + fp)


def _mc_f1(r, preds, target, num_classes, average):  # type: ignore[no-untyped-def]
    tp, fp, fn, support = _per_class(r, preds, target, num_classes)
    return _averaged(r, 2 * tp, 2 * tp + fp + fn, support, average, tp + fp)


def _top_k(r, preds, target, num_classes, k, average):  # type: ignore[no-untyped-def]
    _labels_in_range(r, "target", target, preds.shape[-1])
    xp = r.xp
    true_score = xp.sum(xp.eye(preds.shape[-1])[target] * preds, axis=-1)
    hit = xp.sum(preds > true_score[..., None], axis=-1) < k
    if average == "micro":
        return xp.mean(hit) * 1.0
    # macro: each class's share of its samples hit, then the mean over classes
    t = xp.eye(preds.shape[-1])[target]
    in_top_k = (xp.sum(preds[:, None, :] > preds[:, :, None], axis=-1) < k) * 1.0  # [N, C]: class c in the top k
    return _averaged(r, (hit * 1.0) @ t, xp.sum(t, axis=0), xp.sum(t, axis=0), "macro", xp.sum(in_top_k, axis=0))


def _auroc(r, preds, target):  # type: ignore[no-untyped-def]
    xp = r.xp
    pos = target == 1
    diff = preds[:, None] - preds[None, :]
    pair = (pos[:, None] & ~pos[None, :]) * 1.0
    wins = xp.where(diff > 0, 1.0, xp.where(diff == 0, 0.5, 0.0))
    return xp.sum(wins * pair) / xp.sum(pair)


def _average_precision(r, preds, target):  # type: ignore[no-untyped-def]
    xp = r.xp
    pos = (target == 1) * 1.0
    at_or_above = (preds[None, :] >= preds[:, None]) * 1.0  # row i: samples scored >= preds[i]
    tp = at_or_above @ pos
    precision = tp / xp.sum(at_or_above, axis=1)
    # each positive sample contributes the precision at its own threshold (ties share it)
    return xp.sum(pos * precision) / xp.sum(pos)


def _mean_iou(r, preds, target, num_classes):  # type: ignore[no-untyped-def]
    _labels_in_range(r, "preds", preds, num_classes)
    _labels_in_range(r, "target", target, num_classes)
    xp = r.xp
    eye = xp.eye(num_classes)
    p, t = eye[preds], eye[target]
    inter = xp.sum(p * t, axis=0)
    union = xp.sum(p, axis=0) + xp.sum(t, axis=0) - inter
    present = union > 0
    return xp.sum(xp.where(present, inter / xp.where(present, union, 1.0), 0.0)) / xp.sum(present)


def _confusion(r, preds, target, num_classes):  # type: ignore[no-untyped-def]
    _labels_in_range(r, "preds", preds, num_classes)
    _labels_in_range(r, "target", target, num_classes)
    eye = r.xp.eye(num_classes)
    return (eye[target].T @ eye[preds]).astype("int64")


def _mae(r, preds, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("mae_metric", preds, target)
    return r.xp.mean(r.xp.abs(p - t))


def _mse(r, preds, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("mse_metric", preds, target)
    return r.xp.mean((p - t) ** 2)


def _r2(r, preds, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("r2_score", preds, target)
    xp = r.xp
    return 1 - xp.sum((t - p) ** 2) / xp.sum((t - xp.mean(t)) ** 2)


def _log_loss(r, preds, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("log_loss", preds, target)
    return -r.xp.mean(r.special.xlogy(t, p) + r.special.xlogy(1 - t, 1 - p))


def _tm(cls: str, **attrs) -> Binding:  # type: ignore[no-untyped-def]
    return construct(f"torchmetrics.classification.{cls}", num_classes="num_classes", **attrs)


OPS += [
    op("top_k_accuracy", "metric", SCORES, "share of samples whose target's score is among the k highest "
       "(strictly fewer than k classes score higher); average=macro: that share per class, then the mean over "
       "classes (0/0 is NaN)", _top_k,
       attrs={"num_classes": NUM_CLASSES, "k": Attr("int", low=1, reference=1,
                                                    doc="the reference uses k = 1 when unpinned"),
              "average": Attr("str", "micro", choices=("micro", "macro"),
                              doc="micro (share of samples) is the op's meaning and is passed when unpinned; "
                                  "torchmetrics' own default is macro")},
       conventions="ties: a sample counts when fewer than k other classes score strictly higher",
       alternatives=("zero_division_zero", "macro_skips_absent"),
       torch=_tm("MulticlassAccuracy", k="top_k", average="average"),
       tensorflow=switch("average", micro=stateful("keras.metrics.SparseTopKCategoricalAccuracy",
                                                   update="update_state", result="result", args=("target", "preds"),
                                                   infers=("num_classes",), k="k"),
                         macro=none("keras.metrics.SparseTopKCategoricalAccuracy has no per-class averaging")),
       jax=none(NO_FLAX.format("top-k accuracy for class scores"))),
    op("multiclass_precision", "metric", SCORES, "per-class precision of argmax predictions, then `average`; "
       "0/0 is NaN", _mc_precision, attrs={"num_classes": NUM_CLASSES, "average": AVERAGE},
       alternatives=("zero_division_zero", "macro_skips_absent"),
       torch=_tm("MulticlassPrecision", average="average"),
       tensorflow=none("keras.metrics.Precision is binary (or multi-label) only"),
       jax=none("flax_metrics.Precision is binary only")),
    op("multiclass_recall", "metric", SCORES, "per-class recall of argmax predictions, then `average`; 0/0 is NaN",
       _mc_recall, attrs={"num_classes": NUM_CLASSES, "average": AVERAGE}, alternatives=("zero_division_zero", "macro_skips_absent"),  # noqa: E501
       torch=_tm("MulticlassRecall", average="average"),
       tensorflow=none("keras.metrics.Recall is binary (or multi-label) only"),
       jax=none("flax_metrics.Recall is binary only")),
    op("multiclass_f1", "metric", SCORES, "per-class F1 = 2tp / (2tp + fp + fn) of argmax predictions, then "
       "`average`; 0/0 is NaN", _mc_f1, attrs={"num_classes": NUM_CLASSES, "average": AVERAGE},
       alternatives=("zero_division_zero", "macro_skips_absent"),
       torch=_tm("MulticlassF1Score", average="average"),
       tensorflow=custom("keras_f1_sparse", "keras.metrics.F1Score(average=...).update_state(one_hot({target}), "
                         "{preds}); result()"),
       jax=none("flax_metrics.F1Score is binary only")),
    op("auroc", "metric", (Arg("preds", domain="probability"), Arg("target", domain="binary")),
       "exact area under the ROC curve: share of (positive, negative) pairs ranked correctly, ties count 1/2",
       _auroc,
       torch=construct("torchmetrics.classification.BinaryAUROC"),
       tensorflow=stateful("keras.metrics.AUC", update="update_state", result="result", args=("target", "preds")),
       jax=none(NO_FLAX.format("AUROC"))),
    op("average_precision", "metric", (Arg("preds", domain="probability"), Arg("target", domain="binary")),
       "area under the precision-recall curve as average precision: mean over positives of the precision "
       "at their score (step-wise, no interpolation)", _average_precision,
       torch=construct("torchmetrics.classification.BinaryAveragePrecision"),
       tensorflow=stateful("keras.metrics.AUC", update="update_state", result="result", args=("target", "preds"),
                           fixed={"curve": fix("PR", "average precision is the area under the precision-recall curve; "
                                                    "keras.metrics.AUC's default curve is ROC")}),
       jax=none(NO_FLAX.format("average precision on scores"))),
    op("mean_iou", "metric", (Arg("preds", "tensor", "index"), Arg("target", "tensor", "index")),
       "mean over classes of intersection / union of predicted and true labels; classes absent from both are "
       "left out of the mean; labels outside [0, num_classes) raise IndexError", _mean_iou, attrs={"num_classes": NUM_CLASSES},  # noqa: E501
       torch=_tm("MulticlassJaccardIndex"),
       tensorflow=stateful("keras.metrics.MeanIoU", update="update_state", result="result", args=("target", "preds"),
                           num_classes="num_classes"),
       jax=none(NO_FLAX.format("IoU"))),
    op("confusion_matrix", "metric", (Arg("preds", "tensor", "index"), Arg("target", "tensor", "index")),
       "[num_classes, num_classes] counts, rows = true class, columns = predicted class", _confusion,
       attrs={"num_classes": NUM_CLASSES},
       torch=_tm("MulticlassConfusionMatrix"),
       tensorflow=call("tf.math.confusion_matrix", args=("target", "preds"), num_classes="num_classes"),
       jax=none(NO_FLAX.format("confusion matrix"))),
    op("mae_metric", "metric", "preds target", "mean |preds - target| over all elements", _mae,
       alternatives=("broadcast", "align_ranks"),
       torch=construct("torchmetrics.MeanAbsoluteError"),
       tensorflow=stateful("keras.metrics.MeanAbsoluteError", update="update_state", result="result",
                           args=("target", "preds")),
       jax=stateful("flax_metrics.MeanAbsoluteError", update="update", result="compute", args=("target", "preds"))),
    op("mse_metric", "metric", "preds target", "mean (preds - target)^2 over all elements", _mse,
       alternatives=("broadcast", "align_ranks"),
       torch=construct("torchmetrics.MeanSquaredError"),
       tensorflow=stateful("keras.metrics.MeanSquaredError", update="update_state", result="result",
                           args=("target", "preds")),
       jax=stateful("flax_metrics.MeanSquaredError", update="update", result="compute", args=("target", "preds"))),
    op("r2_score", "metric", "preds target", "1 - sum (t - p)^2 / sum (t - mean t)^2 (constant target: -inf or NaN)",
       _r2,
       torch=construct("torchmetrics.R2Score"),
       tensorflow=stateful("keras.metrics.R2Score", update="update_state", result="result", args=("target", "preds")),
       jax=none(NO_FLAX.format("R2 score"))),
    op("log_loss", "metric", (Arg("preds", domain="probability"), Arg("target", domain="binary")),
       "binary log loss: mean of -(t log p + (1 - t) log(1 - p)), unclamped", _log_loss,
       torch=none("torchmetrics has no binary log-loss metric (only the loss torch.nn.BCELoss)"),
       tensorflow=stateful("keras.metrics.BinaryCrossentropy", update="update_state", result="result",
                           args=("target", "preds")),
       jax=none(NO_FLAX.format("binary log loss"))),
]


# ---- round two: binary agreement scores and regression correlations (torchmetrics; Keras where it has them)

NO_KERAS = "keras.metrics has no {}"


def _specificity(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    _, fp, _, tn = _counts(r, "specificity", preds, target, task, threshold)
    return r.ratio(tn * 1.0, tn + fp * 1.0)


def _hamming(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, fp, fn, tn = _counts(r, "hamming_distance", preds, target, task, threshold)
    return (fp + fn) / (tp + fp + fn + tn * 1.0)


def _jaccard(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, fp, fn, _ = _counts(r, "jaccard_index", preds, target, task, threshold)
    return r.ratio(tp * 1.0, tp + fp + fn * 1.0)


def _cohen_kappa(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, fp, fn, tn = _counts(r, "cohen_kappa", preds, target, task, threshold)
    n = (tp + fp + fn + tn) * 1.0
    observed = (tp + tn) / n
    chance = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / (n * n)
    return r.ratio(observed - chance, 1.0 - chance)


def _matthews(r, preds, target, task, threshold, num_classes):  # type: ignore[no-untyped-def]
    tp, fp, fn, tn = _counts(r, "matthews_corrcoef", preds, target, task, threshold)
    tp, fp, fn, tn = tp * 1.0, fp * 1.0, fn * 1.0, tn * 1.0
    return r.ratio(tp * tn - fp * fn, r.xp.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))


def _explained_variance(r, preds, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("explained_variance", preds, target)
    xp = r.xp
    residual = t - p
    per_output = 1 - xp.var(residual, axis=0) / xp.var(t, axis=0)
    return xp.mean(per_output)


def _pearson(r, preds, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("pearson_corrcoef", preds, target)
    xp = r.xp
    dp, dt = p - xp.mean(p), t - xp.mean(t)
    return xp.sum(dp * dt) / xp.sqrt(xp.sum(dp * dp) * xp.sum(dt * dt))


OPS += [
    op("specificity", "metric", ARGS, "tn / (tn + fp); 0/0 is NaN", _specificity, attrs=ATTRS,
       alternatives=("zero_division_zero",), torch=_torchmetric("Specificity"),
       tensorflow=none("keras.metrics has SpecificityAtSensitivity (the specificity at a chosen sensitivity), "
                       "not the specificity at a threshold"),
       jax=none(NO_FLAX.format("specificity"))),
    op("hamming_distance", "metric", ARGS, "share of wrong predictions: (fp + fn) / n", _hamming, attrs=ATTRS,
       torch=_torchmetric("HammingDistance"), tensorflow=none(NO_KERAS.format("Hamming distance")),
       jax=none(NO_FLAX.format("Hamming distance"))),
    op("jaccard_index", "metric", ARGS, "intersection over union of the positive class: tp / (tp + fp + fn); "
       "0/0 is NaN", _jaccard, attrs=ATTRS, alternatives=("zero_division_zero",),
       torch=_torchmetric("JaccardIndex"),
       tensorflow=switch("task", binary=stateful(
           "keras.metrics.BinaryIoU", update="update_state", result="result", args=("target", "preds"),
           infers=("num_classes",), threshold="threshold",
           fixed={"target_class_ids": fix([1], "the op is the IoU of the positive class; keras.metrics.BinaryIoU's "
                                               "default (0, 1) averages the IoU of both classes")}),
           multiclass=none("keras.metrics.BinaryIoU is binary only")),
       jax=none(NO_FLAX.format("IoU"))),
    op("cohen_kappa", "metric", ARGS, "(p_o - p_e) / (1 - p_e): observed agreement p_o against the chance "
       "agreement p_e of the marginals; 0/0 is NaN", _cohen_kappa, attrs=ATTRS, alternatives=("zero_division_zero",),
       torch=_torchmetric("CohenKappa"), tensorflow=none(NO_KERAS.format("Cohen's kappa")),
       jax=none(NO_FLAX.format("Cohen's kappa"))),
    op("matthews_corrcoef", "metric", ARGS, "(tp tn - fp fn) / sqrt((tp + fp)(tp + fn)(tn + fp)(tn + fn)); "
       "0/0 is NaN", _matthews, attrs=ATTRS, alternatives=("zero_division_zero",),
       torch=_torchmetric("MatthewsCorrCoef"), tensorflow=none(NO_KERAS.format("Matthews correlation coefficient")),
       jax=none(NO_FLAX.format("Matthews correlation coefficient"))),
    op("explained_variance", "metric", "preds target", "1 - var(target - preds) / var(target) per output column "
       "(axis 0 is the samples, population variances), then the mean over outputs", _explained_variance,
       torch=construct("torchmetrics.ExplainedVariance"), tensorflow=none(NO_KERAS.format("explained variance")),
       jax=none(NO_FLAX.format("explained variance"))),
    op("pearson_corrcoef", "metric", (Arg("preds"), Arg("target")), "Pearson correlation of 1-D preds and target: "
       "sum(dp dt) / sqrt(sum(dp^2) sum(dt^2)) with d the deviation from the mean; a constant input gives NaN",
       _pearson, torch=construct("torchmetrics.PearsonCorrCoef"),
       tensorflow=stateful("keras.metrics.PearsonCorrelation", update="update_state", result="result",
                           args=("target", "preds")),
       jax=none(NO_FLAX.format("Pearson correlation"))),
]
