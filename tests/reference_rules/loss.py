"""Losses: the formulas by hand, SciPy's xlogy / log_softmax / rel_entr, limits at +-inf."""

from __future__ import annotations

import math

import numpy as np
import scipy.special as sp

from reference_rules.common import INF, P, Rule, S, T, a

RULES = [
    Rule("mse_loss", "mse is the mean of squared differences", (S, P), lambda p, t: np.mean((p - t) ** 2)),
    Rule("l1_loss", "l1 is the mean of absolute differences", (S, P), lambda p, t: np.mean(np.abs(p - t))),
    Rule("binary_cross_entropy", "0 log 0 is 0; p = 0 with t = 1 is inf", (a(0.0, 1.0, 0.0, 0.3), a(0.0, 1.0, 1.0, 0.5)),
         lambda p, t: -(sp.xlogy(t, p) + sp.xlogy(1 - t, 1 - p)), {"reduction": "none"}),
    Rule("binary_cross_entropy_with_logits", "equals logaddexp(0, x) - x t on finite logits", (S, T),
         lambda x, t: np.mean(np.logaddexp(0.0, x) - x * t)),
    Rule("binary_cross_entropy_with_logits", "at +-inf, the limit: inf where the wrong class is certain, else 0",
         (a(INF, -INF, INF, -INF), a(0.0, 1.0, 1.0, 0.0)), a(INF, INF, 0.0, 0.0), {"reduction": "none"}),
    Rule("cross_entropy", "cross-entropy with integer labels is -log_softmax at the label (SciPy)",
         (S, np.array([0, 3, 1])), lambda x, y: -np.mean(sp.log_softmax(x, axis=-1)[np.arange(3), y])),
    Rule("nll_loss", "a -inf log-probability at another class does not matter; at the label, inf",
         (a(-INF, -0.5, -INF, -2.0).reshape(2, 2), np.array([1, 0])), a(0.5, INF), {"reduction": "none"}),
    Rule("kl_div", "KL from log-probabilities is SciPy's rel_entr(target, exp(log_pred))",
         (np.log(P), P[::-1]), lambda lq, p: sp.rel_entr(p, np.exp(lq)), {"reduction": "none"}),
    Rule("poisson_nll", "rate - target log(rate), 0 log 0 = 0", (a(1.0, 2.0, 0.5), a(0.0, 1.0, 2.0)),
         lambda q, t: q - sp.xlogy(t, q), {"reduction": "none"}),
    Rule("poisson_nll", "log_input: exp(x) - t x", (a(1.0, 2.0, 3.0), a(2.0, 1.0, 0.5)),
         lambda x, t: np.mean(np.exp(x) - t * x), {"log_input": True}),
    Rule("huber_loss", "0.5 d^2 inside delta = 1, |d| - 0.5 outside", (a(0.5, 3.0), a(0.0, 0.0)), a(0.125, 2.5),
         {"reduction": "none"}),
    Rule("cosine_similarity", "1 for equal directions, -1 for opposite", (a(1.0, 2.0, 1.0, 2.0).reshape(2, 2),
                                                                           a(2.0, 4.0, -1.0, -2.0).reshape(2, 2)),
         a(1.0, -1.0)),
    Rule("smooth_l1_loss", "0.5 d^2 / beta inside beta = 1, |d| - 0.5 outside", (a(0.5, 3.0), a(0.0, 0.0)),
         a(0.125, 2.5), {"reduction": "none"}),
    Rule("log_cosh", "log(cosh(d)), finite for large d", (a(800.0, 0.0), a(0.0, 0.0)),
         a(800.0 - math.log(2.0), 0.0), {"reduction": "none"}),
    Rule("hinge", "mean of max(0, 1 - t y)", (a(0.5, -2.0), a(1.0, 1.0)), a(0.5, 3.0), {"reduction": "none"}),
    Rule("mape", "100 |d| / |t|", (a(1.0, 3.0), a(2.0, 2.0)), a(50.0, 50.0), {"reduction": "none"}),
    Rule("msle", "(log1p(p) - log1p(t))^2", (a(0.0, np.e - 1), a(np.e - 1, np.e - 1)), a(1.0, 0.0), {"reduction": "none"}),
    Rule("kl_div_probs", "target log(target / pred), SciPy's rel_entr", (P, P[::-1]), lambda q, p: sp.rel_entr(p, q),
         {"reduction": "none"}),
]
