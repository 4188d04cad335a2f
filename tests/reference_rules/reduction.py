"""Reductions: NumPy's, on samples, with NaN and on empty input."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

from reference_rules.common import API, EXT, INF, NAN, P, Rule, S, a

RULES = [
    Rule("sum", "the sum of nothing is 0", (np.zeros((0,)),), 0.0, cite=API.format("sum")),
    Rule("sum", "sum of a sample is NumPy's", (S,), np.sum),
    Rule("prod", "the product of nothing is 1", (np.zeros((0,)),), 1.0, cite=API.format("prod")),
    Rule("mean", "a NaN makes the mean NaN", (a(1.0, NAN),), NAN),
    Rule("max", "a NaN makes the maximum NaN", (a(1.0, NAN, 3.0),), NAN, cite=API.format("max")),
    Rule("min", "min of a sample is NumPy's", (S,), np.min, cite=API.format("min")),
    Rule("var", "var with ddof 0 is NumPy's", (S,), np.var, cite=API.format("var")),
    Rule("std", "std with ddof 0 is NumPy's", (S,), np.std, cite=API.format("std")),
    Rule("logsumexp", "logsumexp is SciPy's, stable for large x", (a(1000.0, 1000.0, -INF),), sp.logsumexp),
    Rule("logsumexp", "logsumexp of all -inf is -inf", (a(-INF, -INF),), -INF),
    Rule("median", "an even count averages the two middle values", (a(4.0, 1.0, 3.0, 2.0),), 2.5),
    Rule("argmax", "ties give the first index", (a(1.0, 3.0, 3.0, 0.0),), 1, cite=API.format("argmax")),
    Rule("cumsum", "cumsum is NumPy's (flattened when unpinned)", (a(1.0, 2.0, 3.0),), np.cumsum, {"axis": 0}),
    Rule("nansum", "NaNs count as 0", (a(1.0, NAN, 2.0),), 3.0),
    Rule("nanmean", "NaNs are left out of the mean", (a(1.0, NAN, 2.0),), 1.5),
    Rule("amax", "a NaN makes the maximum NaN", (a(1.0, NAN),), NAN),
    Rule("argmin", "ties give the first index", (a(1.0, 0.0, 0.0),), 1, cite=API.format("argmin")),
    Rule("all", "all of nothing is true", (np.zeros((0,)),), True, cite=API.format("all")),
    Rule("any", "NaN is true", (a(0.0, NAN),), True, cite=API.format("any")),
    Rule("cumprod", "cumprod is NumPy's", (a(1.0, 2.0, 3.0),), np.cumprod, {"axis": 0}),
    Rule("quantile", "linear interpolation, as np.quantile", (S,), lambda x: np.quantile(x, 0.3), {"q": 0.3}),
    Rule("vector_norm", "the 2-norm of all elements, as np.linalg.norm", (S,), lambda x: np.linalg.norm(x.ravel()),
         cite=EXT.format("linalg.vector_norm")),
    Rule("count_nonzero", "NaN counts as nonzero", (a(0.0, NAN, -0.0, 2.0),), 2),
    Rule("amin", "a NaN makes the minimum NaN", (a(1.0, NAN, -INF),), NAN, cite=API.format("min")),
    Rule("amin", "over an axis with keepdims, as np.amin", (S,), lambda x: np.amin(x, axis=1, keepdims=True),
         {"axis": 1, "keepdims": True}, cite=API.format("min")),
    Rule("nanmedian", "NaNs are left out; an even count averages the middle two", (a(4.0, NAN, 1.0, 3.0, 2.0),), 2.5),
    Rule("nanmedian", "all NaN gives NaN", (a(NAN, NAN),), NAN),
    Rule("nanmedian", "per row, as np.nanmedian", (np.where(S > 1.0, NAN, S),),
         lambda x: np.nanmedian(x, axis=1), {"axis": 1}),
    Rule("cummax", "running maximum, as np.maximum.accumulate; a NaN stays NaN after it", (a(1.0, 3.0, 2.0, NAN, 5.0),),
         np.maximum.accumulate),
    Rule("cummax", "along an axis, as np.maximum.accumulate", (S,), lambda x: np.maximum.accumulate(x, axis=1),
         {"axis": 1}),
    Rule("norm", "unpinned: the 2-norm of all elements (Frobenius for a matrix)", (S,), lambda x: np.linalg.norm(x)),
    Rule("norm", "ord=2 on a matrix is the spectral norm (NumPy's)", (S,), lambda x: np.linalg.norm(x, 2), {"ord": 2}),
    Rule("norm", "ord=1 of a vector, as np.linalg.norm", (a(3.0, -4.0, 0.5),), 7.5, {"ord": 1}),
    Rule("norm", "an inf element makes the norm inf", (a(1.0, INF),), INF),
    # a reference defect found here: the sort puts NaN last, so the middle sorted value could be a number
    Rule("median", "if any value is NaN, the result is NaN (np.median; nanmedian ignores them)",
         (a(NAN, 1.0, 2.0),), NAN),
    Rule("median", "per row: a row holding NaN gives NaN (np.median)", (np.array([[1.0, NAN, 2.0], [1.0, 5.0, 2.0]]),),
         lambda x: np.median(x, axis=1), {"axis": 1}),
    Rule("quantile", "if any value is NaN, the result is NaN, for every q (np.quantile)", (a(3.0, NAN, 1.0, 2.0),),
         lambda x: np.quantile(x, [0.0, 0.5, 1.0]), {"q": [0.0, 0.5, 1.0]}),
    Rule("quantile", "per row, lower interpolation (np.quantile)", (np.array([[1.0, NAN, 2.0], [1.0, 5.0, 2.0]]),),
         lambda x: np.quantile(x, 0.7, axis=1, method="lower"), {"q": 0.7, "axis": 1, "interpolation": "lower"}),
    # gradients (grad=True), by hand, as each declaration states its convention
    Rule("max", "tied maxima split the gradient evenly", (a(1.0, 3.0, 3.0),), a(0.0, 0.5, 0.5), grad=True),
    Rule("amin", "tied minima split the gradient evenly", (a(2.0, 1.0, 1.0, 5.0),), a(0.0, 0.5, 0.5, 0.0), grad=True),
    Rule("median", "an even count: each middle value receives half", (a(4.0, 1.0, 3.0, 2.0),), a(0.0, 0.0, 0.5, 0.5),
         grad=True),
    Rule("median", "an odd count: the middle value receives all", (a(3.0, 1.0, 2.0),), a(0.0, 0.0, 1.0), grad=True),
    Rule("norm", "the gradient is x / ||x||: [0.6, 0.8] at [3, 4]", (a(3.0, 4.0),), a(0.6, 0.8), grad=True),
    Rule("norm", "at 0 the gradient is 0/0 = NaN", (a(0.0, 0.0),), a(NAN, NAN), grad=True),
    Rule("logsumexp", "the gradient is softmax(x) (SciPy)", (S,), lambda x: sp.softmax(x), grad=True),
    Rule("prod", "with a zero factor: the product of the others (no 0/0)", (a(2.0, 0.0, 3.0),), a(0.0, 6.0, 0.0),
         grad=True),
    # cummax([1, 1]) = [x0, max(x0, x1)]: x0 gets 1 from the first and 1/2 of the tie in the second
    Rule("cummax", "ties split the gradient among the tied earlier elements", (a(1.0, 1.0),), a(1.5, 0.5),
         {"axis": 0}, grad=True),
]

_GAPPY = np.array([[1.0, NAN, 3.0, 2.0, 10.0], [NAN, NAN, NAN, NAN, NAN], [4.0, -1.0, NAN, 0.5, 2.0]])
RULES += [
    Rule("nanquantile", f"{method} interpolation per row, NaN left out; an all-NaN row gives NaN (np.nanquantile)",
         (_GAPPY,), lambda x, m=method: np.nanquantile(x, [0.1, 0.5, 0.75], axis=1, method=m),
         {"q": [0.1, 0.5, 0.75], "axis": 1, "interpolation": method})
    for method in ("linear", "lower", "higher", "midpoint", "nearest")
] + [
    # by hand: the non-NaN values 1, 2, 3 sorted; q = 0.25 sits at position 0.5, halfway between 1 and 2
    Rule("nanquantile", "flattened when the axis is unpinned: 1.5 between 1 and 2", (a(3.0, NAN, 1.0, 2.0),), 1.5,
         {"q": 0.25}),
]

# ---- NaN-ignoring and cumulative reductions, spreads and weighted means (catalogue round 2)
RULES += [
    Rule("nanmax", "NaN left out; an all-NaN row gives NaN (np.nanmax)", (_GAPPY,), lambda x: np.nanmax(x, axis=1),
         {"axis": 1}),
    Rule("nanmax", "flattened when unpinned: -inf counts, NaN does not", (a(NAN, -INF, 2.0),), 2.0),
    Rule("nanmin", "NaN left out; an all-NaN row gives NaN (np.nanmin)", (_GAPPY,), lambda x: np.nanmin(x, axis=1),
         {"axis": 1}),
    Rule("nanvar", "per row, ddof 0, as np.nanvar", (_GAPPY,), lambda x: np.nanvar(x, axis=1), {"axis": 1}),
    Rule("nanvar", "per row, ddof 1, as np.nanvar", (_GAPPY,), lambda x: np.nanvar(x, axis=1, ddof=1),
         {"axis": 1, "ddof": 1}),
    Rule("nanvar", "flattened, keepdims, as np.nanvar", (_GAPPY,), lambda x: np.nanvar(x, keepdims=True),
         {"keepdims": True}),
    Rule("nanstd", "per row, ddof 1, as np.nanstd", (_GAPPY,), lambda x: np.nanstd(x, axis=1, ddof=1),
         {"axis": 1, "ddof": 1}),
    Rule("nanprod", "NaN counts as 1; an all-NaN row gives 1 (np.nanprod)", (_GAPPY,),
         lambda x: np.nanprod(x, axis=1), {"axis": 1}),
    Rule("nancumsum", "NaN counts as 0 (np.nancumsum)", (a(1.0, NAN, 2.0, NAN),), np.nancumsum, {"axis": 0}),
    Rule("nancumsum", "per row, as np.nancumsum", (_GAPPY,), lambda x: np.nancumsum(x, axis=1), {"axis": 1}),
    Rule("cummin", "running minimum, as np.minimum.accumulate; a NaN stays NaN after it", (a(3.0, 1.0, 2.0, NAN, 0.0),),
         np.minimum.accumulate),
    Rule("cummin", "along an axis, as np.minimum.accumulate", (S,), lambda x: np.minimum.accumulate(x, axis=1),
         {"axis": 1}),
    Rule("logcumsumexp", "running logsumexp, as np.logaddexp.accumulate; large values do not overflow",
         (a(1000.0, 1000.0, -INF, 0.0),), np.logaddexp.accumulate),
    Rule("logcumsumexp", "a leading -inf gives -inf", (a(-INF, -INF, 1.0),), a(-INF, -INF, 1.0)),
    Rule("logcumsumexp", "along axis 1, as np.logaddexp.accumulate", (S,), lambda x: np.logaddexp.accumulate(x, axis=1),
         {"axis": 1}),
    Rule("ptp", "max - min, as np.ptp; NaN propagates", (S,), np.ptp),
    Rule("ptp", "per row, keepdims, as np.ptp", (S,), lambda x: np.ptp(x, axis=1, keepdims=True),
         {"axis": 1, "keepdims": True}),
    Rule("ptp", "a NaN makes the range NaN", (a(1.0, NAN, 3.0),), NAN),
    Rule("percentile", "the q-th percentile is np.percentile", (S,), lambda x: np.percentile(x, 30.0), {"q": 30.0}),
    Rule("percentile", "a list of q per row, midpoint (np.percentile)", (S,),
         lambda x: np.percentile(x, [0.0, 50.0, 90.0], axis=1, method="midpoint"),
         {"q": [0.0, 50.0, 90.0], "axis": 1, "interpolation": "midpoint"}),
    Rule("average", "weighted over everything, as np.average", (S, P), lambda x, w: np.average(x, weights=w)),
    Rule("average", "1-D weights along axis 1, as np.average", (S, a(1.0, 2.0, 0.0, 3.0)),
         lambda x, w: np.average(x, axis=1, weights=w), {"axis": 1}),
    # by hand: weights [1, 3] on [2, 6]: (2 + 18) / 4 = 5
    Rule("average", "weights [1, 3] on [2, 6] give 5", (a(2.0, 6.0), a(1.0, 3.0)), 5.0),
    Rule("diff", "first differences along the last axis, as np.diff", (S,), lambda x: np.diff(x)),
    Rule("diff", "second differences along axis 0, as np.diff", (S,), lambda x: np.diff(x, n=2, axis=0),
         {"n": 2, "axis": 0}),
    Rule("diff", "inf - inf is NaN", (a(1.0, INF, INF),), a(INF, NAN)),
    Rule("trapezoid", "the trapezoidal rule, as np.trapezoid", (S,), lambda x: np.trapezoid(x)),
    Rule("trapezoid", "spacing 0.5 along axis 0, as np.trapezoid", (S,), lambda x: np.trapezoid(x, dx=0.5, axis=0),
         {"dx": 0.5, "axis": 0}),
    Rule("trapezoid", "one sample integrates to 0", (a(3.0),), 0.0),
]
RULES += [
    # by hand: l = [z0, log(e^z0 + e^z1)]; d(l0 + l1)/dz = [1 + s0, s1], s the softmax of [z0, z1]: at [0, 0], [1.5, 0.5]
    Rule("logcumsumexp", "the gradient is a running softmax: [1.5, 0.5] at [0, 0]", (a(0.0, 0.0),), a(1.5, 0.5),
         grad=True),
]
