"""Losses: the formulas by hand, SciPy's xlogy / log_softmax / rel_entr, limits at +-inf."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import scipy.spatial.distance
import scipy.special as sp
import scipy.stats

from reference_rules.common import INF, P, Rule, S, T, a, mp, rng


def ctc_brute(log_probs: np.ndarray, targets: np.ndarray, input_lengths: np.ndarray, target_lengths: np.ndarray,
              ) -> np.ndarray:
    """-log of the summed probability of every path of C^T that collapses (repeats merged, blanks 0 dropped)
    to the target: the definition, enumerated, no recursion."""
    out = []
    for b in range(log_probs.shape[1]):
        steps, target = int(input_lengths[b]), [int(v) for v in targets[b, :int(target_lengths[b])]]
        total = 0.0
        for path in itertools.product(range(log_probs.shape[2]), repeat=steps):
            merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
            if [c for c in merged if c != 0] == target:
                total += math.exp(sum(log_probs[t, b, c] for t, c in enumerate(path)))
        out.append(-math.log(total) if total > 0 else INF)
    return np.array(out)


CTC = (sp.log_softmax(rng.normal(size=(4, 2, 3)), axis=-1), np.array([[1, 2], [1, 1]]), np.array([4, 3]), np.array([2, 2]))


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
    Rule("bce_with_logits_pos_weight", "-(w t log expit(x) + (1 - t) log expit(-x)) (SciPy's log_expit)",
         (S, T, a(2.0, 0.5, 1.0, 3.0)), lambda x, t, w: -(w * t * sp.log_expit(x) + (1 - t) * sp.log_expit(-x)),
         {"reduction": "none"}),
    Rule("bce_with_logits_pos_weight", "large logits stay finite; the mean over all elements",
         (a(800.0, -800.0), a(0.0, 1.0), a(2.0)), (800.0 + 2.0 * 800.0) / 2),  # by hand: -log expit(-800) = 800
    Rule("cross_entropy_smoothed", "targets t (1 - ls) + ls / C, then -sum t' log_softmax (SciPy), mean over examples",
         (S, np.eye(4)[[0, 3, 1]]), lambda x, t: np.mean(-np.sum((t * 0.8 + 0.2 / 4) * sp.log_softmax(x, -1), -1)),
         {"label_smoothing": 0.2}),
    Rule("cross_entropy_smoothed", "ls 0 with one-hot targets is plain cross-entropy", (S, np.eye(4)[[0, 3, 1]]),
         lambda x, t: -np.mean(sp.log_softmax(x, -1)[np.arange(3), [0, 3, 1]])),
    Rule("cross_entropy_weighted", "mean: the weighted sum divided by the sum of the weights used",
         (S, np.array([0, 3, 0]), a(2.0, 1.0, 1.0, 0.5)),
         lambda x, y, w: np.sum(-w[y] * sp.log_softmax(x, -1)[np.arange(3), y]) / np.sum(w[y])),
    Rule("cross_entropy_weighted", "none: each example's -w[y] log_softmax(x)[y]",
         (S, np.array([1, 2, 3]), a(2.0, 1.0, 1.0, 0.5)),
         lambda x, y, w: -w[y] * sp.log_softmax(x, -1)[np.arange(3), y], {"reduction": "none"}),
    # by hand: 1 - t p = 1 - 2 = -1 -> 0; 1 - 0.5 = 0.5 -> 0.25; 1 + 0.5 = 1.5 -> 2.25
    Rule("squared_hinge", "max(1 - t p, 0)^2", (a(2.0, 0.5, -0.5), a(1.0, 1.0, 1.0)), a(0.0, 0.25, 2.25),
         {"reduction": "none"}),
    # by hand: row 1 neg = max(0.2, 0.3, 0) = 0.3, pos = 0.5: 0.3 - 0.5 + 1 = 0.8; row 2: neg = 0.1, pos = 3: 0
    Rule("categorical_hinge", "max(max((1 - t) p) - sum(t p) + 1, 0)",
         (a(0.2, 0.3, 0.5, 0.1, 3.0, 0.0).reshape(2, 3), np.eye(3)[[2, 1]]), a(0.8, 0.0), {"reduction": "none"}),
    # by hand: -1 (3 - 1) + 0.5 = -1.5 -> 0; 1 (3 - 1) + 0.5 = 2.5; a tie with margin 0.5: 0.5
    Rule("margin_ranking", "max(0, -y (x1 - x2) + margin)", (a(3.0, 3.0, 2.0), a(1.0, 1.0, 2.0), a(1.0, -1.0, 1.0)),
         a(0.0, 2.5, 0.5), {"margin": 0.5, "reduction": "none"}),
    Rule("triplet_margin", "max(||a - p + 1e-6|| - ||a - n + 1e-6|| + 1, 0) per row", (S, P, S[::-1]),
         lambda x, p, n: np.maximum(np.linalg.norm(x - p + 1e-6, axis=-1) - np.linalg.norm(x - n + 1e-6, axis=-1) + 1.0,
                                    0.0), {"reduction": "none"}),
    # by hand: T = 2, uniform over {blank, 1}: the paths (1, 1), (0, 1), (1, 0) give "1": 3 * 0.25
    Rule("ctc_loss", "one label over two uniform steps: -log(3/4)",
         (np.log(np.full((2, 1, 2), 0.5)), np.array([[1]]), np.array([2]), np.array([1])), -math.log(0.75)),
    Rule("ctc_loss", "the sum over every alignment, by brute force over all paths; the plain mean over the batch",
         CTC, lambda lp, y, t, s: np.mean(ctc_brute(lp, y, t, s))),
    Rule("ctc_loss", "a repeated label needs a blank between: 1 1 in one step is impossible (inf)",
         (CTC[0], np.array([[1, 1], [2, 1]]), np.array([1, 4]), np.array([2, 2])),
         lambda lp, y, t, s: ctc_brute(lp, y, t, s), {"reduction": "none"}),
    # a reference defect found here: the one-hot product target * logits made 0 * -inf = NaN at a masked class
    Rule("cross_entropy", "a -inf logit at another class does not matter (SciPy's log_softmax at the label)",
         (a(-INF, 0.0, 1.0, -INF, 2.0, 0.5).reshape(2, 3), np.array([1, 2])),
         lambda x, y: -sp.log_softmax(x, -1)[np.arange(2), y], {"reduction": "none"}),
    Rule("cross_entropy", "probability targets: a class of weight 0 at a -inf logit adds 0 (0 log 0 = 0)",
         (a(-INF, 0.0, 1.0).reshape(1, 3), a(0.0, 0.25, 0.75).reshape(1, 3)),
         lambda x, t: -np.sum(sp.xlogy(t, sp.softmax(x, -1)), -1), {"reduction": "none"}),
    Rule("kl_div", "a zero target adds 0 whatever the prediction, -inf included (SciPy's rel_entr)",
         (a(-INF, -0.5, 0.0), a(0.0, 0.5, 0.0)), lambda lq, p: sp.rel_entr(p, np.exp(lq)), {"reduction": "none"}),
    # by hand: d/dx (logsumexp(x) - x_y) = softmax(x) - onehot(y); softmax([-inf, 0, 1]) = [0, 1, e] / (1 + e)
    Rule("cross_entropy", "the gradient is softmax - onehot, 0 at the masked class",
         (a(-INF, 0.0, 1.0).reshape(1, 3), np.array([1])),
         a(0.0, 1 / (1 + math.e) - 1, math.e / (1 + math.e)).reshape(1, 3), grad=True),
    # gradients at the kinks (grad=True), by hand, as the declarations state: 0 at a tie with margin 0
    Rule("margin_ranking", "gradient 0 at the kink (x1 = x2, margin 0)", (a(1.0, 2.0), a(1.0, 1.0), a(1.0, -1.0)),
         a(0.0, 1.0), {"reduction": "none"}, grad=True),
    Rule("hinge", "gradient 0 at the kink 1 - t p = 0, -t inside", (a(1.0, 0.5), a(1.0, 1.0)), a(0.0, -1.0),
         {"reduction": "none"}, grad=True),
    Rule("log_cosh", "log(cosh(d)) at 50 digits (mpmath), large d included",
         (a(0.1, -1.0, 10.0, 800.0), a(0.0, 0.0, 0.0, 0.0)),
         lambda p, t: mp(lambda v: mpmath.log(mpmath.cosh(v)))(p - t), {"reduction": "none"}),
    Rule("hinge_embedding", "x where y = 1, max(0, 1 - x) where y = -1", (a(0.3, -0.5, 1.5, 2.0), a(1.0, -1.0, -1.0, 1.0)),
         a(0.3, 1.5, 0.0, 2.0), {"reduction": "none"}),
    Rule("hinge_embedding", "margin 2, the mean", (a(0.3, -0.5, 1.5, 2.0), a(1.0, -1.0, -1.0, 1.0)),
         (0.3 + 2.5 + 0.5 + 2.0) / 4, {"margin": 2.0, "reduction": "mean"}),
    # ---- round two
    Rule("soft_margin", "mean of log(1 + exp(-y x)), SciPy's log_expit", (S, 2 * T - 1),
         lambda x, y: np.mean(-sp.log_expit(y * x))),
    # by hand: x = 0 gives log 2 whatever y; y x = 40 gives ~exp(-40); y x = -800 gives 800 (no overflow)
    Rule("soft_margin", "none: log 2 at 0, the linear tail at -800", (a(0.0, 40.0, -800.0), a(1.0, 1.0, 1.0)),
         a(math.log(2.0), math.log1p(math.exp(-40.0)), 800.0), {"reduction": "none"}),
    Rule("multilabel_soft_margin", "per sample a mean over classes, then the mean over samples", (S, T),
         lambda x, y: np.mean(-np.mean(y * sp.log_expit(x) + (1 - y) * sp.log_expit(-x), axis=-1))),
    Rule("multilabel_soft_margin", "none: one value per sample", (S, T),
         lambda x, y: -np.mean(y * sp.log_expit(x) + (1 - y) * sp.log_expit(-x), axis=-1), {"reduction": "none"}),
    # by hand: x = [0.1, 0.2, 0.4, 0.8], y = 3: (max(0, 1 - 0.8 + 0.1) + max(0, 0.4) + max(0, 0.6)) / 4 = 0.325
    Rule("multi_margin", "torch's documented example: 0.325", (a(0.1, 0.2, 0.4, 0.8).reshape(1, 4),
                                                               np.array([3])), 0.325),
    Rule("multi_margin", "margin 0.5, sum, by loops", (S, np.array([0, 3, 1])),
         lambda x, y: sum(max(0.0, 0.5 - x[n, y[n]] + x[n, i]) for n in range(3) for i in range(4) if i != y[n]) / 4,
         {"margin": 0.5, "reduction": "sum"}),
    Rule("cosine_embedding", "1 - cos for y = 1, max(0, cos - margin) for y = -1, by SciPy's cosine distance",
         (S, S[::-1], a(1.0, -1.0, -1.0)), lambda x1, x2, y: np.mean([
             (d if t == 1 else max(0.0, 1 - d - 0.1)) for d, t in zip(
                 [scipy.spatial.distance.cosine(u, v) for u, v in zip(x1, x2)], y)]),
         {"margin": 0.1}),
    # by hand: parallel vectors with y = 1 give 0; opposite vectors with y = -1 and margin 0 give max(0, -1) = 0
    Rule("cosine_embedding", "parallel with y = 1 and opposite with y = -1 give 0",
         (a(1.0, 2.0, 2.0, -1.0).reshape(2, 2), a(2.0, 4.0, -2.0, 1.0).reshape(2, 2), a(1.0, -1.0)), a(0.0, 0.0),
         {"reduction": "none"}),
    Rule("gaussian_nll", "0.5 (log v + d^2 / v), as SciPy's norm.logpdf plus its constant",
         (S, S[::-1], P), lambda x, t, v: np.mean(-scipy.stats.norm.logpdf(t, x, np.sqrt(v))
                                                  - 0.5 * math.log(2 * math.pi))),
    # by hand: var 0 is floored at eps = 1e-6: 0.5 (log 1e-6 + 1 / 1e-6) for d = 1
    Rule("gaussian_nll", "a zero variance is floored at eps", (a(1.0), a(0.0), a(0.0)),
         a(0.5 * (math.log(1e-6) + 1e6)), {"reduction": "none"}),
    Rule("sigmoid_focal", "BCE (1 - p_t)^2 by hand with SciPy's expit", (S, T),
         lambda x, t: np.mean(-(t * sp.log_expit(x) + (1 - t) * sp.log_expit(-x))
                              * (1 - (sp.expit(x) * t + (1 - sp.expit(x)) * (1 - t))) ** 2)),
    Rule("sigmoid_focal", "gamma 0 is the binary cross-entropy on logits", (S, T),
         lambda x, t: -(t * sp.log_expit(x) + (1 - t) * sp.log_expit(-x)), {"gamma": 0.0, "reduction": "none"}),
    Rule("kl_div_log_target", "SciPy's rel_entr(target, pred) on exp of the logs", (np.log(P), np.log(P[::-1])),
         lambda lq, lp: np.mean(sp.rel_entr(np.exp(lp), np.exp(lq)))),
    Rule("kl_div_log_target", "equal log-probabilities give 0", (np.log(P), np.log(P)), 0.0),
    Rule("cross_entropy_ignore", "mean over the examples not ignored, SciPy's log_softmax",
         (S, np.array([1, -100, 3])), lambda x, y: -(sp.log_softmax(x[0])[1] + sp.log_softmax(x[2])[3]) / 2,
         {"ignore_index": -100}),
    Rule("cross_entropy_ignore", "none: 0 where ignored", (S, np.array([1, 2, 3])),
         lambda x, y: np.array([-sp.log_softmax(x[0])[1], 0.0, -sp.log_softmax(x[2])[3]]),
         {"ignore_index": 2, "reduction": "none"}),
    Rule("cross_entropy_ignore", "every example ignored: 0 / 0 = NaN", (S, np.array([0, 0, 0])), math.nan,
         {"ignore_index": 0}),
    # by hand: p = [1, 0.5, 0], t = [1, 1, 0]: 1 - 2 (1.5) / (2 + 1.5) = 1 - 3 / 3.5 = 1/7
    Rule("dice", "by hand: 1/7", (a(1.0, 0.5, 0.0), a(1.0, 1.0, 0.0)), 1 / 7),
    Rule("dice", "as 1 - F1 of soft counts (SciPy-free: 2 TP / (2 TP + FP + FN))", (P, T),
         lambda p, t: 1 - 2 * np.sum(p * t) / (2 * np.sum(p * t) + np.sum(p * (1 - t)) + np.sum((1 - p) * t))),
    # by hand: p = [1, 1, 0], t = [1, 0, 1]: TP = 1, FP = 1, FN = 1; alpha 0.7 beta 0.3: 1 - 1 / (1 + 0.7 + 0.3) = 0.5
    # and p = [1, 1, 1], t = [1, 0, 0]: TP 1, FP 2, FN 0: 1 - 1 / (1 + 0.7 * 2) = 1 - 1/2.4
    Rule("tversky", "alpha weighs false positives", (a(1.0, 1.0, 1.0), a(1.0, 0.0, 0.0)), 1 - 1 / 2.4,
         {"alpha": 0.7, "beta": 0.3}),
    Rule("tversky", "alpha weighs false positives, beta false negatives", (a(1.0, 1.0, 0.0), a(1.0, 0.0, 1.0)), 0.5,
         {"alpha": 0.7, "beta": 0.3}),
    Rule("tversky", "alpha = beta = 0.5 is Dice", (P, T),
         lambda p, t: 1 - 2 * np.sum(p * t) / (np.sum(p) + np.sum(t))),
]
