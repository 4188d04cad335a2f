"""Losses. The reference needs operands of one shape and reduces with `reduction` over all elements.

`reduction` is left to each framework unless pinned (torch and Keras default to a mean;
optax losses are per element, and the JAX column reduces with jnp.mean / jnp.sum only
when the case pins it). Keras' `sum_over_batch_size` is its mean.
"""

from __future__ import annotations

from oracle.ops.spec import Arg, Binding, Attr, call, construct, kw, none, op, switch

REDUCTION = Attr("str", choices=("mean", "sum", "none"), reference="mean",
                 doc="mean or sum over all elements, or none; the reference means when unpinned")
KERAS_REDUCTION = kw("reduction", {"mean": "sum_over_batch_size", "sum": "sum", "none": None})
JNP_REDUCE = ("reduction", {"mean": "jnp.mean", "sum": "jnp.sum"})
SHAPES = ("broadcast", "align_ranks", "last_axis_mean")  # what a column may do with operands of two shapes


def _keras(cls: str, *args: str, **fixed: object) -> Binding:
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
    return r.reduce(lse - xp.sum(target * logits, axis=-1), reduction)


def _xlogy(r, x, y):  # type: ignore[no-untyped-def]
    return r.special.xlogy(x, y)


def _bce(r, probs, target, reduction):  # type: ignore[no-untyped-def]
    p, t = r.operands("binary_cross_entropy", probs, target)
    return r.loss(-(_xlogy(r, t, p) + _xlogy(r, 1 - t, 1 - p)), reduction)


def _bce_logits(r, logits, target, reduction):  # type: ignore[no-untyped-def]
    x, t = r.operands("binary_cross_entropy_with_logits", logits, target)
    xp = r.xp
    return r.loss(xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x))), reduction)


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
       tensorflow=switch("labels", integer=_keras("SparseCategoricalCrossentropy", "labels", "logits", from_logits=True),
                         floating=_keras("CategoricalCrossentropy", "labels", "logits", from_logits=True)),
       jax=switch("labels", integer=call("optax.losses.softmax_cross_entropy_with_integer_labels", then=JNP_REDUCE),
                  floating=call("optax.losses.softmax_cross_entropy", then=JNP_REDUCE))),
    op("binary_cross_entropy", "loss", (Arg("probs", domain="probability"), Arg("target", domain="binary")),
       "-(t log p + (1 - t) log(1 - p)) with 0 log 0 = 0, unclamped (p = 0 with t = 1 gives inf), then `reduction`",
       _bce, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.BCELoss", reduction="reduction"),
       tensorflow=_keras("BinaryCrossentropy", "target", "probs", from_logits=False),
       jax=none("optax has no binary cross-entropy on probabilities (sigmoid_binary_cross_entropy takes logits)")),
    op("binary_cross_entropy_with_logits", "loss", ("logits", Arg("target", domain="binary")),
       "max(x, 0) - x t + log(1 + exp(-|x|)), the stable form of BCE(sigmoid(x), t), then `reduction`",
       _bce_logits, attrs={"reduction": REDUCTION}, alternatives=SHAPES,
       torch=construct("torch.nn.BCEWithLogitsLoss", reduction="reduction"),
       tensorflow=_keras("BinaryCrossentropy", "target", "logits", from_logits=True),
       jax=call("optax.losses.sigmoid_binary_cross_entropy", then=JNP_REDUCE)),
]
