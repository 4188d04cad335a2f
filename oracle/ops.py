"""The op vocabulary: every op a case step may name, with its arguments and attributes.

This is the single list the loader validates against and every adapter implements.
Semantics live in the reference (adapters/reference.py); here only the signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REDUCTIONS = ("mean", "sum", "none")
ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")
METRIC_TASKS = ("binary", "multiclass")
# attributes whose values are enumerated (checked when a case is loaded)
CHOICES: dict[str, tuple[str, ...]] = {"reduction": REDUCTIONS, "padding": ("valid", "same"), "task": METRIC_TASKS}

# Optimizers a training case may name, with their hyperparameters under canonical names
# (each adapter maps them to its framework's spelling and reads them back the same way).
OPTIMIZERS: dict[str, tuple[str, ...]] = {
    "sgd": ("learning_rate", "momentum", "nesterov"),
    "adam": ("learning_rate", "beta1", "beta2", "epsilon", "weight_decay"),
    "adamw": ("learning_rate", "beta1", "beta2", "epsilon", "weight_decay"),
    "rmsprop": ("learning_rate", "rho", "epsilon"),
}


@dataclass(frozen=True)
class OpSpec:
    name: str
    args: tuple[str, ...]
    attrs: dict[str, Any] = field(default_factory=dict)  # attribute name -> default
    doc: str = ""
    family: str = "elementwise"


def _binary(name: str, doc: str) -> OpSpec:
    return OpSpec(name, ("x", "y"), doc=doc)


def _unary(name: str, doc: str) -> OpSpec:
    return OpSpec(name, ("x",), doc=doc)


def _metric(name: str, doc: str) -> OpSpec:
    return OpSpec(name, ("preds", "target"), {"task": "binary", "threshold": 0.5, "num_classes": None}, doc,
                  family="metric")


def _loss(name: str, args: tuple[str, ...], doc: str, **attrs: Any) -> OpSpec:
    return OpSpec(name, args, {"reduction": "mean", **attrs}, doc, family="loss")


_SPECS = [
    _binary("add", "x + y, NumPy broadcasting"),
    _binary("subtract", "x - y, NumPy broadcasting"),
    _binary("multiply", "x * y, NumPy broadcasting"),
    _binary("divide", "x / y, true division, NumPy broadcasting"),
    _binary("pow", "x ** y, NumPy broadcasting"),
    _binary("matmul", "matrix product x @ y"),
    _unary("negative", "-x"),
    _unary("abs", "|x|"),
    _unary("exp", "e ** x"),
    _unary("log", "natural logarithm, log(0) = -inf, log(<0) = nan"),
    _unary("sqrt", "square root, sqrt(<0) = nan"),
    OpSpec("sum", ("x",), {"axis": None, "keepdims": False}, "sum over axis (all when None)", "reduction"),
    OpSpec("mean", ("x",), {"axis": None, "keepdims": False}, "mean over axis (all when None)", "reduction"),
    OpSpec("reshape", ("x",), {"shape": None}, "reshape to `shape` (one -1 allowed)", "shape"),
    OpSpec("squeeze", ("x",), {"axis": None}, "drop size-1 axes (all when axis is None)", "shape"),
    OpSpec("expand_dims", ("x",), {"axis": 0}, "insert a size-1 axis at `axis`", "shape"),
    OpSpec("softmax", ("x",), {"axis": -1}, "exp(x) / sum(exp(x)) along axis", "activation"),
    OpSpec("log_softmax", ("x",), {"axis": -1}, "x - logsumexp(x) along axis", "activation"),
    OpSpec("scatter_add", ("x", "indices", "updates"), {}, "copy of x with updates added at indices of axis 0; "
           "duplicate indices accumulate", "indexing"),
    OpSpec("conv2d", ("x", "w"), {"stride": 1, "padding": "valid"},
           "2-D cross-correlation, x [N,C,H,W], w [O,C,kH,kW] (PyTorch layout), padding valid|same", "conv"),
    _loss("mse_loss", ("pred", "target"), "mean squared error"),
    _loss("l1_loss", ("pred", "target"), "mean absolute error"),
    _loss(
        "cross_entropy",
        ("logits", "labels"),
        "softmax cross-entropy from logits; integer labels or class-probability targets",
    ),
    _loss("binary_cross_entropy", ("probs", "target"), "binary cross-entropy from probabilities"),
    _loss(
        "binary_cross_entropy_with_logits",
        ("logits", "target"),
        "binary cross-entropy from logits (sigmoid inside)",
    ),
]

_SPECS += [
    _metric("precision", "tp / (tp + fp); binary: positive where preds > threshold"),
    _metric("recall", "tp / (tp + fn); binary: positive where preds > threshold"),
    _metric("f1", "2 tp / (2 tp + fp + fn); binary: positive where preds > threshold"),
    _metric("accuracy", "share of correct predictions; multiclass: argmax of preds over the last axis"),
]

OPS: dict[str, OpSpec] = {spec.name: spec for spec in _SPECS}
