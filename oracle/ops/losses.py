"""Losses. The reference needs operands of one shape and reduces with `reduction` over all elements.

`reduction` is left to each framework unless pinned (torch and Keras default to a mean;
optax losses are per element, and the JAX column reduces with jnp.mean / jnp.sum only
when the case pins it). Keras' `sum_over_batch_size` is its mean.
"""

from __future__ import annotations

from oracle.ops.spec import (
    REQUIRED,
    Arg,
    Attr,
    Binding,
    Fixed,
    call,
    construct,
    custom,
    fix,
    kw,
    none,
    op,
    retarget,
    switch,
    with_forms,
)

REDUCTION = Attr("str", choices=("mean", "sum", "none"), reference="mean",
                 doc="mean or sum over all elements, or none; the reference means when unpinned")
KERAS_REDUCTION = kw("reduction", {"mean": "sum_over_batch_size", "sum": "sum", "none": None})
JNP_REDUCE = ("reduction", {"mean": "jnp.mean", "sum": "jnp.sum"})
LOGITS = fix(True, "the op takes logits; Keras' cross-entropies take probabilities by default")
PROBS = fix(False, "the op takes probabilities (Keras' default too, stated so the call shows it)")
SHAPES = ("broadcast", "align_ranks", "last_axis_mean")  # what a column may do with operands of two shapes


def _keras(cls: str, *args: str, **fixed: Fixed) -> Binding:
    return construct(f"keras.losses.{cls}", args=args or ("target", "pred"), fixed=dict(fixed),
                     reduction=KERAS_REDUCTION)


def _mse(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("mse_loss", pred, target)
    return r.loss((p - t) ** 2, reduction)


def _l1(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("l1_loss", pred, target)
    return r.loss(r.xp.abs(p - t), reduction)


def _cross_entropy(r, logits, labels, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    if logits.ndim < 2:
        from oracle.ops.refctx import ShapeMismatch

        raise ShapeMismatch(f"cross_entropy needs logits [batch..., classes], got {list(logits.shape)}")
    if r.is_integer(labels):
        if labels.shape != logits.shape[:-1]:
            if not (r.follows("broadcast") or r.follows("align_ranks")):
                from oracle.ops.refctx import ShapeMismatch

                raise ShapeMismatch(f"cross_entropy integer labels need shape {list(logits.shape[:-1])}, "
                                    f"got {list(labels.shape)}")
            r.note(f"cross_entropy: labels {list(labels.shape)} -> {list(logits.shape[:-1])}")
            labels = xp.broadcast_to(labels, logits.shape[:-1])
        values = r.concrete(labels)
        if values.size and (values.min() < 0 or values.max() >= logits.shape[-1]):
            raise IndexError(f"cross_entropy labels must lie in [0, {logits.shape[-1]})")
        target = xp.eye(logits.shape[-1], dtype=logits.dtype)[labels]
    else:
        logits, target = r.operands("cross_entropy", logits, labels)
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    lse = xp.log(xp.sum(xp.exp(shifted), axis=-1)) + xp.max(logits, axis=-1)
    # a class of target weight 0 adds 0 (0 log 0 = 0), so a -inf logit there (a masked class) gives no 0 * -inf = NaN
    picked = xp.sum(xp.where(target == 0, 0.0, target * logits), axis=-1)
    return r.reduce(lse - picked, reduction)


def _xlogy(r, x, y):  # type: ignore[no-untyped-def]
    return r.special.xlogy(x, y)


def _bce(r, probs, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("binary_cross_entropy", probs, target)
    return r.loss(-(_xlogy(r, t, p) + _xlogy(r, 1 - t, 1 - p)), reduction)


def _bce_logits(r, logits, target, reduction):  # type: ignore[no-untyped-def]
    x, t = r.operands("binary_cross_entropy_with_logits", logits, target)
    xp = r.xp
    # max(x, 0) - x t written as (1 - t) relu(x) + t relu(-x), a term with weight 0 taken as 0, so an infinite
    # logit gives the limit: +inf with t = 0 is inf, +inf with t = 1 is 0 (max(x, 0) - x t would be inf - inf)
    def weighted(w, v):  # type: ignore[no-untyped-def]
        return xp.where(w == 0, 0.0, w * v)

    hinge = weighted(1 - t, xp.where(x >= 0, x, 0.0)) + weighted(t, xp.where(x < 0, -x, 0.0))
    return r.loss(hinge + xp.log1p(xp.exp(-xp.abs(x))), reduction)


OPS = [
    op("mse_loss", "loss", "pred target", "(pred - target) ** 2, then `reduction`", _mse,
       attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.MSELoss", reduction="reduction"), tensorflow=_keras("MeanSquaredError"),
       jax=call("optax.losses.squared_error", then=JNP_REDUCE)),
    op("l1_loss", "loss", "pred target", "|pred - target|, then `reduction`", _l1,
       attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.L1Loss", reduction="reduction"), tensorflow=_keras("MeanAbsoluteError"),
       jax=none("optax.losses has no absolute-error (L1) loss")),
    op("cross_entropy", "loss", ("logits", Arg("labels", "tensor", "index")),
       "softmax cross-entropy from logits, classes on the last axis: integer labels of shape logits.shape[:-1] "
       "in [0, C), or class-probability targets of logits' shape; per example logsumexp(logits) - "
       "sum(target * logits), then `reduction`", _cross_entropy,
       attrs={"reduction": REDUCTION}, alternatives=("broadcast", "align_ranks"),
       conventions="a label outside [0, C) raises IndexError",
       torch=construct("torch.nn.CrossEntropyLoss", reduction="reduction"),
       tensorflow=switch("labels", integer=_keras("SparseCategoricalCrossentropy", "labels", "logits", from_logits=LOGITS),
                         floating=_keras("CategoricalCrossentropy", "labels", "logits", from_logits=LOGITS)),
       jax=switch("labels", integer=call("optax.losses.softmax_cross_entropy_with_integer_labels", then=JNP_REDUCE),
                  floating=call("optax.losses.softmax_cross_entropy", then=JNP_REDUCE))),
    op("binary_cross_entropy", "loss", (Arg("probs", domain="probability"), Arg("target", domain="binary")),
       "-(t log p + (1 - t) log(1 - p)) with 0 log 0 = 0, unclamped (p = 0 with t = 1 gives inf), then `reduction`",
       _bce, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.BCELoss", reduction="reduction"),
       tensorflow=_keras("BinaryCrossentropy", "target", "probs", from_logits=PROBS),
       jax=none("optax has no binary cross-entropy on probabilities (sigmoid_binary_cross_entropy takes logits)")),
    op("binary_cross_entropy_with_logits", "loss", ("logits", Arg("target", domain="binary")),
       "max(x, 0) - x t + log(1 + exp(-|x|)), the stable form of BCE(sigmoid(x), t), then `reduction`; at an "
       "infinite logit its limit (+inf with t = 0: inf; +inf with t = 1: 0)",
       _bce_logits, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.BCEWithLogitsLoss", reduction="reduction"),
       tensorflow=_keras("BinaryCrossentropy", "target", "logits", from_logits=LOGITS),
       jax=call("optax.losses.sigmoid_binary_cross_entropy", then=JNP_REDUCE)),
]


# ---- more losses (regression, classification variants, ranking) ----

TF_REDUCE = ("reduction", {"mean": "tf.math.reduce_mean", "sum": "tf.math.reduce_sum"})
NO_TORCH = "torch has no {} loss (torch.nn / torch.nn.functional)"
NO_OPTAX = "optax.losses has no {} loss"
NO_KERAS = "keras.losses has no {} loss"


def _undefined_shape(name, a, b):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import ShapeMismatch

    raise ShapeMismatch(f"{name} needs operands of one shape, got {list(a.shape)} and {list(b.shape)}")


def _huber(r, pred, target, delta, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("huber_loss", pred, target)
    d = p - t
    a = d * r.xp.sign(d)
    return r.loss(r.xp.where(a <= delta, 0.5 * d ** 2, delta * (a - 0.5 * delta)), reduction)


def _smooth_l1(r, pred, target, beta, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("smooth_l1_loss", pred, target)
    d = p - t
    a = d * r.xp.sign(d)
    return r.loss(r.xp.where(a < beta, 0.5 * d ** 2 / beta, a - 0.5 * beta), reduction)


def _log_cosh(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("log_cosh", pred, target)
    d = p - t
    return r.loss(r.xp.logaddexp(d, -d) - r.xp.log(2.0), reduction)


def _bce_pos_weight(r, logits, target, pos_weight, reduction):  # type: ignore[no-untyped-def]
    x, t = r.operands("bce_with_logits_pos_weight", logits, target)
    xp = r.xp
    log_sig_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)  # -log(sigmoid(x))
    return r.loss((1 - t) * x + (1 + (pos_weight - 1) * t) * log_sig_neg, reduction)


def _ce_soft(r, logits, target, label_smoothing):  # type: ignore[no-untyped-def]
    xp = r.xp
    c = logits.shape[-1]
    t = target * (1 - label_smoothing) + label_smoothing / c
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
    return -xp.sum(t * logp, axis=-1)


def _ce_smoothed(r, logits, target, label_smoothing, reduction):  # type: ignore[no-untyped-def]
    if logits.shape != target.shape:
        _undefined_shape("cross_entropy_smoothed", logits, target)
    return r.reduce(_ce_soft(r, logits, target, label_smoothing), reduction)


def _log_probs_at(r, name, scores, labels):  # type: ignore[no-untyped-def]
    if labels.shape != scores.shape[:-1]:
        _undefined_shape(name, scores, labels)
    values = r.concrete(labels)
    if values.size and (values.min() < 0 or values.max() >= scores.shape[-1]):
        raise IndexError(f"{name} labels must lie in [0, {scores.shape[-1]})")
    # a gather, not a one-hot product: 0 * -inf at another class would make the picked value NaN
    return r.xp.take_along_axis(scores, r.xp.expand_dims(labels, -1), axis=-1)[..., 0]


def _ce_weighted(r, logits, labels, weight, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
    w = weight[labels]
    per = -w * _log_probs_at(r, "cross_entropy_weighted", logp, labels)
    if reduction == "mean":
        return xp.sum(per) / xp.sum(w)
    return r.reduce(per, reduction)


def _nll(r, log_probs, labels, reduction):  # type: ignore[no-untyped-def]
    return r.reduce(-_log_probs_at(r, "nll_loss", log_probs, labels), reduction)


def _kl_div(r, log_pred, target, reduction):  # type: ignore[no-untyped-def]
    lq, p = r.operands("kl_div", log_pred, target)
    # a zero target adds 0 whatever the prediction (0 log 0 = 0), also where log_pred is -inf (0 * -inf is NaN)
    return r.reduce(r.xp.where(p == 0, 0.0, r.special.xlogy(p, p) - p * lq), reduction)


def _kl_div_probs(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    q, p = r.operands("kl_div_probs", pred, target)
    return r.reduce(r.special.xlogy(p, p) - r.special.xlogy(p, q), reduction)


def _poisson(r, rate, target, reduction, log_input):  # type: ignore[no-untyped-def]
    q, t = r.operands("poisson_nll", rate, target)
    if log_input:  # the input is log(rate)
        return r.loss(r.xp.exp(q) - t * q, reduction)
    return r.loss(q - r.special.xlogy(t, q), reduction)


def _cosine_similarity(r, x1, x2, axis):  # type: ignore[no-untyped-def]
    a, b = r.operands("cosine_similarity", x1, x2)
    xp = r.xp
    n1 = xp.sqrt(xp.sum(a * a, axis=axis))
    n2 = xp.sqrt(xp.sum(b * b, axis=axis))
    return xp.sum(a * b, axis=axis) / (n1 * n2)


def _pos(r, z):  # type: ignore[no-untyped-def]
    """max(z, 0) with gradient 0 at z = 0 (the kink convention of the margin losses)."""
    return r.xp.where(z > 0, z, 0.0)


def _pm1(r, name, target):  # type: ignore[no-untyped-def]
    values = r.concrete(target)
    if values.size and not ((values == 1) | (values == -1)).all():
        r.note(f"{name}: targets outside {{-1, 1}} taken as given")
    return target


def _hinge(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("hinge", pred, target)
    return r.loss(_pos(r, 1 - _pm1(r, "hinge", t) * p), reduction)


def _squared_hinge(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("squared_hinge", pred, target)
    return r.loss(_pos(r, 1 - _pm1(r, "squared_hinge", t) * p) ** 2, reduction)


def _categorical_hinge(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("categorical_hinge", pred, target)
    xp = r.xp
    pos = xp.sum(t * p, axis=-1)
    neg = xp.max((1 - t) * p, axis=-1)
    return r.reduce(_pos(r, neg - pos + 1), reduction)


def _margin_ranking(r, x1, x2, y, margin, reduction):  # type: ignore[no-untyped-def]
    return r.reduce(_pos(r, -y * (x1 - x2) + margin), reduction)


def _hinge_embedding(r, x, y, margin, reduction):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import Undefined

    labels = r.concrete(y)
    if labels.size and not ((labels == 1) | (labels == -1)).all():
        raise Undefined("hinge_embedding is defined for targets in {-1, 1} only")
    xp = r.xp
    return r.reduce(xp.where(y == 1, x, _pos(r, margin - x)), reduction)


def _triplet(r, anchor, positive, negative, margin, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    eps = 1e-6
    dp = xp.sqrt(xp.sum((anchor - positive + eps) ** 2, axis=-1))
    dn = xp.sqrt(xp.sum((anchor - negative + eps) ** 2, axis=-1))
    return r.reduce(_pos(r, dp - dn + margin), reduction)


def _mape(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("mape", pred, target)
    xp = r.xp
    return r.loss(100.0 * xp.abs(t - p) / xp.abs(t), reduction)


def _msle(r, pred, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("msle", pred, target)
    return r.loss((r.xp.log1p(p) - r.xp.log1p(t)) ** 2, reduction)


DELTA = Attr("float", reference=1.0, low=0.0, doc="the quadratic-to-linear point; the reference uses 1.0 when unpinned")

OPS += [
    op("huber_loss", "loss", "pred target", "0.5 d^2 if |d| <= delta else delta (|d| - 0.5 delta), d = pred - target; "
       "then `reduction`", _huber, attrs={"delta": DELTA, "reduction": REDUCTION}, alternatives=SHAPES,
       conventions="|d| = delta takes the quadratic branch (the branches meet there)",
       torch=construct("torch.nn.HuberLoss", reduction="reduction", delta="delta"),
       tensorflow=construct("keras.losses.Huber", args=("target", "pred"), reduction=KERAS_REDUCTION, delta="delta"),
       jax=call("optax.losses.huber_loss", then=JNP_REDUCE, delta="delta")),
    op("smooth_l1_loss", "loss", "pred target", "0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta; then `reduction` "
       "(Huber divided by beta)", _smooth_l1,
       attrs={"beta": Attr("float", reference=1.0, low=0.0, doc="the reference uses 1.0 when unpinned"),
              "reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.SmoothL1Loss", reduction="reduction", beta="beta"),
       tensorflow=none(NO_KERAS.format("smooth-L1") + " (keras.losses.Huber is beta times it)"),
       jax=none(NO_OPTAX.format("smooth-L1") + " (optax.losses.huber_loss is delta times it)")),
    op("log_cosh", "loss", "pred target", "log(cosh(pred - target)), computed stably; then `reduction`", _log_cosh,
       attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=none(NO_TORCH.format("log-cosh")), tensorflow=_keras("LogCosh"),
       jax=call("optax.losses.log_cosh", then=JNP_REDUCE)),
    op("bce_with_logits_pos_weight", "loss", ("logits", Arg("target", domain="binary"), Arg("pos_weight", domain="positive")),  # noqa: E501
       "-(pos_weight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), computed stably; then `reduction`",
       _bce_pos_weight, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=call("torch.nn.functional.binary_cross_entropy_with_logits",
                  args=("logits", "target", "pos_weight=pos_weight"), reduction="reduction"),
       tensorflow=call("tf.nn.weighted_cross_entropy_with_logits",
                       args=("labels=target", "logits=logits", "pos_weight=pos_weight"), then=TF_REDUCE),
       jax=none("optax.losses.sigmoid_binary_cross_entropy has no positive-class weight")),
    op("cross_entropy_smoothed", "loss", ("logits", Arg("target", domain="probability")),
       "softmax cross-entropy against class-probability targets smoothed as target (1 - ls) + ls / C; "
       "then `reduction` over examples", _ce_smoothed,
       attrs={"label_smoothing": Attr("float", reference=0.0, low=0.0, high=1.0,
                                      doc="the reference smooths nothing when unpinned"),
              "reduction": REDUCTION},
       torch=construct("torch.nn.CrossEntropyLoss", reduction="reduction", label_smoothing="label_smoothing"),
       tensorflow=construct("keras.losses.CategoricalCrossentropy", args=("target", "logits"),
                            fixed={"from_logits": LOGITS}, reduction=KERAS_REDUCTION, label_smoothing="label_smoothing"),
       jax=none("optax's softmax_cross_entropy takes no label smoothing (optax.smooth_labels is a separate step)")),
    op("cross_entropy_weighted", "loss", ("logits", Arg("labels", "tensor", "index"), Arg("weight", domain="positive")),
       "class-weighted softmax cross-entropy with integer labels: per example -weight[y] log softmax(x)[y]; "
       "mean is the weighted mean (divided by the sum of the weights used)", _ce_weighted,
       attrs={"reduction": REDUCTION},
       torch=call("torch.nn.functional.cross_entropy", args=("logits", "labels", "weight=weight"),
                  reduction="reduction"),
       tensorflow=none("keras.losses cross-entropies take no per-class weight (only per-sample sample_weight)"),
       jax=none("optax's softmax_cross_entropy_with_integer_labels takes no per-class weight")),
    op("nll_loss", "loss", ("log_probs", Arg("labels", "tensor", "index")),
       "negative log-likelihood: -log_probs[y] per example; then `reduction`", _nll, attrs={"reduction": REDUCTION},
       torch=construct("torch.nn.NLLLoss", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("negative-log-likelihood-on-log-probabilities")),
       jax=none(NO_OPTAX.format("negative-log-likelihood"))),
    op("kl_div", "loss", ("log_pred", Arg("target", domain="probability")),
       "KL(target || pred) from log-probabilities: per element target (log target - log_pred) with 0 log 0 = 0; "
       "`mean` averages over all elements", _kl_div, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.KLDivLoss", reduction="reduction"),
       tensorflow=none("keras.losses.KLDivergence takes probabilities, not log-probabilities (see kl_div_probs)"),
       jax=call("optax.losses.kl_divergence", args=("log_pred", "target"), then=JNP_REDUCE)),
    op("kl_div_probs", "loss", (Arg("pred", domain="probability"), Arg("target", domain="probability")),
       "KL(target || pred) from probabilities: per element target log(target / pred); `mean` over all elements",
       _kl_div_probs, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=none("torch.nn.KLDivLoss takes log-probabilities as its input (see kl_div)"),
       tensorflow=_keras("KLDivergence"),
       jax=none("optax.losses.kl_divergence takes log-predictions (see kl_div)")),
    op("poisson_nll", "loss", (Arg("rate", domain="positive"), Arg("target", domain="positive")),
       "Poisson negative log-likelihood without the log(target!) term: rate - target log(rate); then `reduction`; "
       "log_input=true: the input is log(rate), exp(input) - target input",
       _poisson, attrs={"reduction": REDUCTION,
                        "log_input": Attr("bool", False, doc="false (the input is the rate) is the op's meaning and "
                                                             "is passed when unpinned; torch's own default is true")},
       alternatives=SHAPES,
       torch=construct("torch.nn.PoissonNLLLoss", reduction="reduction", log_input="log_input"),
       tensorflow=switch("log_input", **{"False": _keras("Poisson", "target", "rate"),
                                          "True": none("keras.losses.Poisson takes the rate, not its log")}),
       jax=none(NO_OPTAX.format("Poisson"))),
    op("cosine_similarity", "loss", "x1 x2", "sum(x1 x2) / (|x1| |x2|) along `axis` (positive: 1 for equal directions)",
       _cosine_similarity,
       attrs={"axis": Attr("axis", reference=-1, doc="the reference uses the last axis when unpinned")},
       torch=call("torch.nn.functional.cosine_similarity", axis="dim"),
       tensorflow=call("keras.losses.cosine_similarity", args=("x2", "x1"), axis="axis"),
       jax=call("optax.losses.cosine_similarity", axis="axis")),
    op("hinge", "loss", "pred target", "max(1 - target pred, 0) with targets in {-1, 1}; then `reduction`", _hinge,
       attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       conventions="targets are used as given (no 0 -> -1 conversion); kink gradient 0 at 1 - t p = 0",
       torch=none("torch has no binary hinge loss (nn.HingeEmbeddingLoss is a margin loss on distances)"),
       tensorflow=_keras("Hinge"), jax=call("optax.losses.hinge_loss", then=JNP_REDUCE)),
    op("squared_hinge", "loss", "pred target", "max(1 - target pred, 0)^2 with targets in {-1, 1}; then `reduction`",
       _squared_hinge, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       conventions="targets are used as given (no 0 -> -1 conversion)",
       torch=none(NO_TORCH.format("squared hinge")), tensorflow=_keras("SquaredHinge"),
       jax=none(NO_OPTAX.format("squared hinge"))),
    op("categorical_hinge", "loss", ("pred", Arg("target", domain="binary")),
       "one-hot targets: max(max((1 - t) p) - sum(t p) + 1, 0) per example; then `reduction`", _categorical_hinge,
       attrs={"reduction": REDUCTION},
       torch=none("torch.nn.MultiMarginLoss takes integer labels and averages a margin over all classes"),
       tensorflow=_keras("CategoricalHinge"),
       jax=none("optax.losses.multiclass_hinge_loss takes integer labels and maximises over all classes")),
    op("margin_ranking", "loss", ("x1", "x2", Arg("y", domain="real")),
       "max(0, -y (x1 - x2) + margin), y in {-1, 1}; then `reduction`", _margin_ranking,
       attrs={"margin": Attr("float", reference=0.0, doc="the reference uses 0 when unpinned"),
              "reduction": REDUCTION}, conventions="gradient 0 at the kink (a tie with margin 0)",
       torch=construct("torch.nn.MarginRankingLoss", margin="margin", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("margin-ranking")), jax=none(NO_OPTAX.format("margin-ranking"))),
    op("hinge_embedding", "loss", ("x", Arg("y", domain="real")),
       "x where y = 1, max(0, margin - x) where y = -1 (x is typically a distance); then `reduction`",
       _hinge_embedding,
       attrs={"margin": Attr("float", reference=1.0, doc="the reference uses 1.0 when unpinned"),
              "reduction": REDUCTION},
       conventions="targets outside {-1, 1} are undefined (the reference refuses them); gradient 0 at the kink "
                   "margin - x = 0",
       torch=construct("torch.nn.HingeEmbeddingLoss", margin="margin", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("hinge-embedding") + " (keras.losses.Hinge is max(0, 1 - y x), the binary "
                       "hinge)"),
       jax=none(NO_OPTAX.format("hinge-embedding") + " (optax.losses.hinge_loss is the binary hinge)")),
    op("triplet_margin", "loss", "anchor positive negative",
       "max(d(a, p) - d(a, n) + margin, 0) per example, d(u, v) = ||u - v + 1e-6||_2 over the last axis; "
       "then `reduction`", _triplet,
       attrs={"margin": Attr("float", reference=1.0, doc="the reference uses 1.0 when unpinned"),
              "reduction": REDUCTION},
       torch=construct("torch.nn.TripletMarginLoss", margin="margin", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("triplet-margin")),
       jax=call("optax.losses.triplet_margin_loss", then=JNP_REDUCE, margin="margin")),
    op("mape", "loss", "pred target", "100 |target - pred| / |target| (unclamped: target 0 gives inf or NaN); "
       "then `reduction`", _mape, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=none(NO_TORCH.format("mean-absolute-percentage-error")), tensorflow=_keras("MeanAbsolutePercentageError"),
       jax=none(NO_OPTAX.format("mean-absolute-percentage-error"))),
    op("msle", "loss", "pred target", "(log(1 + pred) - log(1 + target))^2 (unclamped); then `reduction`", _msle,
       attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=none(NO_TORCH.format("mean-squared-logarithmic-error")), tensorflow=_keras("MeanSquaredLogarithmicError"),
       jax=none(NO_OPTAX.format("mean-squared-logarithmic-error"))),
]


def _ctc(r, log_probs, targets, input_lengths, target_lengths, reduction):  # type: ignore[no-untyped-def]
    """CTC negative log-likelihood per sample by the forward (alpha) recursion in log space, blank = 0."""
    import numpy as np

    xp = r.xp
    if log_probs.ndim != 3 or targets.ndim != 2:
        from oracle.ops.refctx import ShapeMismatch

        raise ShapeMismatch(f"ctc_loss needs log_probs [T, N, C] and targets [N, S], got {list(log_probs.shape)} "
                            f"and {list(targets.shape)}")
    labels, t_lens, s_lens = r.concrete(targets), r.concrete(input_lengths), r.concrete(target_lengths)
    losses = []
    for b in range(log_probs.shape[1]):
        seq = [int(v) for v in labels[b, :int(s_lens[b])]]
        ext = [0]
        for v in seq:
            ext += [v, 0]
        allow2 = np.array([i >= 2 and ext[i] != 0 and ext[i] != ext[i - 2] for i in range(len(ext))])
        neg = -np.inf * np.ones(len(ext))
        lp = log_probs[:, b, :]
        alpha = xp.where(np.arange(len(ext)) < 2, lp[0][np.array(ext)], neg)
        for t in range(1, int(t_lens[b])):
            a1 = xp.concatenate([neg[:1], alpha[:-1]])
            a2 = xp.concatenate([neg[:2], alpha[:-2]])
            alpha = xp.logaddexp(xp.logaddexp(alpha, a1), xp.where(allow2, a2, -np.inf)) + lp[t][np.array(ext)]
        losses.append(-(xp.logaddexp(alpha[-1], alpha[-2]) if len(ext) > 1 else alpha[-1]))
    return r.reduce(xp.stack(losses), reduction)


OPS += [
    op("ctc_loss", "loss", ("log_probs", Arg("targets", "tensor", "index"), Arg("input_lengths", "int_tensor"),
                            Arg("target_lengths", "int_tensor")),
       "connectionist temporal classification: -log of the total probability of all alignments of each target "
       "(blank = class 0) under log_probs [T, N, C] (log-softmax over C); `mean` is the plain mean over the batch",
       _ctc, attrs={"reduction": REDUCTION},
       conventions="log_probs are normalised, so frameworks that log-softmax their input see the same values",
       torch=call("torch.nn.functional.ctc_loss", reduction="reduction"),
       tensorflow=custom("keras_ctc_tnc", "keras.ops.ctc_loss({targets}, transpose({log_probs}, [1, 0, 2]), "
                         "{target_lengths}, {input_lengths}) then mean/sum by reduction"),
       jax=custom("optax_ctc_tnc", "optax.losses.ctc_loss(transpose({log_probs}, (1, 0, 2)), t >= {input_lengths}, "
                  "{targets}, s >= {target_lengths}) then jnp.mean/jnp.sum by reduction")),
]


# ---- forms: torch's functional beside its loss module (`F.mse_loss` / `nn.MSELoss()`), Keras' loss function
# (one value per sample, no `reduction`) beside its loss class, and the loss class beside a function

def _functional(declared_name: str, function: str) -> Binding:
    return retarget(_declared(declared_name).torch, f"torch.nn.functional.{function}", kind="call")


def _keras_function(declared_name: str, function: str) -> Binding:
    return _keras_fn(_declared(declared_name).tensorflow, function)


def _keras_fn(binding: Binding, function: str) -> Binding:
    return retarget(binding, f"keras.losses.{function}", kind="call", drop=("reduction",))


def _declared(name: str):  # type: ignore[no-untyped-def]
    return next(d for d in OPS if d.name == name)


OPS = with_forms(OPS, "torch", "functional", {
    name: _functional(name, function) for name, function in (
        ("mse_loss", "mse_loss"), ("l1_loss", "l1_loss"), ("cross_entropy", "cross_entropy"),
        ("binary_cross_entropy", "binary_cross_entropy"),
        ("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits"), ("huber_loss", "huber_loss"),
        ("smooth_l1_loss", "smooth_l1_loss"), ("cross_entropy_smoothed", "cross_entropy"), ("nll_loss", "nll_loss"),
        ("kl_div", "kl_div"), ("poisson_nll", "poisson_nll_loss"), ("margin_ranking", "margin_ranking_loss"),
        ("triplet_margin", "triplet_margin_loss"), ("hinge_embedding", "hinge_embedding_loss"))})
OPS = with_forms(OPS, "torch", "module", {
    "cosine_similarity": retarget(_declared("cosine_similarity").torch, "torch.nn.CosineSimilarity", kind="construct"),
    "ctc_loss": retarget(_declared("ctc_loss").torch, "torch.nn.CTCLoss", kind="construct")})
OPS = with_forms(OPS, "tensorflow", "function", {
    **{name: _keras_function(name, function) for name, function in (
        ("mse_loss", "mean_squared_error"), ("l1_loss", "mean_absolute_error"),
        ("binary_cross_entropy", "binary_crossentropy"), ("binary_cross_entropy_with_logits", "binary_crossentropy"),
        ("huber_loss", "huber"), ("log_cosh", "log_cosh"), ("cross_entropy_smoothed", "categorical_crossentropy"),
        ("kl_div_probs", "kl_divergence"), ("poisson_nll", "poisson"), ("hinge", "hinge"),
        ("squared_hinge", "squared_hinge"), ("categorical_hinge", "categorical_hinge"),
        ("mape", "mean_absolute_percentage_error"), ("msle", "mean_squared_logarithmic_error"))},
    "cross_entropy": switch("labels", integer=_keras_fn(_declared("cross_entropy").tensorflow.cases["integer"],
                                                        "sparse_categorical_crossentropy"),
                            floating=_keras_fn(_declared("cross_entropy").tensorflow.cases["floating"],
                                               "categorical_crossentropy"))})
OPS = with_forms(OPS, "tensorflow", "class", {
    "cosine_similarity": retarget(_declared("cosine_similarity").tensorflow, "keras.losses.CosineSimilarity",
                                  kind="construct")})


# ---- round two: margin losses on scores, Gaussian and focal likelihoods, KL on log targets, ignored labels,
# overlap losses (Dice, Tversky)

def _log_sigmoid(r, x):  # type: ignore[no-untyped-def]
    """log(1 / (1 + exp(-x))) = -(max(-x, 0) + log1p(exp(-|x|))), finite for any finite x."""
    xp = r.xp
    return -(xp.where(x < 0, -x, 0.0) + xp.log1p(xp.exp(-xp.abs(x))))


def _soft_margin(r, x, y, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("soft_margin", x, y)
    return r.reduce(-_log_sigmoid(r, t * p), reduction)


def _multilabel_soft_margin(r, x, y, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("multilabel_soft_margin", x, y)
    per = -r.xp.mean(t * _log_sigmoid(r, p) + (1 - t) * _log_sigmoid(r, -p), axis=-1)
    return r.reduce(per, reduction)


def _multi_margin(r, x, labels, margin, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    if x.ndim != 2 or labels.shape != x.shape[:1]:
        _undefined_shape("multi_margin", x, labels)
    c = x.shape[-1]
    picked = _log_probs_at(r, "multi_margin", x, labels)  # x[n, y_n], a gather
    others = xp.arange(c)[None, :] != labels[:, None]
    per = xp.sum(xp.where(others, _pos(r, margin - picked[:, None] + x), 0.0), axis=-1) / c
    return r.reduce(per, reduction)


def _cosine_embedding(r, x1, x2, y, margin, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    cos = xp.sum(x1 * x2, axis=-1) / xp.sqrt(xp.sum(x1 * x1, axis=-1) * xp.sum(x2 * x2, axis=-1))
    return r.reduce(xp.where(y == 1, 1 - cos, _pos(r, cos - margin)), reduction)


def _gaussian_nll(r, pred, target, var, eps, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    p, t = r.operands("gaussian_nll", pred, target)
    v = xp.maximum(xp.broadcast_to(var, p.shape), eps)
    return r.reduce(0.5 * (xp.log(v) + (p - t) ** 2 / v), reduction)


def _sigmoid_focal(r, logits, target, gamma, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    x, t = r.operands("sigmoid_focal", logits, target)
    p = 1 / (1 + xp.exp(-x))
    ce = -(t * _log_sigmoid(r, x) + (1 - t) * _log_sigmoid(r, -x))
    p_t = p * t + (1 - p) * (1 - t)
    return r.loss(ce * (1 - p_t) ** gamma, reduction)


def _kl_div_log_target(r, log_pred, log_target, reduction):  # type: ignore[no-untyped-def]
    lq, lp = r.operands("kl_div_log_target", log_pred, log_target)
    return r.reduce(r.xp.exp(lp) * (lp - lq), reduction)


def _ce_ignore(r, logits, labels, ignore_index, reduction):  # type: ignore[no-untyped-def]
    xp = r.xp
    if labels.shape != logits.shape[:-1]:
        _undefined_shape("cross_entropy_ignore", logits, labels)
    keep = labels != ignore_index
    safe = xp.where(keep, labels, 0)
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
    per = xp.where(keep, -_log_probs_at(r, "cross_entropy_ignore", logp, safe), 0.0)
    if reduction == "mean":
        return xp.sum(per) / xp.sum(keep)
    return r.reduce(per, reduction)


def _dice(r, pred, target):  # type: ignore[no-untyped-def]
    p, t = r.operands("dice", pred, target)
    xp = r.xp
    return 1 - 2 * xp.sum(t * p) / (xp.sum(t) + xp.sum(p))


def _tversky(r, pred, target, alpha, beta):  # type: ignore[no-untyped-def]
    p, t = r.operands("tversky", pred, target)
    xp = r.xp
    tp = xp.sum(t * p)
    return 1 - tp / (tp + alpha * xp.sum((1 - t) * p) + beta * xp.sum(t * (1 - p)))


MARGIN = Attr("float", reference=1.0, doc="the reference uses 1.0 when unpinned")
NO_KERAS_OPTAX = "neither keras.losses nor optax.losses has a {} loss"

OPS += [
    op("soft_margin", "loss", ("x", Arg("y", domain="real")), "log(1 + exp(-y x)) per element, y in {-1, 1}; "
       "then `reduction`", _soft_margin, attrs={"reduction": REDUCTION},
       torch=construct("torch.nn.SoftMarginLoss", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("soft-margin")), jax=none(NO_OPTAX.format("soft-margin"))),
    op("multilabel_soft_margin", "loss", ("x", Arg("y", domain="binary")),
       "per sample -mean over classes of y log sigmoid(x) + (1 - y) log sigmoid(-x) (targets in {0, 1}); then "
       "`reduction` over samples", _multilabel_soft_margin, attrs={"reduction": REDUCTION},
       conventions="the class axis is the last; each sample's loss is a mean over classes, not a sum",
       torch=construct("torch.nn.MultiLabelSoftMarginLoss", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("multi-label soft-margin") + " (BinaryCrossentropy(from_logits=True) is the "
                       "same mean over the last axis)"),
       jax=none(NO_OPTAX.format("multi-label soft-margin"))),
    op("multi_margin", "loss", ("x", Arg("labels", "tensor", "index")),
       "multi-class hinge on scores x [N, C]: per sample sum over i != y of max(0, margin - x[y] + x[i]) / C; then "
       "`reduction`", _multi_margin, attrs={"margin": MARGIN, "reduction": REDUCTION},
       conventions="divided by C, the number of classes (the true class adds nothing); gradient 0 at the kink",
       torch=construct("torch.nn.MultiMarginLoss", margin="margin", reduction="reduction"),
       tensorflow=none("keras.losses.CategoricalHinge takes one-hot targets and keeps the largest wrong score only"),
       jax=none("optax.losses.multiclass_hinge_loss keeps the largest wrong score only (no sum over classes)")),
    op("cosine_embedding", "loss", ("x1", "x2", Arg("y", domain="real")),
       "per pair 1 - cos(x1, x2) where y = 1 and max(0, cos(x1, x2) - margin) where y = -1, cosine over the last "
       "axis; then `reduction`", _cosine_embedding,
       attrs={"margin": Attr("float", reference=0.0, doc="the reference uses 0 when unpinned"), "reduction": REDUCTION},
       conventions="the cosine has no epsilon (a zero vector gives NaN); gradient 0 at the kink cos = margin",
       torch=construct("torch.nn.CosineEmbeddingLoss", margin="margin", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("cosine-embedding") + " (keras.losses.CosineSimilarity has no target sign "
                       "or margin)"),
       jax=none(NO_OPTAX.format("cosine-embedding"))),
    op("gaussian_nll", "loss", ("pred", "target", Arg("var", domain="positive")),
       "Gaussian negative log-likelihood without its constant: 0.5 (log v + (pred - target)^2 / v), v = max(var, eps) "
       "(var broadcast to pred's shape); then `reduction`", _gaussian_nll,
       attrs={"eps": Attr("float", reference=1e-6, low=0.0, doc="the variance's floor; the reference uses 1e-6 when "
                                                               "unpinned"),
              "reduction": REDUCTION},
       conventions="the constant 0.5 log(2 pi) is left out (torch's full=False)",
       torch=construct("torch.nn.GaussianNLLLoss", eps="eps", reduction="reduction"),
       tensorflow=none(NO_KERAS.format("Gaussian negative-log-likelihood")),
       jax=none(NO_OPTAX.format("Gaussian negative-log-likelihood"))),
    op("sigmoid_focal", "loss", ("logits", Arg("target", domain="binary")),
       "focal loss on logits, without class balancing: BCE(sigmoid(x), t) (1 - p_t)^gamma, p_t = p t + (1 - p)(1 - t); "
       "then `reduction`", _sigmoid_focal,
       attrs={"gamma": Attr("float", reference=2.0, low=0.0, doc="the focusing exponent; the reference uses 2 when "
                                                                "unpinned"),
              "reduction": REDUCTION}, alternatives=SHAPES,
       conventions="no alpha weighting (optax's alpha=None, Keras' apply_class_balancing=False)",
       torch=none("torch.nn has no focal loss (torchvision.ops.sigmoid_focal_loss is outside torch, and torchvision "
                  "is not installed)"),
       tensorflow=construct("keras.losses.BinaryFocalCrossentropy", args=("target", "logits"), fixed={"from_logits": LOGITS},
                 reduction=KERAS_REDUCTION, gamma="gamma"),
       jax=call("optax.losses.sigmoid_focal_loss", then=JNP_REDUCE, gamma="gamma")),
    op("kl_div_log_target", "loss", ("log_pred", "log_target"),
       "KL(target || pred) with both given as log-probabilities: per element exp(log_target) (log_target - "
       "log_pred); `mean` averages over all elements", _kl_div_log_target, attrs={"reduction": REDUCTION},
       alternatives=SHAPES,
       conventions="a target of log-probability -inf adds exp(-inf) (-inf - log_pred) = 0 * -inf = NaN, as the "
                   "formula reads",
       torch=construct("torch.nn.KLDivLoss", reduction="reduction",
                       fixed={"log_target": fix(True, "the op's targets are log-probabilities")}),
       tensorflow=none("keras.losses.KLDivergence takes probabilities, not log-probabilities"),
       jax=call("optax.losses.kl_divergence_with_log_targets", args=("log_pred", "log_target"), then=JNP_REDUCE)),
    op("cross_entropy_ignore", "loss", ("logits", Arg("labels", "tensor", "index")),
       "softmax cross-entropy with integer labels where examples labelled `ignore_index` add nothing; `mean` divides "
       "by the number of examples not ignored", _ce_ignore,
       attrs={"ignore_index": Attr("int", REQUIRED, doc="the label value that is skipped"), "reduction": REDUCTION},
       conventions="all examples ignored: mean is 0 / 0 = NaN",
       torch=construct("torch.nn.CrossEntropyLoss", reduction="reduction", ignore_index="ignore_index"),
       tensorflow=construct("keras.losses.SparseCategoricalCrossentropy", args=("labels", "logits"),
                            fixed={"from_logits": LOGITS}, reduction=KERAS_REDUCTION, ignore_index="ignore_class"),
       jax=none("optax.losses.softmax_cross_entropy_with_integer_labels has no ignored label (its `where` takes a "
                "mask)")),
    op("dice", "loss", (Arg("pred", domain="probability"), Arg("target", domain="binary")),
       "the Dice loss over all elements: 1 - 2 sum(t p) / (sum(t) + sum(p)), p probabilities, t in {0, 1}", _dice,
       conventions="no smoothing term: empty prediction and target give 0 / 0 = NaN (Keras adds epsilon 1e-7)",
       torch=none(NO_TORCH.format("Dice")), tensorflow=construct("keras.losses.Dice", args=("target", "pred")),
       jax=none("optax.losses.dice_loss works per class over a channel axis, with a softmax and smooth=1 by "
                "default; no whole-tensor Dice on probabilities")),
    op("tversky", "loss", (Arg("pred", domain="probability"), Arg("target", domain="binary")),
       "the Tversky loss over all elements: 1 - TP / (TP + alpha FP + beta FN), TP = sum(t p), FP = sum((1 - t) p), "
       "FN = sum(t (1 - p)) (Salehi et al. 2017: alpha weighs false positives)", _tversky,
       attrs={"alpha": Attr("float", reference=0.5, low=0.0, doc="the weight of false positives"),
              "beta": Attr("float", reference=0.5, low=0.0, doc="the weight of false negatives")},
       conventions="alpha = beta = 0.5 is the Dice loss",
       torch=none(NO_TORCH.format("Tversky")),
       tensorflow=construct("keras.losses.Tversky", args=("target", "pred"), alpha="alpha", beta="beta"),
       jax=none("optax.losses.dice_loss takes alpha and beta but works per class over a channel axis with a softmax "
                "and smooth=1 by default")),
]
