"""The judge checked against implementations it does not share code with, array-api-tests style.

Each rule is one line: an op, the rule in words ("if x is NaN, the result is NaN"), the inputs,
and the expected value from an independent implementation (NumPy / SciPy built-ins, mpmath)
or computed by hand. The reference formula runs as the reference column runs it: jax.numpy
in float64 (jax.enable_x64, scoped to the call), through the registry's declaration; its
unpinned attributes take their stated reference values. Rules cite the Array API standard
(https://data-apis.org/array-api/latest/API_specification/) where it states them.
`test_every_family_has_independent_checks` walks the registry and prints the count per family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import mpmath
import numpy as np
import pytest
import scipy.special as sp
from scipy import signal

from oracle.ops import FAMILIES, OPS

NAN, INF = math.nan, math.inf
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.5, -2.5, 1e-300, 700.0]  # NaN, +-inf, +-0, a tiny and a huge exponent
API = "https://data-apis.org/array-api/latest/API_specification/generated/array_api.{}.html"
rng = np.random.default_rng(22)
S = rng.normal(size=(3, 4))  # a sample
P = rng.uniform(0.05, 0.95, size=(3, 4))  # a sample of probabilities
T = (rng.uniform(size=(3, 4)) > 0.5) * 1.0  # binary targets


@dataclass(frozen=True)
class Rule:
    op: str
    text: str
    args: tuple[Any, ...]
    want: Any  # a value computed here, or a function of the args (an independent implementation)
    attrs: dict[str, Any] = field(default_factory=dict)
    signed: bool = False  # -0.0 and 0.0 must differ
    cite: str = ""
    view: Callable[[Any], Any] | None = None  # an op with several outputs: what of them is compared (a sign invariant)

    @property
    def id(self) -> str:
        return f"{self.op}: {self.text}"


def a(*values: Any) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def mp(fn: Callable[..., Any]) -> Callable[[np.ndarray], np.ndarray]:
    """An elementwise function evaluated by mpmath at 50 digits (NaN in, NaN out)."""
    def run(x: np.ndarray) -> np.ndarray:
        with mpmath.workdps(50):
            return np.array([NAN if math.isnan(v) else float(fn(mpmath.mpf(v))) for v in np.ravel(x)]).reshape(
                np.shape(x))
    return run


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


RULES = [
    # --- elementwise: NumPy's ufuncs and SciPy's special functions on the special values
    Rule("exp", "exp on special values is NumPy's exp", (a(*SPECIAL),), np.exp, cite=API.format("exp")),
    Rule("log", "if x < 0, NaN; if x is +-0, -inf; if x is +inf, +inf", (a(-1.0, 0.0, -0.0, INF, NAN, 2.0),),
         a(NAN, -INF, -INF, INF, NAN, math.log(2.0)), cite=API.format("log")),
    Rule("sqrt", "if x < 0, NaN; if x is -0, -0; sqrt(+inf) is +inf", (a(-1.0, -0.0, 0.0, INF, 4.0),),
         a(NAN, -0.0, 0.0, INF, 2.0), signed=True, cite=API.format("sqrt")),
    Rule("abs", "if x is -0 or 0, +0; |+-inf| is +inf; NaN stays NaN", (a(-0.0, 0.0, -INF, INF, NAN, -2.5),),
         a(0.0, 0.0, INF, INF, NAN, 2.5), signed=True, cite=API.format("abs")),
    Rule("negative", "-(+0) is -0", (a(0.0, -0.0, INF, NAN),), a(-0.0, 0.0, -INF, NAN), signed=True),
    Rule("sign", "sign(+-0) is 0, sign(NaN) is NaN", (a(-0.0, 0.0, -3.0, 2.0, NAN, -INF),), np.sign,
         cite=API.format("sign")),
    Rule("sin", "sin on special values is NumPy's", (a(*SPECIAL),), np.sin, cite=API.format("sin")),
    Rule("cos", "cos on special values is NumPy's", (a(*SPECIAL),), np.cos, cite=API.format("cos")),
    Rule("tanh", "tanh(+-inf) is +-1, tanh(-0) is -0", (a(*SPECIAL),), np.tanh, signed=True, cite=API.format("tanh")),
    Rule("sinh", "sinh on special values is NumPy's", (a(*SPECIAL[:7]),), np.sinh, cite=API.format("sinh")),
    Rule("cosh", "cosh on special values is NumPy's", (a(*SPECIAL[:7]),), np.cosh, cite=API.format("cosh")),
    Rule("arcsin", "|x| > 1 gives NaN", (a(-1.5, -1.0, 0.5, 1.0, 2.0, NAN),), np.arcsin, cite=API.format("asin")),
    Rule("arctan", "arctan(+-inf) is +-pi/2", (a(*SPECIAL),), np.arctan, cite=API.format("atan")),
    Rule("expm1", "expm1 near 0 keeps precision (mpmath)", (a(1e-10, -1e-12, 0.5, -INF),), mp(mpmath.expm1)),
    Rule("log1p", "log1p near 0 keeps precision; log1p(-1) is -inf", (a(1e-10, -1e-12, 0.5, -1.0),),
         a(float(mpmath.log1p(mpmath.mpf(1e-10))), float(mpmath.log1p(mpmath.mpf(-1e-12))), math.log1p(0.5), -INF)),
    Rule("log2", "log2 is NumPy's", (a(1.0, 8.0, 0.0, INF, -1.0),), np.log2),
    Rule("log10", "log10 is NumPy's", (a(1.0, 1000.0, 0.0, INF, -1.0),), np.log10),
    Rule("floor", "floor keeps -0 and +-inf", (a(-0.0, -1.5, 1.5, INF, -INF, NAN),), np.floor, signed=True),
    Rule("ceil", "ceil(-0.5) is -0", (a(-0.5, 1.2, -INF, NAN),), np.ceil, signed=True),
    Rule("trunc", "trunc rounds toward 0", (a(-1.7, 1.7, -0.2, INF),), np.trunc, signed=True),
    Rule("square", "square on special values is NumPy's", (a(*SPECIAL[:7]),), np.square),
    Rule("reciprocal", "1/+-0 is +-inf", (a(0.0, -0.0, INF, 4.0),), a(INF, -INF, 0.0, 0.25), signed=True),
    Rule("erf", "erf is SciPy's", (a(*SPECIAL),), sp.erf),
    Rule("erfc", "erfc is SciPy's (tails included)", (a(-INF, 0.0, 5.0, 30.0, NAN),), sp.erfc),
    Rule("lgamma", "lgamma is log|Gamma| (SciPy's gammaln); poles give +inf", (a(0.5, 3.0, -2.5, 0.0, -1.0),),
         sp.gammaln),
    Rule("digamma", "digamma is SciPy's psi", (a(0.5, 3.0, 10.0, -2.5),), sp.psi),
    Rule("add", "inf + -inf is NaN; -0 + -0 is -0", (a(INF, -0.0, 1.0), a(-INF, -0.0, NAN)), np.add, signed=True,
         cite=API.format("add")),
    Rule("subtract", "inf - inf is NaN", (a(INF, 1.0), a(INF, 2.0)), np.subtract),
    Rule("multiply", "0 * inf is NaN", (a(0.0, -2.0, INF), a(INF, -0.0, -1.0)), np.multiply, signed=True,
         cite=API.format("multiply")),
    Rule("divide", "x / 0 is +-inf or NaN (0 / 0)", (a(1.0, -1.0, 0.0, 1.0), a(0.0, 0.0, 0.0, -0.0)), np.divide,
         cite=API.format("divide")),
    Rule("maximum", "if either is NaN, the result is NaN", (a(NAN, 1.0, -INF), a(0.0, NAN, 2.0)), np.maximum,
         cite=API.format("maximum")),
    Rule("minimum", "if either is NaN, the result is NaN", (a(NAN, 1.0, INF), a(0.0, NAN, 2.0)), np.minimum,
         cite=API.format("minimum")),
    Rule("fmax", "a NaN operand is ignored", (a(NAN, 1.0, NAN), a(0.0, NAN, NAN)), np.fmax),
    Rule("fmin", "a NaN operand is ignored", (a(NAN, 1.0, NAN), a(0.0, NAN, NAN)), np.fmin),
    Rule("hypot", "if either is +-inf, the result is +inf, even beside NaN",
         (a(INF, 3.0, 1e300, -INF, NAN, 0.0), a(NAN, 4.0, 1e300, 2.0, 1.0, 0.0)), np.hypot, cite=API.format("hypot")),
    Rule("logaddexp", "logaddexp(-inf, -inf) is -inf; large arguments do not overflow",
         (a(-INF, 1000.0, 1.0), a(-INF, 1000.0, 2.0)), np.logaddexp, cite=API.format("logaddexp")),
    Rule("xlogy", "0 * log(0) is 0; xlogy is SciPy's", (a(0.0, 0.0, 2.0, 1.0), a(0.0, 3.0, 0.0, NAN)), sp.xlogy),
    Rule("arctan2", "the signs of zeros choose the quadrant", (a(0.0, -0.0, 0.0, -0.0), a(-0.0, -0.0, 0.0, 0.0)),
         np.arctan2, signed=True, cite=API.format("atan2")),
    Rule("pow", "x ** 0 is 1 even for NaN; 1 ** y is 1", (a(NAN, 1.0, 2.0, 0.0), a(0.0, NAN, -1.0, -1.0)), np.power,
         cite=API.format("pow")),
    Rule("remainder", "the result takes the divisor's sign", (a(5.0, -5.0, 5.0), a(3.0, 3.0, -3.0)), np.remainder),
    Rule("fmod", "the result takes the dividend's sign", (a(5.0, -5.0, 5.0), a(3.0, 3.0, -3.0)), np.fmod),
    Rule("floor_divide", "rounds toward -inf; 1 // 0 is inf", (a(5.0, -5.0, 1.0), a(3.0, 3.0, 0.0)), np.floor_divide),
    Rule("round", "halves round to even", (a(0.5, 1.5, 2.5, -0.5),), a(0.0, 2.0, 2.0, -0.0), signed=True,
         cite=API.format("round")),
    # --- activations: the definitions, on samples and at NaN, +-inf, and the kinks
    Rule("relu", "if x is NaN, the result is NaN; relu is max(x, 0)", (a(NAN, -INF, -1.0, 0.0, 2.0, INF),),
         lambda x: np.maximum(x, 0.0)),
    Rule("relu", "relu of a sample is max(x, 0)", (S,), lambda x: np.maximum(x, 0.0)),
    Rule("relu6", "if x is NaN, the result is NaN; relu6 is min(max(x, 0), 6)", (a(NAN, -1.0, 3.0, 6.0, 7.0, INF),),
         lambda x: np.minimum(np.maximum(x, 0.0), 6.0)),
    Rule("sigmoid", "sigmoid is SciPy's expit, saturating at +-inf", (a(*SPECIAL),), sp.expit),
    Rule("log_sigmoid", "log_sigmoid is -softplus(-x), finite for large negative x", (a(-800.0, -1.0, 0.0, 30.0),),
         lambda x: -np.logaddexp(0.0, -x)),
    Rule("softplus", "softplus is log(1 + e^x) (logaddexp(0, x)), linear for large x", (a(-800.0, -1.0, 0.0, 800.0),),
         softplus),
    Rule("silu", "silu is x * expit(x)", (S,), lambda x: x * sp.expit(x)),
    Rule("mish", "mish is x * tanh(softplus(x))", (S,), lambda x: x * np.tanh(softplus(x))),
    Rule("gelu", "exact gelu is x * Phi(x) (SciPy's ndtr)", (a(-3.0, -0.5, 0.0, 1.0, 4.0),), lambda x: x * sp.ndtr(x)),
    Rule("elu", "elu is x if x > 0 else expm1(x)", (a(-INF, -2.0, -0.0, 0.5),), lambda x: np.where(x > 0, x, np.expm1(x))),
    Rule("selu", "selu's constants are Klambauer et al.'s", (a(-1.0, 0.0, 2.0),),
         lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    Rule("leaky_relu", "the slope below 0 is 0.01 (the stated reference value)", (a(-2.0, 0.0, 3.0),),
         a(-0.02, 0.0, 3.0)),
    Rule("softsign", "softsign is x / (1 + |x|), and its limit +-1 at +-inf", (a(-INF, -1.0, 0.0, 3.0, INF),),
         a(-1.0, -0.5, 0.0, 0.75, 1.0)),
    Rule("hard_tanh", "hard_tanh clips to [-1, 1]", (a(-2.0, -0.5, 0.5, 2.0),), lambda x: np.clip(x, -1.0, 1.0)),
    Rule("hard_sigmoid", "hard_sigmoid is relu6(x + 3) / 6", (a(-4.0, -3.0, 0.0, 3.0, 4.0),), a(0.0, 0.0, 0.5, 1.0, 1.0)),
    Rule("softmax", "softmax is SciPy's, over the last axis", (S,), lambda x: sp.softmax(x, axis=-1)),
    Rule("softmax", "a -inf logit has probability 0", (a(-INF, 0.0, 0.0),), a(0.0, 0.5, 0.5)),
    Rule("log_softmax", "log_softmax is SciPy's, stable for large logits", (a(1000.0, 0.0, -1000.0),),
         lambda x: sp.log_softmax(x)),
    # --- reductions: NumPy's, on samples, with NaN and on empty input
    Rule("sum", "the sum of nothing is 0", (np.zeros((0,)),), 0.0, cite=API.format("sum")),
    Rule("sum", "sum of a sample is NumPy's", (S,), np.sum),
    Rule("prod", "the product of nothing is 1", (np.zeros((0,)),), 1.0, cite=API.format("prod")),
    Rule("mean", "a NaN makes the mean NaN", (a(1.0, NAN),), NAN),
    Rule("max", "a NaN makes the maximum NaN", (a(1.0, NAN, 3.0),), NAN, cite=API.format("max")),
    Rule("min", "min of a sample is NumPy's", (S,), np.min),
    Rule("var", "var with ddof 0 is NumPy's", (S,), np.var),
    Rule("std", "std with ddof 0 is NumPy's", (S,), np.std),
    Rule("logsumexp", "logsumexp is SciPy's, stable for large x", (a(1000.0, 1000.0, -INF),), sp.logsumexp),
    Rule("logsumexp", "logsumexp of all -inf is -inf", (a(-INF, -INF),), -INF),
    Rule("median", "an even count averages the two middle values", (a(4.0, 1.0, 3.0, 2.0),), 2.5),
    Rule("argmax", "ties give the first index", (a(1.0, 3.0, 3.0, 0.0),), 1),
    Rule("cumsum", "cumsum is NumPy's (flattened when unpinned)", (a(1.0, 2.0, 3.0),), np.cumsum, {"axis": 0}),
    Rule("nansum", "NaNs count as 0", (a(1.0, NAN, 2.0),), 3.0),
    Rule("nanmean", "NaNs are left out of the mean", (a(1.0, NAN, 2.0),), 1.5),
    # --- losses: the formulas by hand, SciPy's xlogy / log_softmax / rel_entr, limits at +-inf
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
    # --- linalg: NumPy's LAPACK-backed routines
    Rule("matmul", "matmul is NumPy's", (S, S.T), np.matmul),
    Rule("det", "det is NumPy's", (S[:, :3],), np.linalg.det),
    Rule("inv", "inv is NumPy's", (S[:, :3],), np.linalg.inv),
    Rule("solve", "solve is NumPy's", (S[:, :3], S[:, 3]), np.linalg.solve),
    Rule("svd_s", "singular values are NumPy's, descending", (S,), lambda x: np.linalg.svd(x, compute_uv=False)),
    Rule("eigh_values", "eigenvalues of a symmetric matrix are NumPy's, ascending", (S @ S.T,), np.linalg.eigvalsh),
    Rule("svd", "s: NumPy's singular values, descending", (S,), lambda x: np.linalg.svd(x, compute_uv=False),
         {"full_matrices": False}, view=lambda out: out[1]),
    Rule("svd", "|u|: NumPy's |u| (each pair's sign is a convention)", (S,),
         lambda x: np.abs(np.linalg.svd(x, full_matrices=False)[0]), {"full_matrices": False},
         view=lambda out: np.abs(out[0])),
    Rule("svd", "u diag(s) vh gives back a", (S,), lambda x: x, {"full_matrices": False},
         view=lambda out: (out[0] * out[1]) @ out[2]),
    Rule("svd", "full_matrices: vh is [N, N] and orthogonal (to 12 decimals)", (S,), np.eye(4), {"full_matrices": True},
         view=lambda out: np.round(out[2] @ out[2].T, 12) + 0.0),
    Rule("eigh", "eigenvalues: NumPy's, ascending", (S @ S.T,), np.linalg.eigvalsh, view=lambda out: out[0]),
    Rule("eigh", "|v|: NumPy's |v| (each eigenvector's sign is a convention)", (S @ S.T,),
         lambda x: np.abs(np.linalg.eigh(x)[1]), view=lambda out: np.abs(out[1])),
    Rule("eigh", "the lower triangle is read: v diag(w) v^T is a's lower triangle mirrored (NumPy's UPLO='L')", (S[:, :3],),
         lambda x: np.tril(x) + np.tril(x, -1).T, view=lambda out: (out[1] * out[0]) @ out[1].T),
    Rule("cholesky", "cholesky is NumPy's lower factor", (S @ S.T + np.eye(3),), np.linalg.cholesky),
    Rule("trace", "trace is NumPy's", (S[:, :3],), np.trace),
    Rule("outer", "outer is NumPy's", (a(1.0, 2.0), a(3.0, 4.0, 5.0)), np.outer),
    # --- normalization: the formulas by hand in NumPy
    Rule("layer_norm", "(x - mean) / sqrt(var + 1e-5) over the last axis", (S,),
         lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5), {"normalized_shape": [4]}),
    Rule("group_norm", "[N, C, L]: each group of channels with all of L", (rng.normal(size=(2, 4, 3)),),
         lambda x: ((x.reshape(2, 2, 6) - x.reshape(2, 2, 6).mean(-1, keepdims=True))
                    / np.sqrt(x.reshape(2, 2, 6).var(-1, keepdims=True) + 1e-5)).reshape(2, 4, 3), {"num_groups": 2}),
    Rule("l2_normalize", "x / ||x|| along the last axis", (S,), lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)),
    # --- indexing: NumPy's
    Rule("scatter_add", "duplicate indices accumulate", (a(0.0, 0.0, 0.0), np.array([1, 1, 2]), a(1.0, 2.0, 3.0)),
         a(0.0, 3.0, 3.0)),
    Rule("scatter_add", "a scalar index takes one row", (a(1.0, 2.0), np.array(0), np.array(5.0)), a(6.0, 2.0)),
    Rule("scatter_max", "x takes part; duplicate indices: the largest wins",
         (a(0.0, 0.0, 0.0, 0.0), np.array([1, 1, 2, 3]), a(3.0, 5.0, -1.0, 2.0)), a(0.0, 5.0, 0.0, 2.0)),
    Rule("scatter_max", "a NaN update or a NaN row gives NaN (IEEE maximum), in any order",
         (a(0.0, NAN), np.array([0, 0, 1]), a(NAN, 2.0, 1.0)), a(NAN, NAN)),
    Rule("scatter_max", "rows of a matrix", (np.zeros((2, 2)), np.array([1]), a(-1.0, 4.0).reshape(1, 2)),
         a(0.0, 0.0, 0.0, 4.0).reshape(2, 2)),
    Rule("scatter_min", "x takes part; duplicate indices: the smallest wins",
         (a(0.0, 0.0, 0.0, 0.0), np.array([1, 1, 2, 3]), a(-3.0, -5.0, 1.0, -2.0)), a(0.0, -5.0, 0.0, -2.0)),
    Rule("scatter_min", "a NaN update gives NaN (IEEE minimum); a negative index counts from the end",
         (a(0.0, 1.0), np.array([0, 0, -1]), a(NAN, -2.0, 3.0)), a(NAN, 1.0)),
    Rule("sort", "NaN sorts last", (a(3.0, NAN, -INF, 1.0),), np.sort),
    Rule("argsort", "the sort is stable: ties keep their order", (a(2.0, 1.0, 2.0, 1.0),),
         lambda x: np.argsort(x, kind="stable")),
    Rule("take", "take of the flattened input is NumPy's", (S, np.array([0, 5, 11])), lambda x, i: np.take(x, i)),
    Rule("searchsorted", "side left gives the first insertion index", (a(1.0, 2.0, 2.0, 3.0), a(2.0, 0.0, 4.0)),
         lambda s, v: np.searchsorted(s, v, side="left")),
    Rule("bucketize", "right=False: boundaries[i-1] < x <= boundaries[i] (torch's page example, by hand)",
         (a(3.0, 6.0, 9.0, 0.0, 10.0), a(1.0, 3.0, 5.0, 7.0, 9.0)), a(1.0, 3.0, 4.0, 0.0, 5.0)),
    Rule("bucketize", "right=True: boundaries[i-1] <= x < boundaries[i]; NaN goes past the last boundary",
         (a(3.0, 6.0, 9.0, NAN), a(1.0, 3.0, 5.0, 7.0, 9.0)), a(2.0, 3.0, 5.0, 5.0), {"right": True}),
    Rule("one_hot", "rows of the identity", (np.array([0, 2]),), np.eye(3)[[0, 2]], {"num_classes": 3}),
    # --- metrics: counted by hand
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
    # --- comparison: IEEE 754 as NumPy implements it
    Rule("equal", "NaN equals nothing, itself included; -0 == +0", (a(NAN, -0.0, 1.0), a(NAN, 0.0, 2.0)), np.equal,
         cite=API.format("equal")),
    Rule("not_equal", "NaN != NaN is true", (a(NAN, 1.0), a(NAN, 1.0)), np.not_equal, cite=API.format("not_equal")),
    Rule("less", "a comparison with NaN is false", (a(NAN, 1.0, -INF), a(1.0, NAN, INF)), np.less),
    Rule("greater_equal", "a comparison with NaN is false; inf >= inf", (a(NAN, INF), a(NAN, INF)), np.greater_equal),
    Rule("isnan", "only NaN is NaN", (a(*SPECIAL),), np.isnan, cite=API.format("isnan")),
    Rule("isinf", "+-inf only", (a(*SPECIAL),), np.isinf, cite=API.format("isinf")),
    Rule("isfinite", "neither NaN nor +-inf", (a(*SPECIAL),), np.isfinite, cite=API.format("isfinite")),
    Rule("isclose", "NaN is not close to NaN unless equal_nan; inf is close to inf",
         (a(NAN, INF, 1.0), a(NAN, INF, 1.0 + 1e-9)),
         lambda x, y: np.isclose(x, y, rtol=1e-5, atol=1e-8)),
    Rule("logical_xor", "nonzero is true, NaN included", (a(NAN, 0.0, 1.0), a(0.0, 0.0, 2.0)), np.logical_xor),
    Rule("where", "picks x where the condition holds", (np.array([True, False]), a(1.0, 2.0), a(3.0, 4.0)), a(1.0, 4.0)),
    # --- shape: NumPy's
    Rule("reshape", "row-major, as np.reshape", (S,), lambda x: np.reshape(x, (4, 3)), {"shape": [4, 3]}),
    Rule("transpose", "reverses the axes when unpinned", (S,), np.transpose),
    Rule("concatenate", "along an axis, as np.concatenate", (S, S), lambda x, y: np.concatenate([x, y], 1), {"axis": 1}),
    Rule("stack", "a new axis, as np.stack", (S, S), lambda x, y: np.stack([x, y], 0), {"axis": 0}),
    Rule("tile", "as np.tile", (a(1.0, 2.0),), np.tile(a(1.0, 2.0), 2), {"reps": [2]}),
    Rule("flip", "all axes when unpinned", (S,), np.flip),
    Rule("roll", "of the flattened input when no axis, as np.roll", (S,), lambda x: np.roll(x, 2), {"shift": 2}),
    Rule("tril", "as np.tril", (S,), np.tril),
    Rule("pad", "symmetric mirrors with the edge element, as np.pad", (S,),
         lambda x: np.pad(x, [(1, 1), (2, 3)], mode="symmetric"), {"pad_width": [[1, 1], [2, 3]], "mode": "symmetric"}),
    Rule("pad", "reflect mirrors without the edge element, as np.pad", (S,),
         lambda x: np.pad(x, [(2, 1), (3, 0)], mode="reflect"), {"pad_width": [[2, 1], [3, 0]], "mode": "reflect"}),
    Rule("band_part", "1 below, 2 above: np.triu then np.tril", (S,), lambda x: np.tril(np.triu(x, -1), 2),
         {"num_lower": 1, "num_upper": 2}),
    Rule("band_part", "a negative count keeps the whole triangle (batched)", (rng.normal(size=(2, 3, 4)),),
         lambda x: np.triu(x, -1), {"num_lower": 1, "num_upper": -1}),
    Rule("band_part", "NaN outside the band becomes 0 (selected, not multiplied)",
         (a(1.0, NAN, NAN, 2.0).reshape(2, 2),), a(1.0, 0.0, 0.0, 2.0).reshape(2, 2), {"num_lower": 0, "num_upper": 0}),
    Rule("diagonal", "as np.diagonal", (S,), np.diagonal),
    Rule("expand_dims", "as np.expand_dims", (S,), lambda x: np.expand_dims(x, 0), {"axis": 0}),
    Rule("broadcast_to", "as np.broadcast_to", (a(1.0, 2.0),), np.broadcast_to(a(1.0, 2.0), (3, 2)), {"shape": [3, 2]}),
    # --- casting
    Rule("cast", "float to int32 truncates toward 0", (a(1.7, -1.7, 0.5),), a(1.0, -1.0, 0.0), {"dtype": "int32"}),
    Rule("true_divide", "true division of integers is a float", (np.array([1, 3]), np.array([2, 2])), a(0.5, 1.5)),
    Rule("float_power", "float_power is NumPy's", (a(2.0, 4.0, 0.0), a(0.5, -1.0, 0.0)), np.float_power),
    # --- more reductions
    Rule("amax", "a NaN makes the maximum NaN", (a(1.0, NAN),), NAN),
    Rule("argmin", "ties give the first index", (a(1.0, 0.0, 0.0),), 1),
    Rule("all", "all of nothing is true", (np.zeros((0,)),), True, cite=API.format("all")),
    Rule("any", "NaN is true", (a(0.0, NAN),), True, cite=API.format("any")),
    Rule("cumprod", "cumprod is NumPy's", (a(1.0, 2.0, 3.0),), np.cumprod, {"axis": 0}),
    Rule("quantile", "linear interpolation, as np.quantile", (S,), lambda x: np.quantile(x, 0.3), {"q": 0.3}),
    Rule("vector_norm", "the 2-norm of all elements, as np.linalg.norm", (S,), lambda x: np.linalg.norm(x.ravel())),
    Rule("count_nonzero", "NaN counts as nonzero", (a(0.0, NAN, -0.0, 2.0),), 2),
    # --- more losses, by hand
    Rule("smooth_l1_loss", "0.5 d^2 / beta inside beta = 1, |d| - 0.5 outside", (a(0.5, 3.0), a(0.0, 0.0)),
         a(0.125, 2.5), {"reduction": "none"}),
    Rule("log_cosh", "log(cosh(d)), finite for large d", (a(800.0, 0.0), a(0.0, 0.0)),
         a(800.0 - math.log(2.0), 0.0), {"reduction": "none"}),
    Rule("hinge", "mean of max(0, 1 - t y)", (a(0.5, -2.0), a(1.0, 1.0)), a(0.5, 3.0), {"reduction": "none"}),
    Rule("hinge_embedding", "x where y = 1, max(0, 1 - x) where y = -1", (a(0.3, -0.5, 1.5, 2.0), a(1.0, -1.0, -1.0, 1.0)),
         a(0.3, 1.5, 0.0, 2.0), {"reduction": "none"}),
    Rule("hinge_embedding", "margin 2, the mean", (a(0.3, -0.5, 1.5, 2.0), a(1.0, -1.0, -1.0, 1.0)),
         (0.3 + 2.5 + 0.5 + 2.0) / 4, {"margin": 2.0, "reduction": "mean"}),
    Rule("mape", "100 |d| / |t|", (a(1.0, 3.0), a(2.0, 2.0)), a(50.0, 50.0), {"reduction": "none"}),
    Rule("msle", "(log1p(p) - log1p(t))^2", (a(0.0, np.e - 1), a(np.e - 1, np.e - 1)), a(1.0, 0.0), {"reduction": "none"}),
    Rule("kl_div_probs", "target log(target / pred), SciPy's rel_entr", (P, P[::-1]), lambda q, p: sp.rel_entr(p, q),
         {"reduction": "none"}),
    # --- more metrics, counted by hand
    Rule("precision", "tp / (tp + fp); 0/0 is NaN", (a(0.1, 0.2), a(1.0, 0.0)), NAN),
    Rule("recall", "tp / (tp + fn)", (a(0.9, 0.2, 0.7), a(1.0, 1.0, 0.0)), 0.5),
    Rule("f1", "2 tp / (2 tp + fp + fn)", (a(0.9, 0.2, 0.7), a(1.0, 1.0, 0.0)), 0.5),
    Rule("mean_iou", "classes absent from both are left out", (np.array([0, 1, 1]), np.array([0, 1, 0])),
         (1 / 2 + 1 / 2) / 2, {"num_classes": 3}),
    Rule("log_loss", "the mean of -(t log p + (1 - t) log(1 - p))", (P, T),
         lambda p, t: -np.mean(sp.xlogy(t, p) + sp.xlogy(1 - t, 1 - p))),
    # --- more normalization
    Rule("instance_norm", "[N, C, L]: each channel of each sample over L", (rng.normal(size=(2, 3, 4)),),
         lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)),
    Rule("rms_norm", "x / sqrt(mean(x^2) + 1e-5) over the last axis", (S,),
         lambda x: x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-5), {"normalized_shape": [4]}),
    # --- more linalg and indexing: NumPy's
    Rule("dot", "dot of vectors is NumPy's", (a(1.0, 2.0, 3.0), a(4.0, 5.0, 6.0)), np.dot),
    Rule("einsum", "einsum is NumPy's", (S, S), lambda x, y: np.einsum("ij,kj->ik", x, y), {"equation": "ij,kj->ik"}),
    Rule("tensordot", "contracts the last two axes by default", (S, S), lambda x, y: np.tensordot(x, y, 2)),
    Rule("slogdet", "log|det| is NumPy's slogdet", (S[:, :3],), lambda m: np.linalg.slogdet(m)[1]),
    Rule("pinv", "pinv is NumPy's", (S,), lambda m: np.linalg.pinv(m, rcond=1e-5)),
    Rule("matrix_norm", "fro by default, as np.linalg.norm", (S,), lambda m: np.linalg.norm(m, "fro")),
    Rule("take_along_axis", "the last axis, as np.take_along_axis", (S, np.array([[0], [3], [1]])),
         lambda x, i: np.take_along_axis(x, i, -1), {"axis": -1}),
    Rule("index_select", "rows, as np.take along 0", (S, np.array([2, 0])), lambda x, i: np.take(x, i, 0), {"axis": 0}),
    Rule("top_k_values", "the k largest, largest first", (a(3.0, 1.0, 4.0, 1.5),), a(4.0, 3.0), {"k": 2}),
    Rule("embedding", "rows of the weight", (S, np.array([2, 2, 0])), lambda w, i: w[i]),
    Rule("unique_values", "sorted distinct values, as np.unique", (a(3.0, 1.0, 3.0, 2.0),), np.unique),
    # --- optimizers: one step by hand (torch's documented update rules), schedules and clipping
    Rule("sgd_step", "p - lr g", (a(1.0, -2.0), a(0.5, -1.0)), a(0.95, -1.9), {"learning_rate": 0.1}),
    Rule("adam_step", "step 1: m_hat = g, v_hat = g^2: p - lr g / (|g| + eps)", (a(1.0, -2.0), a(0.5, -1.0)),
         lambda p, g: p - 1e-3 * g / (np.abs(g) + 1e-8)),
    Rule("adagrad_step", "step 1 from a zero accumulator: p - lr g / (|g| + eps)", (a(1.0, -2.0), a(0.5, -1.0)),
         lambda p, g: p - 0.01 * g / (np.abs(g) + 1e-10)),
    Rule("rmsprop_step", "step 1: v = (1 - rho) g^2; p - lr g / (sqrt(v) + eps)", (a(1.0, -2.0), a(0.5, -1.0)),
         lambda p, g: p - 1e-3 * g / (np.sqrt(0.1 * g ** 2) + 1e-8)),
    Rule("lion_step", "step 1: p - lr sign(g)", (a(1.0, -2.0), a(0.5, -1.0)), lambda p, g: p - 1e-4 * np.sign(g)),
    Rule("clip_grad_norm", "scaled to max_norm when the norm exceeds it", (a(3.0, 4.0),), a(0.6, 0.8), {"max_norm": 1.0}),
    Rule("clip_grad_value", "each element clipped to [-c, c]", (a(3.0, -4.0, 0.5),), a(1.0, -1.0, 0.5), {"clip_value": 1.0}),
    Rule("step_decay_schedule", "lr gamma^floor(step / step_size)", (np.array([0, 2, 5]),), a(1.0, 0.1, 0.01),
         {"learning_rate": 1.0, "step_size": 2}),
    Rule("exponential_decay_schedule", "lr rate^(step / decay_steps), continuous", (np.array([0, 1, 2]),),
         a(1.0, 0.5 ** 0.5, 0.5), {"learning_rate": 1.0, "decay_rate": 0.5, "decay_steps": 2}),
    Rule("cosine_decay_schedule", "lr (1 + cos(pi t / T)) / 2, flat after T", (np.array([0, 2, 4, 6]),),
         a(1.0, 0.5, 0.0, 0.0), {"learning_rate": 1.0, "decay_steps": 4}),
    Rule("linear_schedule", "init + (end - init) min(step / T, 1)", (np.array([0, 1, 4]),), a(1.0, 0.5, 0.0),
         {"init_value": 1.0, "end_value": 0.0, "transition_steps": 2}),
    # --- conv: by hand and NumPy's correlate
    Rule("resize", "linear, half-pixel centres: [1, 2, 3, 4] to 3", (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 4),),
         a(7 / 6, 2.5, 23 / 6).reshape(1, 1, 3), {"size": [3], "method": "bilinear"}),
    Rule("resize", "nearest picks floor((i + 0.5) in / out): elements 1 and 3 of 4",
         (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 4),), a(2.0, 4.0).reshape(1, 1, 2), {"size": [2], "method": "nearest"}),
    Rule("conv1d", "conv1d is a cross-correlation (NumPy's correlate, valid)",
         (a(1.0, 2.0, 3.0, 4.0).reshape(1, 1, 4), a(1.0, 0.0, -1.0).reshape(1, 1, 3)),
         np.correlate([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, -1.0], "valid").reshape(1, 1, 2)),
    Rule("conv2d", "conv2d is a cross-correlation (SciPy's correlate2d, valid)",
         (S.reshape(1, 1, 3, 4), a(1.0, -1.0, 0.5, 2.0).reshape(1, 1, 2, 2)),
         lambda x, w: signal.correlate2d(x[0, 0], w[0, 0], "valid")[None, None]),
    Rule("global_avg_pool2d", "the mean of each channel", (S.reshape(1, 1, 3, 4),), np.mean(S).reshape(1, 1)),
    Rule("adaptive_avg_pool2d", "bins [floor(i H / out), ceil((i + 1) H / out))", (S.reshape(1, 1, 3, 4),),
         np.array([[S[0:2, 0:2].mean(), S[0:2, 2:4].mean()], [S[1:3, 0:2].mean(), S[1:3, 2:4].mean()]])[None, None],
         {"output_size": [2, 2]}),
    Rule("max_pool2d", "NaN in a window makes its maximum NaN", (a(1.0, NAN, 3.0, 4.0).reshape(1, 1, 2, 2),),
         a(NAN).reshape(1, 1, 1, 1), {"kernel_size": 2}),
    Rule("max_pool1d", "the stride is the window when unpinned: the max of each pair",
         (a(1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 8.0, 7.0).reshape(1, 1, 8),),
         lambda x: x.reshape(1, 1, 4, 2).max(axis=-1), {"kernel_size": 2}),
    Rule("max_pool1d", "ceil_mode keeps the last, partial window; NaN in a window gives NaN",
         (a(1.0, NAN, 2.0, 5.0, 4.0).reshape(1, 1, 5),), a(NAN, 5.0, 4.0).reshape(1, 1, 3),
         {"kernel_size": 2, "stride": 2, "ceil_mode": True}),
    Rule("avg_pool1d", "torch's page example: window 3, stride 2", (a(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0).reshape(1, 1, 7),),
         a(2.0, 4.0, 6.0).reshape(1, 1, 3), {"kernel_size": 3, "stride": 2}),
    Rule("avg_pool1d", "padding 1 without count_include_pad divides by the real elements",
         (a(3.0, 6.0, 9.0, 12.0).reshape(1, 1, 4),), a(4.5, 6.0, 9.0, 10.5).reshape(1, 1, 4),
         {"kernel_size": 3, "stride": 1, "padding": 1}),
    Rule("avg_pool1d", "padding 1 with count_include_pad divides by the window",
         (a(3.0, 6.0, 9.0, 12.0).reshape(1, 1, 4),), a(3.0, 6.0, 9.0, 7.0).reshape(1, 1, 4),
         {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": True}),
    Rule("conv_transpose1d", "NumPy's full convolution of the zero-stuffed input, output_padding a 0 at the end",
         (a(1.0, 2.0, 3.0).reshape(1, 1, 3), a(1.0, 2.0, -1.0).reshape(1, 1, 3)),
         np.append(np.convolve([1.0, 0.0, 2.0, 0.0, 3.0], [1.0, 2.0, -1.0]), 0.0).reshape(1, 1, 8),
         {"stride": 2, "output_padding": 1}),
    Rule("conv_transpose1d", "padding p crops p samples from each side of the full convolution (plus output_padding)",
         (a(1.0, 2.0, 3.0).reshape(1, 1, 3), a(1.0, 2.0, -1.0).reshape(1, 1, 3)),
         np.convolve([1.0, 0.0, 2.0, 0.0, 3.0], [1.0, 2.0, -1.0])[1:7].reshape(1, 1, 6),
         {"stride": 2, "padding": 1, "output_padding": 1}),
    Rule("conv_transpose1d", "input channels add up: two channels of ones", (np.ones((1, 2, 2)), np.ones((2, 1, 2))),
         a(2.0, 4.0, 2.0).reshape(1, 1, 3)),
    # idioms: eager Python, computed by hand
    Rule("compiled_if_on_value", "eager: a positive sum takes the doubling branch", (a(1.0, -0.5, 2.0),),
         a(2.0, -1.0, 4.0)),
    Rule("compiled_if_on_value", "eager: a sum of 0 or less negates", (a(-1.0, 0.5),), a(1.0, -0.5)),
    Rule("compiled_side_effect_count", "eager: two calls append twice", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_global_read", "eager: the second call reads scale = 2.0", (a(1.0, 2.0),), a(2.0, 4.0)),
    Rule("compiled_scalar_argument_runs", "eager: the body runs on both calls", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_new_shape_runs", "eager: the body runs on all three calls", (a(1.0, -0.5, 2.0),), np.float64(3.0)),
    Rule("compiled_new_dtype_runs", "eager: the body runs on all three calls",
         (a(1.0, -0.5, 2.0), np.array([1, 2, 3], dtype=np.int32)), np.float64(3.0)),
    Rule("compiled_float_of_value", "eager: float(sum) = 2.5 scales x", (a(1.0, -0.5, 2.0),), a(2.5, -1.25, 5.0)),
    Rule("compiled_boolean_mask", "eager: the positive values, in order", (a(1.0, -0.5, 2.0),), a(1.0, 2.0)),
    Rule("compiled_boolean_mask", "eager: no positive value, an empty result", (a(-1.0, 0.0),), a()),
    Rule("compiled_while_on_value", "eager: doubled until the sum reaches 10", (a(1.0, -0.5, 2.0),), a(4.0, -2.0, 8.0)),
    Rule("compiled_while_on_value", "eager: a sum of 10 or more never loops", (a(20.0),), a(20.0)),
    Rule("compiled_item_assignment", "eager: y[0] = 0 on a copy", (a(1.0, -0.5, 2.0),), a(0.0, -0.5, 2.0)),
    Rule("compiled_int_argument_slice", "eager: x[:2]", (a(1.0, -0.5, 2.0),), a(1.0, -0.5)),
    Rule("compiled_print_count", "eager: two calls print twice", (a(1.0, 2.0),), np.float64(2.0)),
    Rule("compiled_leaked_intermediate", "eager: the kept 2x is a value, 2x + 1", (a(1.0, -0.5, 2.0),), a(3.0, 0.0, 5.0)),
    Rule("compiled_strict_if_on_value", "eager: a positive sum takes the doubling branch", (a(1.0, -0.5, 2.0),),
         a(2.0, -1.0, 4.0)),
    Rule("compiled_strict_if_on_value", "eager: a sum of 0 or less negates", (a(-1.0, 0.5),), a(1.0, -0.5)),
    Rule("compiled_static_argument_runs", "eager: the body runs on all three calls", (a(1.0, -0.5, 2.0),),
         np.float64(3.0)),
    Rule("compiled_closure_list_read", "eager: the second call reads two items", (a(1.0, -0.5),), a(2.0, -1.0)),
]


def reference(rule: Rule) -> Any:
    """The op's reference formula, run as the reference column runs it (jax.numpy, float64); a tuple of
    arrays for an op with several outputs."""
    import jax
    import jax.numpy as jnp
    import jax.scipy.special

    from oracle.ops.refctx import R

    declared = OPS[rule.op]
    attrs = {name: rule.attrs.get(name, attr.reference_value()) for name, attr in declared.attrs.items()}
    with jax.enable_x64(True):
        args = [jnp.asarray(x) for x in rule.args]
        assert declared.reference is not None
        result = declared.reference(R(jnp, jax.scipy.special), *args, **attrs)
        return tuple(np.asarray(part) for part in result) if isinstance(result, tuple) else np.asarray(result)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_reference_follows_the_rule(rule: Rule) -> None:
    with np.errstate(all="ignore"):  # the special values are the point: NumPy's warnings are expected
        want = np.asarray(rule.want(*rule.args) if callable(rule.want) else rule.want, dtype=np.float64)
    out = reference(rule)
    got = np.asarray(rule.view(out) if rule.view is not None else out, dtype=np.float64)
    assert got.shape == want.shape, f"{rule.id}: shape {got.shape}, expected {want.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300, equal_nan=True, err_msg=rule.id)
    if rule.signed:
        zeros = want == 0
        assert (np.signbit(got[zeros]) == np.signbit(want[zeros])).all(), \
            f"{rule.id}: signs of zeros {got[zeros]}, expected {want[zeros]}"


# every family with at least this many ops checked here; the floor may only rise (issue 22: every op)
FLOOR = {"elementwise": 43, "comparison": 10, "casting": 3, "reduction": 21, "shape": 13, "indexing": 14,
         "activation": 16, "normalization": 5, "loss": 17, "linalg": 17, "conv": 9, "metric": 10, "optimizer": 11,
         "idioms": 16}


def test_every_family_has_independent_checks() -> None:
    checked = {r.op for r in RULES}
    assert checked <= set(OPS), f"rules for ops not in the registry: {sorted(checked - set(OPS))}"
    counts = {f: (sum(1 for n in checked if OPS[n].family == f), sum(1 for o in OPS.values() if o.family == f))
              for f in FAMILIES}
    print("ops with an independent check, per family:")
    for family, (have, total) in counts.items():
        print(f"  {family:14s} {have:3d} of {total}")
    print(f"  {'all':14s} {len(checked):3d} of {len(OPS)}")
    low = {f: counts[f][0] for f, floor in FLOOR.items() if counts[f][0] < floor}
    assert not low, f"families below their floor of independently checked ops: {low} (floors {FLOOR})"
