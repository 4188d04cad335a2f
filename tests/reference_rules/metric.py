"""Metrics: counted by hand."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

from reference_rules.common import NAN, Built, P, Rule, S, T, a

MC = (np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]),
      np.array([0, 1, 2, 2, 1]))
B6P, B6T = a(0.0, 0.0, 1.0, 1.0, 0.0, 1.0), a(0.0, 1.0, 0.0, 1.0, 0.0, 1.0)


RULES = [
    Rule("accuracy", "binary: (p > 0.5) == t; 0.5 is not positive", (a(0.2, 0.7, 0.5, 0.9), a(0.0, 1.0, 1.0, 0.0)), 0.5),
    Rule("top_k_accuracy", "micro: the share of samples whose label is in the top k",
         (a(0.6, 0.3, 0.1, 0.1, 0.2, 0.7, 0.5, 0.2, 0.3, 0.1, 0.8, 0.1).reshape(4, 3), np.array([0, 2, 1, 1])), 0.75,
         {"num_classes": 3}),
    Rule("top_k_accuracy", "macro: the mean over classes of each class's share",
         (a(0.6, 0.3, 0.1, 0.1, 0.2, 0.7, 0.5, 0.2, 0.3, 0.1, 0.8, 0.1).reshape(4, 3), np.array([0, 2, 1, 1])), 5 / 6,
         {"num_classes": 3, "average": "macro"}),
    Rule("auroc", "ties count one half", (a(0.1, 0.4, 0.4, 0.8), a(0.0, 0.0, 1.0, 1.0)), 0.875),
    Rule("confusion_matrix", "rows are the true class", (np.array([0, 1, 1]), np.array([0, 0, 1])),
         np.array([[1, 1], [0, 1]]), {"num_classes": 2}),
    Rule("r2_score", "1 - SS_res / SS_tot", (a(1.0, 2.0, 3.0), a(1.0, 2.0, 4.0)), 1 - 1 / (14 / 3)),
    Rule("precision", "tp / (tp + fp); 0/0 is NaN", (a(0.1, 0.2), a(1.0, 0.0)), NAN),
    Rule("recall", "tp / (tp + fn)", (a(0.9, 0.2, 0.7), a(1.0, 1.0, 0.0)), 0.5),
    Rule("f1", "2 tp / (2 tp + fp + fn)", (a(0.9, 0.2, 0.7), a(1.0, 1.0, 0.0)), 0.5),
    Rule("mean_iou", "classes absent from both are left out", (np.array([0, 1, 1]), np.array([0, 1, 0])),
         (1 / 2 + 1 / 2) / 2, {"num_classes": 3}),
    Rule("log_loss", "the mean of -(t log p + (1 - t) log(1 - p))", (P, T),
         lambda p, t: -np.mean(sp.xlogy(t, p) + sp.xlogy(1 - t, 1 - p))),
    # by hand: argmax predictions [0, 1, 1, 2, 0] against [0, 1, 2, 2, 1]; per class (tp, fp, fn):
    # 0: (1, 1, 0), 1: (1, 1, 1), 2: (1, 0, 1); precision [1/2, 1/2, 1], recall [1, 1/2, 1/2], F1 [2/3, 1/2, 2/3];
    # support [1, 2, 2]; micro: 3 right of 5
    Rule("multiclass_precision", "macro: the mean of per-class precisions", MC, 2 / 3, {"num_classes": 3}),
    Rule("multiclass_precision", "none: per class", MC, a(0.5, 0.5, 1.0), {"num_classes": 3, "average": "none"}),
    Rule("multiclass_precision", "weighted by support: (1/2 + 2/2 + 2) / 5", MC, 0.7,
         {"num_classes": 3, "average": "weighted"}),
    Rule("multiclass_precision", "micro: the share of right predictions", MC, 0.6, {"num_classes": 3, "average": "micro"}),
    Rule("multiclass_precision", "a class never predicted nor present is 0/0: NaN, so macro is NaN",
         (np.hstack([MC[0], np.zeros((5, 1))]), MC[1]), NAN, {"num_classes": 4}),
    Rule("multiclass_recall", "macro: the mean of per-class recalls", MC, 2 / 3, {"num_classes": 3}),
    Rule("multiclass_recall", "weighted by support is the micro recall: 3/5", MC, 0.6,
         {"num_classes": 3, "average": "weighted"}),
    Rule("multiclass_f1", "macro: (2/3 + 1/2 + 2/3) / 3", MC, 11 / 18, {"num_classes": 3}),
    Rule("multiclass_f1", "none: 2 tp / (2 tp + fp + fn) per class", MC, a(2 / 3, 0.5, 2 / 3),
         {"num_classes": 3, "average": "none"}),
    # by hand: sorted by score, the positives at 0.8 (precision 1/1) and 0.35 (2/3): (1 + 2/3) / 2
    Rule("average_precision", "the mean over positives of the precision at their score",
         (a(0.1, 0.4, 0.35, 0.8), a(0.0, 0.0, 1.0, 1.0)), 5 / 6),
    # by hand: the tie at 0.5 holds one positive of two (precision 1/2), at 0.2 two of three: (1/2 + 2/3) / 2
    Rule("average_precision", "tied scores share one precision", (a(0.5, 0.5, 0.2), a(1.0, 0.0, 1.0)), 7 / 12),
    Rule("mae_metric", "the mean of |p - t| over all elements", (S, P), lambda p, t: np.mean(np.abs(p - t))),
    Rule("mae_metric", "a NaN makes it NaN", (a(1.0, NAN), a(0.0, 0.0)), NAN),
    Rule("mse_metric", "the mean of (p - t)^2 over all elements", (S, P), lambda p, t: np.mean((p - t) ** 2)),
    # a metric built once, then updated: by hand, (1 + 2 + 3) then 10: 16 / 4
    Rule("metric_update", "the mean of one batch", (Built("mean_metric"), a(1.0, 2.0)), 1.5),
    Rule("metric_update", "the mean of every value of every update: 16 / 4",
         (Built("mean_metric", {}, (("metric_update", (a(1.0, 2.0, 3.0),), {}),)), a(10.0)), 4.0),
    # ---- round two, by hand: preds [0, 0, 1, 1, 0, 1] against target [0, 1, 0, 1, 0, 1]: tp 2, fp 1, fn 1, tn 2
    Rule("specificity", "tn / (tn + fp) = 2 / 3", (B6P, B6T), 2 / 3),
    Rule("specificity", "no negatives: 0/0 is NaN", (a(0.9, 0.2), a(1.0, 1.0)), NAN),
    Rule("hamming_distance", "the share of wrong predictions: 2 / 6", (B6P, B6T), 1 / 3),
    Rule("hamming_distance", "0.5 is not positive", (a(0.5, 0.5), a(1.0, 0.0)), 0.5),
    Rule("jaccard_index", "tp / (tp + fp + fn) = 2 / 4", (B6P, B6T), 0.5),
    Rule("jaccard_index", "nothing positive anywhere: 0/0 is NaN", (a(0.1, 0.2), a(0.0, 0.0)), NAN),
    # p_o = 4/6, p_e = (3 * 3 + 3 * 3) / 36 = 1/2: (2/3 - 1/2) / (1/2)
    Rule("cohen_kappa", "(p_o - p_e) / (1 - p_e) = 1/3", (B6P, B6T), 1 / 3),
    Rule("cohen_kappa", "perfect agreement is 1", (a(0.9, 0.1, 0.8), a(1.0, 0.0, 1.0)), 1.0),
    Rule("cohen_kappa", "one label everywhere, predicted everywhere: p_e = 1, 0/0 is NaN",
         (a(0.9, 0.8), a(1.0, 1.0)), NAN),
    Rule("matthews_corrcoef", "(4 - 1) / sqrt(3 * 3 * 3 * 3) = 1/3", (B6P, B6T), 1 / 3),
    Rule("matthews_corrcoef", "tp 1, tn 2, fn 1: 2 / sqrt(12)", (a(0.0, 1.0, 0.0, 0.0), a(1.0, 1.0, 0.0, 0.0)),
         2 / np.sqrt(12)),
    Rule("matthews_corrcoef", "no positive prediction: a zero factor, 0/0 is NaN", (a(0.1, 0.2), a(1.0, 0.0)), NAN),
    Rule("explained_variance", "1 - var(t - p) / var(t), population variances",
         (a(2.5, 0.0, 2.0, 8.0), a(3.0, -0.5, 2.0, 7.0)), lambda p, t: 1 - np.var(t - p) / np.var(t)),
    Rule("explained_variance", "a constant offset is explained: 1", (a(2.0, 3.0, 5.0), a(1.0, 2.0, 4.0)), 1.0),
    Rule("explained_variance", "per column, then the mean over columns", (S, P),
         lambda p, t: np.mean(1 - np.var(t - p, axis=0) / np.var(t, axis=0))),
    Rule("pearson_corrcoef", "as np.corrcoef", (a(2.5, 0.0, 2.0, 8.0), a(3.0, -0.5, 2.0, 7.0)),
         lambda p, t: np.corrcoef(p, t)[0, 1]),
    Rule("pearson_corrcoef", "an exact negative line is -1", (a(1.0, 2.0, 3.0), a(3.0, 1.0, -1.0)), -1.0),
    Rule("pearson_corrcoef", "a constant input: 0/0 is NaN", (a(1.0, 1.0, 1.0), a(3.0, 1.0, -1.0)), NAN),
]
