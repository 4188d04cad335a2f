"""Metrics: counted by hand."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

from reference_rules.common import NAN, Built, P, Rule, S, T, a

MC = (np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]),
      np.array([0, 1, 2, 2, 1]))


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
]
