"""Activations: the definitions, on samples and at NaN, +-inf and the kinks."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import scipy.special as sp

from reference_rules.common import INF, NAN, SPECIAL, Raises, Rule, S, a, softplus

RULES = [
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
    Rule("celu", "alpha 1: x if x > 0 else expm1(x); limits at +-inf", (a(-INF, -2.0, 0.5, INF),),
         a(-1.0, math.expm1(-2.0), 0.5, INF)),
    Rule("celu", "alpha 2: 2 expm1(x / 2) below 0", (S,), lambda x: np.where(x > 0, x, 2.0 * np.expm1(x / 2.0)),
         {"alpha": 2.0}),
    # by hand: -4 -> -4 * 0 / 6 = -0, -1 -> -1 * 2 / 6, 1 -> 1 * 4 / 6, 3 -> 3 * 6 / 6, 5 -> 5 * 6 / 6
    Rule("hard_swish", "x relu6(x + 3) / 6, by hand; NaN stays NaN", (a(-4.0, -3.0, -1.0, 0.0, 1.0, 3.0, 5.0, NAN, INF),),
         a(-0.0, -0.0, -1.0 / 3.0, 0.0, 2.0 / 3.0, 3.0, 5.0, NAN, INF)),
    Rule("glu", "a * expit(b), the halves of the last axis", (S,), lambda x: x[:, :2] * sp.expit(x[:, 2:])),
    Rule("glu", "an odd size along the axis raises", (a(1.0, 2.0, 3.0),), Raises(ValueError)),
    Rule("prelu", "a weight of size C applies along axis 1", (S, a(0.1, 0.2, 0.3, 0.4).reshape(4)),
         lambda x, w: np.where(x > 0, x, w[None, :] * x)),
    Rule("prelu", "a weight of size 1 applies to every element; NaN stays NaN", (a(-2.0, 0.0, 3.0, NAN), a(0.25)),
         a(-0.5, 0.0, 3.0, NAN)),
    # a reference defect found here: x > 0 is false for NaN and the masked expm1 branch gave 0
    Rule("elu", "if x is NaN, the result is NaN", (a(NAN, -1.0, 1.0),), a(NAN, math.expm1(-1.0), 1.0)),
    Rule("selu", "if x is NaN, the result is NaN", (a(NAN, 0.0),), a(NAN, 0.0)),
    Rule("celu", "if x is NaN, the result is NaN", (a(NAN, 0.5),), a(NAN, 0.5)),
    # by hand: d/dx x = 1 above 0, d/dx expm1(x) = e^x below; the masked branch must not overflow at x = 1000
    Rule("elu", "the gradient is 1 above 0 (also at 1000) and e^x below", (a(1000.0, -1.0),), a(1.0, math.exp(-1.0)),
         grad=True),
    # a reference defect found here: logaddexp(0 * x, x) made 0 * inf = NaN the first operand at +-inf
    Rule("softplus", "softplus(+inf) is +inf, softplus(-inf) is 0; NaN stays NaN", (a(-INF, INF, NAN),), softplus),
    Rule("log_sigmoid", "log_sigmoid(-inf) is -inf, log_sigmoid(+inf) is 0", (a(-INF, INF, NAN),),
         lambda x: -np.logaddexp(0.0, -x)),
    Rule("mish", "mish(+inf) is +inf (inf * tanh(inf))", (a(INF, NAN, 2.0),), lambda x: x * np.tanh(softplus(x))),
    # gradients (grad=True: d sum(f(x)) / dx), by hand, at the kinks as each declaration states its convention
    Rule("relu", "gradient 0 below and at the kink, 1 above", (a(-1.0, 0.0, 2.0),), a(0.0, 0.0, 1.0), grad=True),
    Rule("relu6", "gradient 0 at both kinks (0 and 6) and outside, 1 between", (a(0.0, 3.0, 6.0, 7.0),),
         a(0.0, 1.0, 0.0, 0.0), grad=True),
    Rule("leaky_relu", "gradient 0.01 below and at 0, 1 above", (a(-1.0, 0.0, 1.0),), a(0.01, 0.01, 1.0), grad=True),
    Rule("elu", "at 0 the negative branch: alpha e^0 = 1", (a(0.0),), a(1.0), grad=True),
    Rule("celu", "at 0 the negative branch: e^0 = 1", (a(0.0, -1.0),), a(1.0, math.exp(-1.0)), grad=True),
    # d/dx x relu6(x + 3) / 6 = relu6(x + 3) / 6 + x hard_sigmoid'(x): at 0, 1/2 + 0 * 1/6; at +-3 the kink's 0
    Rule("hard_swish", "gradient 0 at -3, 1 at 3, 1/2 at 0", (a(-4.0, -3.0, 0.0, 3.0, 4.0),),
         a(0.0, 0.0, 0.5, 1.0, 1.0), grad=True),
    Rule("hard_sigmoid", "gradient 0 at the kinks -3 and 3, 1/6 between", (a(-3.0, 0.0, 3.0),), a(0.0, 1 / 6, 0.0),
         grad=True),
    Rule("hard_tanh", "gradient 0 at the kinks -1 and 1, 1 between", (a(-1.0, 0.0, 1.0, 2.0),), a(0.0, 1.0, 0.0, 0.0),
         grad=True),
    Rule("prelu", "gradient weight at 0", (a(-1.0, 0.0, 1.0), a(0.25)), a(0.25, 0.25, 1.0), grad=True),
    Rule("softplus", "the gradient is expit(x) (SciPy)", (S,), sp.expit, grad=True),
    # d/dx x Phi(x) = Phi(x) + x phi(x)
    Rule("gelu", "the gradient is Phi(x) + x phi(x) (SciPy's ndtr, the normal density)", (S,),
         lambda x: sp.ndtr(x) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi), grad=True),
]


def _np_sparsemax(x: np.ndarray) -> np.ndarray:
    """Sparsemax of a vector by its definition: tau solves sum(max(x - tau, 0)) = 1, found by bisection."""
    lo, hi = x.max() - 1.0, x.max()
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.maximum(x - mid, 0.0).sum() > 1 else (lo, mid)
    return np.maximum(x - (lo + hi) / 2, 0.0)


RULES += [
    Rule("tanhshrink", "x - tanh(x); NaN stays NaN, +-inf stays +-inf", (a(NAN, -INF, -1.0, 0.0, 2.0, INF),),
         lambda x: x - np.tanh(x)),
    # by hand, t = 0.5: 2 -> 1.5, -2 -> -1.5, 0.5 and -0.3 -> 0
    Rule("softshrink", "shrinks toward 0 by 0.5, 0 inside the band; NaN stays NaN", (a(2.0, -2.0, 0.5, -0.3, NAN),),
         a(1.5, -1.5, 0.0, 0.0, NAN)),
    Rule("softshrink", "a pinned threshold 1", (a(3.0, -1.5, 1.0),), a(2.0, -0.5, 0.0), {"threshold": 1.0}),
    Rule("softshrink", "gradient 1 outside the band, 0 inside and at its edges", (a(2.0, 0.5, -0.5, 0.1),),
         a(1.0, 0.0, 0.0, 0.0), grad=True),
    Rule("hardshrink", "x outside [-0.5, 0.5], 0 inside and at the edges; NaN stays NaN",
         (a(2.0, -2.0, 0.5, -0.5, 0.3, NAN),), a(2.0, -2.0, 0.0, 0.0, 0.0, NAN)),
    Rule("threshold", "x above the cut, value at or below it; NaN stays NaN", (a(2.0, 1.0, 0.5, -3.0, NAN),),
         a(2.0, -7.0, -7.0, -7.0, NAN), {"threshold": 1.0, "value": -7.0}),
    # squareplus with b = 4: (x + sqrt(x^2 + 4)) / 2: 1 at 0, (3 + sqrt 13)/2 at 3; ~ 1 / |x| at large negative x
    Rule("squareplus", "(x + sqrt(x^2 + b)) / 2, and b / (2 (sqrt(x^2 + b) - x)) ~ 1/|x| far left",
         (a(0.0, 3.0, -1e10, INF),), a(1.0, (3.0 + math.sqrt(13.0)) / 2, 1e-10, INF)),
    Rule("squareplus", "mpmath at b = 1", (a(-3.0, 0.5, 2.0),),
         lambda x: np.array([float((mpmath.mpf(v) + mpmath.sqrt(mpmath.mpf(v) ** 2 + 1)) / 2) for v in x]), {"b": 1.0}),
    Rule("sparse_plus", "0 below -1, (x + 1)^2 / 4 between, x above 1", (a(-2.0, -1.0, 0.0, 0.5, 1.0, 3.0),),
         a(0.0, 0.0, 0.25, 0.5625, 1.0, 3.0), signed=True),
    Rule("sparse_plus", "the gradient (x + 1) / 2 is continuous: 0 at -1, 1 at 1", (a(-1.0, 0.0, 1.0, 2.0),),
         a(0.0, 0.5, 1.0, 1.0), grad=True),
    Rule("sparse_sigmoid", "0 below -1, (x + 1) / 2 between, 1 above 1", (a(-2.0, -1.0, 0.0, 0.5, 1.0, 3.0),),
         a(0.0, 0.0, 0.5, 0.75, 1.0, 1.0)),
    Rule("softmin", "softmin is SciPy's softmax of -x, over the last axis", (S,), lambda x: sp.softmax(-x, axis=-1)),
    Rule("sparsemax", "the simplex projection, by bisection on tau", (a(1.0, 0.8, -1.0),), _np_sparsemax),
    Rule("sparsemax", "per row of a sample, by bisection on tau", (S,),
         lambda x: np.stack([_np_sparsemax(row) for row in x])),
    # by hand: [3, 0, 0] projects onto the vertex [1, 0, 0]; equal entries share evenly
    Rule("sparsemax", "a dominant entry takes everything; equal entries share",
         (np.array([[3.0, 0.0, 0.0], [2.0, 2.0, 2.0]]),),
         np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])),
]
