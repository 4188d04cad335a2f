"""Metrics: counted by hand."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

from reference_rules.common import NAN, P, Rule, T, a

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
]
