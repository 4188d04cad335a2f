"""Activations: elementwise nonlinearities and softmax-type normalisations.

The TensorFlow column calls keras.ops (Keras 3's public functional API) where it has the
function, tf.nn otherwise; the JAX column calls jax.nn. Kinks follow the convention each op
states (gradient at the kink), written explicitly with `where`.
"""

from __future__ import annotations

from oracle.ops.spec import (
    REQUIRED,
    Attr,
    Binding,
    OpDef,
    as_method,
    call,
    construct,
    fix,
    kw,
    none,
    op,
    retarget,
    with_forms,
)

SOFTMAX_AXIS = Attr("axis", reference=-1, doc="the axis normalised; the reference uses the last when unpinned")
ALPHA = Attr("float", reference=1.0, doc="scale of the negative branch; the reference uses 1.0 when unpinned")


def _softmax(r, x, axis):  # type: ignore[no-untyped-def]
    shifted = x - r.xp.max(x, axis=axis, keepdims=True)
    e = r.xp.exp(shifted)
    return e / r.xp.sum(e, axis=axis, keepdims=True)


def _log_softmax(r, x, axis):  # type: ignore[no-untyped-def]
    shifted = x - r.xp.max(x, axis=axis, keepdims=True)
    return shifted - r.xp.log(r.xp.sum(r.xp.exp(shifted), axis=axis, keepdims=True))


def _keep_nan(r, x, y):  # type: ignore[no-untyped-def]
    """y where x is a number, NaN where x is NaN: max/min propagate NaN, a `where` on `x > 0` alone would not."""
    return r.xp.where(r.xp.isnan(x), x, y)


def _relu(r, x):  # type: ignore[no-untyped-def]
    return _keep_nan(r, x, r.xp.where(x > 0, x, 0.0))


def _relu6(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return _keep_nan(r, x, xp.where(x > 0, xp.where(x < 6, x, 6.0), 0.0))


def _leaky_relu(r, x, negative_slope):  # type: ignore[no-untyped-def]
    return r.xp.where(x > 0, x, negative_slope * x)


def _neg_expm1(r, x, alpha):  # type: ignore[no-untyped-def]
    # the positive branch is masked to 0 (no overflow in expm1 or its gradient); NaN is not masked: NaN in, NaN out
    return alpha * r.xp.expm1(r.xp.where(x > 0, 0.0, x) / alpha)


def _elu(r, x, alpha):  # type: ignore[no-untyped-def]
    return r.xp.where(x > 0, x, alpha * r.xp.expm1(r.xp.where(x > 0, 0.0, x)))  # NaN reaches expm1: NaN out


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _selu(r, x):  # type: ignore[no-untyped-def]
    return SELU_SCALE * r.xp.where(x > 0, x, SELU_ALPHA * r.xp.expm1(r.xp.where(x > 0, 0.0, x)))


def _celu(r, x, alpha):  # type: ignore[no-untyped-def]
    return r.xp.where(x > 0, x, _neg_expm1(r, x, alpha))


def _gelu(r, x, approximate):  # type: ignore[no-untyped-def]
    xp = r.xp
    if approximate:
        return 0.5 * x * (1 + xp.tanh(xp.sqrt(2 / xp.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + r.special.erf(x / xp.sqrt(2.0)))


def _sigmoid(r, x):  # type: ignore[no-untyped-def]
    return r.special.expit(x)


def _silu(r, x):  # type: ignore[no-untyped-def]
    return x * r.special.expit(x)


def _softplus_plain(r, x):  # type: ignore[no-untyped-def]
    return r.xp.logaddexp(0.0, x)  # not logaddexp(0.0 * x, x): 0 * inf is NaN, and softplus(+-inf) is inf, 0


def _mish(r, x):  # type: ignore[no-untyped-def]
    return x * r.xp.tanh(_softplus_plain(r, x))


def _softplus(r, x, beta, threshold):  # type: ignore[no-untyped-def]
    y = _softplus_plain(r, beta * x) / beta
    if threshold is not None:
        y = r.xp.where(beta * x > threshold, x, y)
    return y


def _softsign(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(xp.isinf(x), xp.sign(x), x / (1 + xp.abs(x)))  # the limit +-1 at +-inf (inf / inf is NaN)


def _hard_sigmoid(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x <= -3, 0.0, xp.where(x >= 3, 1.0, x / 6 + 0.5))


def _hard_swish(r, x):  # type: ignore[no-untyped-def]
    return x * _hard_sigmoid(r, x)


def _hard_tanh(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x <= -1, -1.0, xp.where(x >= 1, 1.0, x))


def _log_sigmoid(r, x):  # type: ignore[no-untyped-def]
    return -r.xp.logaddexp(0.0, -x)


def _glu(r, x, axis):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import ShapeMismatch

    if x.shape[axis] % 2:
        raise ShapeMismatch(f"glu needs an even size along axis {axis}, got {x.shape[axis]}")
    a, b = r.xp.split(x, 2, axis=axis)
    return a * r.special.expit(b)


def _prelu(r, x, weight):  # type: ignore[no-untyped-def]
    w = weight
    if weight.size > 1 and x.ndim >= 2:
        w = r.xp.reshape(weight, (weight.size,) + (1,) * (x.ndim - 2))
    return r.xp.where(x > 0, x, w * x)


def _tanhshrink(r, x):  # type: ignore[no-untyped-def]
    return x - r.xp.tanh(x)


def _softshrink(r, x, threshold):  # type: ignore[no-untyped-def]
    xp = r.xp
    return _keep_nan(r, x, xp.where(x > threshold, x - threshold, xp.where(x < -threshold, x + threshold, 0.0)))


def _hardshrink(r, x, threshold):  # type: ignore[no-untyped-def]
    xp = r.xp
    return _keep_nan(r, x, xp.where((x > threshold) | (x < -threshold), x, 0.0))


def _threshold(r, x, threshold, value):  # type: ignore[no-untyped-def]
    return _keep_nan(r, x, r.xp.where(x > threshold, x, value))


def _squareplus(r, x, b):  # type: ignore[no-untyped-def]
    xp = r.xp
    # (x + sqrt(x^2 + b)) / 2 cancels for large negative x: the same value as b / (2 (sqrt(x^2 + b) - x))
    root = xp.sqrt(x * x + b)
    return xp.where(x < 0, b / (2.0 * (root - x)), (x + root) / 2.0)


def _sparse_plus(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x <= -1, 0.0, xp.where(x >= 1, x, (x + 1) ** 2 / 4))  # NaN takes the middle branch: NaN


def _sparse_sigmoid(r, x):  # type: ignore[no-untyped-def]
    xp = r.xp
    return xp.where(x <= -1, 0.0, xp.where(x >= 1, 1.0, (x + 1) / 2))


def _softmin(r, x, axis):  # type: ignore[no-untyped-def]
    return _softmax(r, -x, axis)


def _sparsemax(r, x, axis):  # type: ignore[no-untyped-def]
    """Martins & Astudillo (2016): the Euclidean projection of x onto the simplex along `axis`:
    max(x - tau, 0) with tau from the k largest values, k the largest with 1 + k z_(k) > sum of the top k."""
    xp = r.xp
    z = xp.moveaxis(x, axis, -1)
    s = -xp.sort(-z, axis=-1)
    k = xp.arange(1, z.shape[-1] + 1)
    top = xp.cumsum(s, axis=-1)
    support = 1 + k * s > top
    count = xp.sum(support, axis=-1, keepdims=True)
    tau = (xp.take_along_axis(top, count - 1, axis=-1) - 1) / count
    return xp.moveaxis(xp.maximum(z - tau, 0.0), -1, axis)


MISH_LAYER = fix("mish", "the layer is the only public Keras form of mish")
KINK0 = "gradient 0 at the kink x = 0"
_SHRINK = Attr("float", reference=0.5, low=0, doc="the half-width of the zeroed band; the reference uses 0.5 unpinned")
NO_JAX_NN = "jax.nn has no {}"
KERAS_ONLY_FN = "{} has no public functional form in keras.ops / tf.nn"

OPS = [
    op("softmax", "activation", "x", "exp(x) / sum(exp(x)) along `axis`, computed stably", _softmax,
       attrs={"axis": SOFTMAX_AXIS},
       torch=call("torch.nn.functional.softmax", axis="dim"), tensorflow=call("tf.nn.softmax", axis="axis"),
       jax=call("jax.nn.softmax", axis="axis")),
    op("log_softmax", "activation", "x", "x - logsumexp(x) along `axis`", _log_softmax,
       attrs={"axis": SOFTMAX_AXIS},
       torch=call("torch.nn.functional.log_softmax", axis="dim"), tensorflow=call("tf.nn.log_softmax", axis="axis"),
       jax=call("jax.nn.log_softmax", axis="axis")),
    op("relu", "activation", "x", "max(x, 0); NaN stays NaN", _relu, conventions=KINK0,
       torch=call("torch.nn.functional.relu"), tensorflow=call("keras.ops.relu"), jax=call("jax.nn.relu")),
    op("relu6", "activation", "x", "min(max(x, 0), 6); NaN stays NaN", _relu6,
       conventions="gradient 0 at both kinks x = 0 and x = 6",
       torch=call("torch.nn.functional.relu6"), tensorflow=call("keras.ops.relu6"), jax=call("jax.nn.relu6")),
    op("leaky_relu", "activation", "x", "x if x > 0 else negative_slope * x", _leaky_relu,
       attrs={"negative_slope": Attr("float", reference=0.01,
                                     doc="slope for x <= 0; the reference uses 0.01 when unpinned")},
       conventions="gradient negative_slope at x = 0",
       torch=call("torch.nn.functional.leaky_relu", negative_slope="negative_slope"),
       tensorflow=call("keras.ops.leaky_relu", negative_slope="negative_slope"),
       jax=call("jax.nn.leaky_relu", negative_slope="negative_slope")),
    op("elu", "activation", "x", "x if x > 0 else alpha * (exp(x) - 1)", _elu, attrs={"alpha": ALPHA},
       conventions="at x = 0 the negative branch (gradient alpha)",
       torch=call("torch.nn.functional.elu", alpha="alpha"), tensorflow=call("keras.ops.elu", alpha="alpha"),
       jax=call("jax.nn.elu", alpha="alpha")),
    op("selu", "activation", "x", "scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha = 1.6732632423543772, "
       "scale = 1.0507009873554805", _selu, conventions="at x = 0 the negative branch",
       torch=call("torch.nn.functional.selu"), tensorflow=call("keras.ops.selu"), jax=call("jax.nn.selu")),
    op("celu", "activation", "x", "x if x > 0 else alpha * (exp(x / alpha) - 1)", _celu, attrs={"alpha": ALPHA},
       conventions="at x = 0 the negative branch (gradient 1)",
       torch=call("torch.nn.functional.celu", alpha="alpha"), tensorflow=call("keras.ops.celu", alpha="alpha"),
       jax=call("jax.nn.celu", alpha="alpha")),
    op("gelu", "activation", "x", "x * Phi(x) (exact, erf form) or, with approximate, "
       "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))", _gelu,
       attrs={"approximate": Attr("bool", reference=False,
                                  doc="tanh approximation; the reference is exact (erf) when unpinned")},
       torch=call("torch.nn.functional.gelu", approximate=kw("approximate", {True: "tanh", False: "none"})),
       tensorflow=call("keras.ops.gelu", approximate="approximate"),
       jax=call("jax.nn.gelu", approximate="approximate")),
    op("silu", "activation", "x", "x * sigmoid(x) (swish)", _silu,
       torch=call("torch.nn.functional.silu"), tensorflow=call("keras.ops.silu"), jax=call("jax.nn.silu")),
    op("mish", "activation", "x", "x * tanh(softplus(x))", _mish,
       torch=call("torch.nn.functional.mish"),
       tensorflow=construct("keras.layers.Activation", fixed={"activation": MISH_LAYER}),
       jax=call("jax.nn.mish")),
    op("softplus", "activation", "x", "log(1 + exp(beta x)) / beta; with threshold, x where beta x > threshold",
       _softplus,
       attrs={"beta": Attr("float", reference=1.0, doc="the reference uses 1.0 when unpinned"),
              "threshold": Attr("float", nullable=True, reference=None,
                                doc="linear above it; the reference never linearises when unpinned")},
       torch=call("torch.nn.functional.softplus", beta="beta", threshold="threshold"),
       tensorflow=call("keras.ops.softplus"), jax=call("jax.nn.softplus")),
    op("softsign", "activation", "x", "x / (1 + |x|); +-1 at +-inf", _softsign,
       torch=call("torch.nn.functional.softsign"), tensorflow=call("tf.nn.softsign"), jax=call("jax.nn.soft_sign")),
    op("sigmoid", "activation", "x", "1 / (1 + exp(-x))", _sigmoid,
       torch=call("torch.sigmoid"), tensorflow=call("keras.ops.sigmoid"), jax=call("jax.nn.sigmoid")),
    op("hard_sigmoid", "activation", "x", "relu6(x + 3) / 6 (the piecewise-linear sigmoid with slope 1/6)",
       _hard_sigmoid, conventions="gradient 0 at the kinks x = -3 and x = 3",
       torch=call("torch.nn.functional.hardsigmoid"), tensorflow=call("keras.ops.hard_sigmoid"),
       jax=call("jax.nn.hard_sigmoid")),
    op("hard_swish", "activation", "x", "x * relu6(x + 3) / 6", _hard_swish,
       conventions="product rule with hard_sigmoid's kink gradient 0: gradient 0 at x = -3 and 1 at x = 3",
       torch=call("torch.nn.functional.hardswish"), tensorflow=call("keras.ops.hard_swish"),
       jax=call("jax.nn.hard_swish")),
    op("hard_tanh", "activation", "x", "clip(x, -1, 1)", _hard_tanh,
       conventions="gradient 0 at the kinks x = -1 and x = 1",
       torch=call("torch.nn.functional.hardtanh"), tensorflow=call("keras.ops.hard_tanh"),
       jax=call("jax.nn.hard_tanh")),
    op("log_sigmoid", "activation", "x", "log(sigmoid(x)) = -softplus(-x), computed stably", _log_sigmoid,
       torch=call("torch.nn.functional.logsigmoid"), tensorflow=call("keras.ops.log_sigmoid"),
       jax=call("jax.nn.log_sigmoid")),
    op("glu", "activation", "x", "split x in halves a, b along `axis`; a * sigmoid(b)", _glu,
       attrs={"axis": Attr("axis", reference=-1, doc="the axis split; the reference uses the last when unpinned")},
       torch=call("torch.nn.functional.glu", axis="dim"), tensorflow=call("keras.ops.glu", axis="axis"),
       jax=call("jax.nn.glu", axis="axis")),
    op("prelu", "activation", ("x", "weight"), "x if x > 0 else weight * x; a weight of size C applies along "
       "axis 1 (channels), a weight of size 1 to every element", _prelu, conventions="gradient weight at x = 0",
       torch=call("torch.nn.functional.prelu"),
       tensorflow=none("Keras has PReLU only as a layer with its own trainable alpha (keras.layers.PReLU); "
                       "no public function takes the weight"),
       jax=none("jax.nn has no prelu; flax.nnx.PReLU holds its own learnable slope")),
    op("tanhshrink", "activation", "x", "x - tanh(x)", _tanhshrink,
       torch=call("torch.nn.functional.tanhshrink"), tensorflow=call("keras.ops.tanh_shrink"),
       jax=none(NO_JAX_NN.format("tanhshrink"))),
    op("softshrink", "activation", "x", "x - t for x > t, x + t for x < -t, 0 between (t = threshold)", _softshrink,
       attrs={"threshold": _SHRINK}, conventions="gradient 0 at the kinks x = +-t; NaN stays NaN",
       torch=call("torch.nn.functional.softshrink", threshold="lambd"),
       tensorflow=call("keras.ops.soft_shrink", threshold="threshold"),
       jax=none(NO_JAX_NN.format("soft shrink"))),
    op("hardshrink", "activation", "x", "x where |x| > t, else 0 (t = threshold)", _hardshrink,
       attrs={"threshold": _SHRINK}, conventions="at |x| == t the value is 0 (gradient 0); NaN stays NaN",
       torch=call("torch.nn.functional.hardshrink", threshold="lambd"),
       tensorflow=call("keras.ops.hard_shrink", threshold="threshold"),
       jax=none(NO_JAX_NN.format("hard shrink"))),
    op("threshold", "activation", "x", "x where x > threshold, else `value`", _threshold,
       attrs={"threshold": Attr("float", REQUIRED, doc="the cut"), "value": Attr("float", REQUIRED,
                                                                               doc="the replacement at or below it")},
       conventions="x == threshold takes `value` (gradient 0); NaN stays NaN",
       torch=call("torch.nn.functional.threshold", threshold="threshold", value="value"),
       tensorflow=call("keras.ops.threshold", threshold="threshold", value="default_value"),
       jax=none(NO_JAX_NN.format("threshold"))),
    op("squareplus", "activation", "x", "(x + sqrt(x^2 + b)) / 2, a smooth relu (b = 4 unpinned in the reference)",
       _squareplus, attrs={"b": Attr("float", reference=4.0, low=0, doc="the smoothing; the reference uses 4")},
       conventions="written as b / (2 (sqrt(x^2 + b) - x)) for x < 0, so large negative x does not cancel to 0",
       torch=none("torch has no squareplus"), tensorflow=call("keras.ops.squareplus", b="b"),
       jax=call("jax.nn.squareplus", b="b")),
    op("sparse_plus", "activation", "x", "0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1", _sparse_plus,
       conventions="continuous with a continuous gradient (0 at -1, 1 at 1)",
       torch=none("torch has no sparse_plus"), tensorflow=call("keras.ops.sparse_plus"),
       jax=call("jax.nn.sparse_plus")),
    op("sparse_sigmoid", "activation", "x", "0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1",
       _sparse_sigmoid, conventions="gradient 0 at the kinks x = -1 and x = 1",
       torch=none("torch has no sparse_sigmoid"), tensorflow=call("keras.ops.sparse_sigmoid"),
       jax=call("jax.nn.sparse_sigmoid")),
    op("softmin", "activation", "x", "softmax(-x) along `axis`", _softmin, attrs={"axis": SOFTMAX_AXIS},
       torch=call("torch.nn.functional.softmin", axis="dim"),
       tensorflow=none("TensorFlow has no softmin in tf.nn or keras.ops (users write softmax(-x))"),
       jax=none("jax.nn has no softmin (users write softmax(-x))")),
    op("sparsemax", "activation", "x", "the Euclidean projection of x onto the probability simplex along `axis` "
       "(Martins & Astudillo 2016): max(x - tau, 0), exact zeros where softmax has small values", _sparsemax,
       attrs={"axis": SOFTMAX_AXIS},
       torch=none("torch has no sparsemax"), tensorflow=call("keras.ops.sparsemax", axis="axis"),
       jax=none("jax.nn has no sparsemax")),
]


# ---- forms: torch's module and torch.* beside torch.nn.functional (`F.gelu` / `nn.GELU()`), tf.nn,
# keras.activations and Keras layers beside keras.ops (their defaults differ: tf.nn.gelu is exact,
# keras.ops.gelu approximates unless told)
_BY_NAME: dict[str, OpDef] = {d.name: d for d in OPS}


def _torch_module(name: str, cls: str) -> Binding:
    return retarget(_BY_NAME[name].torch, f"torch.nn.{cls}", kind="construct")


OPS = with_forms(OPS, "torch", "module", {name: _torch_module(name, cls) for name, cls in (
    ("softmax", "Softmax"), ("log_softmax", "LogSoftmax"), ("relu", "ReLU"), ("relu6", "ReLU6"),
    ("leaky_relu", "LeakyReLU"), ("elu", "ELU"), ("selu", "SELU"), ("celu", "CELU"), ("gelu", "GELU"),
    ("silu", "SiLU"), ("mish", "Mish"), ("softplus", "Softplus"), ("softsign", "Softsign"), ("sigmoid", "Sigmoid"),
    ("hard_sigmoid", "Hardsigmoid"), ("hard_swish", "Hardswish"), ("hard_tanh", "Hardtanh"),
    ("log_sigmoid", "LogSigmoid"), ("glu", "GLU"))})
OPS = with_forms(OPS, "torch", "torch", {name: retarget(_BY_NAME[name].torch, f"torch.{fn}") for name, fn in (
    ("softmax", "softmax"), ("log_softmax", "log_softmax"), ("relu", "relu"), ("selu", "selu"), ("celu", "celu"))})
OPS = with_forms(OPS, "torch", "functional", {"sigmoid": call("torch.nn.functional.sigmoid")})
OPS = with_forms(OPS, "torch", "method", {name: b for name in ("softmax", "log_softmax", "relu", "sigmoid")
                                          if (b := as_method(_BY_NAME[name].binding("torch", "torch")
                                                             if name != "sigmoid" else _BY_NAME[name].torch))})
OPS = with_forms(OPS, "tensorflow", "tf.nn", {
    "relu": call("tf.nn.relu"), "relu6": call("tf.nn.relu6"),
    "leaky_relu": call("tf.nn.leaky_relu", negative_slope="alpha"), "elu": call("tf.nn.elu"),
    "selu": call("tf.nn.selu"), "gelu": call("tf.nn.gelu", approximate="approximate"), "silu": call("tf.nn.silu"),
    "softplus": call("tf.nn.softplus"), "sigmoid": call("tf.nn.sigmoid")})
OPS = with_forms(OPS, "tensorflow", "keras.ops", {
    "softmax": call("keras.ops.softmax", axis="axis"), "log_softmax": call("keras.ops.log_softmax", axis="axis"),
    "softsign": call("keras.ops.softsign")})
OPS = with_forms(OPS, "tensorflow", "keras.activations", {
    "relu": call("keras.activations.relu"), "relu6": call("keras.activations.relu6"),
    "leaky_relu": call("keras.activations.leaky_relu", negative_slope="negative_slope"),
    "elu": call("keras.activations.elu", alpha="alpha"), "selu": call("keras.activations.selu"),
    "celu": call("keras.activations.celu", alpha="alpha"),
    "gelu": call("keras.activations.gelu", approximate="approximate"), "silu": call("keras.activations.silu"),
    "mish": call("keras.activations.mish"), "softplus": call("keras.activations.softplus"),
    "softsign": call("keras.activations.softsign"), "sigmoid": call("keras.activations.sigmoid"),
    "hard_sigmoid": call("keras.activations.hard_sigmoid"), "hard_swish": call("keras.activations.hard_swish"),
    "hard_tanh": call("keras.activations.hard_tanh"), "log_sigmoid": call("keras.activations.log_sigmoid"),
    "glu": call("keras.activations.glu", axis="axis"), "softmax": call("keras.activations.softmax", axis="axis"),
    "log_softmax": call("keras.activations.log_softmax", axis="axis")})
OPS = with_forms(OPS, "tensorflow", "layer", {
    "relu": construct("keras.layers.ReLU"), "leaky_relu": construct("keras.layers.LeakyReLU",
                                                                     negative_slope="negative_slope"),
    "elu": construct("keras.layers.ELU", alpha="alpha"), "softmax": construct("keras.layers.Softmax", axis="axis")})
