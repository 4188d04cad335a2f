"""Reference column: JAX in float64, each op with its intended semantics stated below.

Strict semantics, the ones every verdict is measured against:
  * elementwise arithmetic follows NumPy broadcasting;
  * a loss needs operands of one shape (no broadcasting, no rank alignment) and reduces
    with `reduction` over all elements (`mean`, `sum`) or not at all (`none`);
  * a gradient target must be a scalar (shape ()).
The reference also runs each case under the alternatives named in oracle/semantics.py
(broadcasting, Keras rank alignment, Keras per-sample means, implicit sum of a non-scalar
target) so that the diff can say which one a framework followed. It runs in its own
process because JAX's 64-bit mode is global to a process.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from adapters.base import NativeAdapter, reduce
from adapters.jax import JaxBackend, _ops as jax_ops, select_device
from adapters import reference_train
from adapters.reference_train import OptimizerConventions, ReferenceTraining
from oracle.execute import Env, Forward, NativeOp, Unsupported, call, run_request
from oracle.ops import OPS
from oracle.training import run_training
from oracle.outcome import Outcome
from oracle.plan import Request

FD_MAX_ELEMENTS = 256  # finite differences checked per differentiated input


class ShapeMismatch(ValueError):
    """Loss operands of different shapes under strict semantics."""


class NonScalarTarget(TypeError):
    """A gradient target that is not a scalar under strict semantics."""


@dataclass(frozen=True)
class Semantics:
    loss_shapes: str = "strict"  # strict | broadcast | align_ranks
    last_axis_mean: bool = False
    implicit_sum: bool = False
    optimizer: OptimizerConventions = OptimizerConventions()
    zero_division: str = "nan"  # nan | zero: what a metric's 0/0 gives

    @property
    def key(self) -> str:
        parts = [self.loss_shapes] if self.loss_shapes != "strict" else []
        parts += ["last_axis_mean"] * self.last_axis_mean + ["implicit_sum"] * self.implicit_sum
        if self.optimizer.epsilon != "outside":
            parts.append("eps_hat" if self.optimizer.epsilon == "eps_hat" else "eps_inside_sqrt")
        parts += [f"{self.optimizer.decay}_decay"] * bool(self.optimizer.decay)
        parts += ["zero_division_zero"] * (self.zero_division == "zero")
        return "+".join(parts)


def _reference_ops(jax: Any, jnp: Any, sem: Semantics, trace: list[str]) -> dict[str, NativeOp]:
    """`trace` collects what an alternative semantics did, in words, for the explanations."""

    def operands(name: str, a: Any, b: Any) -> tuple[Any, Any]:
        if a.shape == b.shape:
            return a, b
        if sem.loss_shapes == "strict":
            raise ShapeMismatch(f"{name} needs operands of one shape, got {list(a.shape)} and {list(b.shape)}")
        shapes = f"{list(a.shape)} with {list(b.shape)}"
        if sem.loss_shapes == "align_ranks":
            a, b = _align_ranks(jnp, a, b)
            shapes += f" aligned to {list(a.shape)} and {list(b.shape)}"
        a, b = jnp.broadcast_arrays(a, b)
        trace.append(f"{name}: {shapes} -> {list(a.shape)}")
        return a, b

    def loss(per_element: Any, reduction: str) -> Any:
        if sem.last_axis_mean and per_element.ndim >= 1:
            trace.append(f"per-sample mean over the last axis of {list(per_element.shape)}")
            per_element = jnp.mean(per_element, axis=-1)
        return reduce(per_element, reduction, jnp.mean, jnp.sum)

    def mse_loss(pred: Any, target: Any, reduction: str) -> Any:
        """(pred - target) ** 2, then `reduction`."""
        p, t = operands("mse_loss", pred, target)
        return loss((p - t) ** 2, reduction)

    def l1_loss(pred: Any, target: Any, reduction: str) -> Any:
        """|pred - target|, then `reduction`."""
        p, t = operands("l1_loss", pred, target)
        return loss(jnp.abs(p - t), reduction)

    def cross_entropy(logits: Any, labels: Any, reduction: str) -> Any:
        """Softmax cross-entropy from logits, classes on the last axis, at least one batch axis.

        Integer labels have shape logits.shape[:-1] and lie in [0, C); probability targets
        have logits' shape. Per example: logsumexp(logits) - sum(target * logits).
        """
        if logits.ndim < 2:
            raise ShapeMismatch(f"cross_entropy needs logits [batch..., classes], got {list(logits.shape)}")
        if jnp.issubdtype(labels.dtype, jnp.integer):
            if labels.shape != logits.shape[:-1]:
                if sem.loss_shapes == "strict":
                    raise ShapeMismatch(f"cross_entropy integer labels need shape {list(logits.shape[:-1])}, "
                                        f"got {list(labels.shape)}")
                trace.append(f"cross_entropy: labels {list(labels.shape)} -> {list(logits.shape[:-1])}")
                labels = jnp.broadcast_to(labels, logits.shape[:-1])
            if np.any((np.asarray(labels) < 0) | (np.asarray(labels) >= logits.shape[-1])):
                raise IndexError(f"cross_entropy labels must lie in [0, {logits.shape[-1]})")
            target = jax.nn.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
        else:
            logits, target = operands("cross_entropy", logits, labels)
        per_example = jax.nn.logsumexp(logits, axis=-1) - jnp.sum(target * logits, axis=-1)
        return reduce(per_example, reduction, jnp.mean, jnp.sum)

    def binary_cross_entropy(probs: Any, target: Any, reduction: str) -> Any:
        """-(t log p + (1 - t) log(1 - p)) with 0 log 0 = 0, unclamped: p = 0 with t = 1 gives inf."""
        p, t = operands("binary_cross_entropy", probs, target)
        return loss(-(xlogy(t, p) + xlogy(1 - t, 1 - p)), reduction)

    def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str) -> Any:
        """max(x, 0) - x t + log(1 + exp(-|x|)), the stable form of BCE(sigmoid(x), t)."""
        x, t = operands("binary_cross_entropy_with_logits", logits, target)
        return loss(jnp.maximum(x, 0) - x * t + jnp.log1p(jnp.exp(-jnp.abs(x))), reduction)

    def ratio(num: Any, den: Any) -> Any:
        if sem.zero_division == "zero":
            if float(den) == 0:
                trace.append("a metric's 0/0 gave 0")
            return jnp.where(den == 0, 0.0, num / jnp.where(den == 0, 1.0, den))
        return num / den  # 0/0 is NaN: the metric is undefined

    def counts(name: str, preds: Any, target: Any, task: str, threshold: float) -> tuple[Any, Any, Any, Any]:
        if task != "binary":
            raise Unsupported(f"the reference defines {name} for task=binary only")
        p, t = operands(name, preds, target)
        positive, actual = p > threshold, t == 1
        return (jnp.sum(positive & actual), jnp.sum(positive & ~actual), jnp.sum(~positive & actual),
                jnp.sum(~positive & ~actual))

    def precision(preds: Any, target: Any, task: str, threshold: float, num_classes: Any) -> Any:
        """Binary: predicted positive iff preds > threshold; tp / (tp + fp); 0/0 is NaN (undefined)."""
        tp, fp, _, _ = counts("precision", preds, target, task, threshold)
        return ratio(tp * 1.0, tp + fp * 1.0)

    def recall(preds: Any, target: Any, task: str, threshold: float, num_classes: Any) -> Any:
        """Binary: tp / (tp + fn); 0/0 is NaN (undefined)."""
        tp, _, fn, _ = counts("recall", preds, target, task, threshold)
        return ratio(tp * 1.0, tp + fn * 1.0)

    def f1(preds: Any, target: Any, task: str, threshold: float, num_classes: Any) -> Any:
        """Binary: 2 tp / (2 tp + fp + fn); 0/0 is NaN (undefined)."""
        tp, fp, fn, _ = counts("f1", preds, target, task, threshold)
        return ratio(2.0 * tp, 2.0 * tp + fp + fn)

    def accuracy(preds: Any, target: Any, task: str, threshold: float, num_classes: Any) -> Any:
        """Binary: mean((preds > threshold) == target). Multiclass: mean(argmax(preds, -1) == target)."""
        if task == "multiclass":
            if preds.ndim != target.ndim + 1:
                raise ShapeMismatch(f"multiclass accuracy needs preds [N, C] and target [N], got "
                                    f"{list(preds.shape)} and {list(target.shape)}")
            return jnp.mean(jnp.argmax(preds, axis=-1) == target) * 1.0
        tp, fp, fn, tn = counts("accuracy", preds, target, task, threshold)
        return (tp + tn) / (tp + fp + fn + tn * 1.0)

    from jax.scipy.special import xlogy

    ops = dict(jax_ops(jax, jnp, None))  # elementwise, reductions and shapes: jax.numpy semantics
    for fn in (mse_loss, l1_loss, cross_entropy, binary_cross_entropy, binary_cross_entropy_with_logits,
               precision, recall, f1, accuracy):
        ops[fn.__name__] = NativeOp(fn, f"reference.{fn.__name__} (float64)")
    return {name: NativeOp(op.fn, op.api if op.api.startswith("reference") else f"reference: {op.api} (float64)")
            for name, op in ops.items()}


def _align_ranks(jnp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Keras' squeeze_or_expand_to_same_rank: ranks one apart -> squeeze a trailing 1 or expand."""
    if a.ndim == b.ndim + 1:
        return (jnp.squeeze(a, -1), b) if a.shape[-1] == 1 else (a, jnp.expand_dims(b, -1))
    if b.ndim == a.ndim + 1:
        return (a, jnp.squeeze(b, -1)) if b.shape[-1] == 1 else (jnp.expand_dims(a, -1), b)
    return a, b


class ReferenceBackend(ReferenceTraining, JaxBackend):
    def __init__(self, jax: Any, jnp: Any, device: Any, sem: Semantics) -> None:
        self.trace: list[str] = []
        super().__init__(jax, device, _reference_ops(jax, jnp, sem, self.trace), framework="reference")
        self.jnp, self.sem, self.conventions = jnp, sem, sem.optimizer

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        is_float = array.dtype.kind == "f" or str(array.dtype) == "bfloat16"
        return self.jax.device_put(array.astype(np.float64) if is_float else array, self.device)

    def gradient_api(self, idiom: str) -> str:
        return "jax.grad (float64)" + (" of sum(target)" if self.sem.implicit_sum else "")

    def gradients(self, forward: Forward, inputs: Env, of: str, wrt: list[str], idiom: str) -> dict[str, Any]:
        shape = forward(inputs, True)[of].shape
        if shape != () and not self.sem.implicit_sum:
            raise NonScalarTarget(f"gradient target {of!r} must be a scalar, got shape {list(shape)}")
        if shape != ():
            self.trace.append(f"gradient of sum({of}) over shape {list(shape)}")
        return self.grad(self._summed(forward, of), inputs, of, wrt)

    def _summed(self, forward: Forward, of: str) -> Forward:
        def wrapped(inputs: Env, record: bool) -> Env:
            env = forward(inputs, record)
            return {**env, of: self.jnp.sum(env[of])}
        return wrapped


class ReferenceAdapter:
    framework = "reference"

    def __init__(self, jax: Any, jnp: Any, device: Any, device_name: str) -> None:
        self.jax, self.jnp, self.native_device = jax, jnp, device
        self.version, self.device = f"jax {jax.__version__} float64", device_name
        self.settings = {"x64": True, "semantics": "strict"}

    def _backend(self, sem: Semantics) -> ReferenceBackend:
        return ReferenceBackend(self.jax, self.jnp, self.native_device, sem)

    def run(self, request: Request) -> Outcome:
        execute = run_training if request.training else run_request
        main = execute(self._backend(Semantics()), request, self.version, self.device)
        if main.status == "ok" and request.grad:
            main.notes.update(self._finite_differences(request, main))
        seen = [main.outputs] if main.status == "ok" else []
        for sem in _alternatives(request, main.status == "ok"):
            backend = self._backend(sem)
            alt = execute(backend, request, self.version, self.device)
            if alt.status == "ok" and not any(_same(alt.outputs, s) for s in seen):
                main.interpretations[sem.key] = alt.outputs
                main.notes.setdefault("interpretation_details", {})[sem.key] = "; ".join(dict.fromkeys(backend.trace))
                seen.append(alt.outputs)
        return main

    def _finite_differences(self, request: Request, main: Outcome) -> dict[str, Any]:
        """Central differences in float64 of the (scalar) target against jax.grad's answer."""
        assert request.grad is not None
        backend = self._backend(Semantics())
        inputs = {n: backend.tensor(a, False) for n, a in request.inputs.items()}
        steps, of = request.steps, request.grad["of"]

        def target(env: Env) -> float:
            env = dict(env)
            for step in steps:
                env[step.out] = call(backend.ops, step, env)
            return float(env[of])

        worst, checked = 0.0, 0
        for name in request.grad["wrt"]:
            base = np.asarray(inputs[name], dtype=np.float64)
            analytic = main.outputs[f"grad.{name}"].values
            assert analytic is not None
            for flat in range(min(base.size, FD_MAX_ELEMENTS)):
                index = np.unravel_index(flat, base.shape)
                h = 1e-6 * max(1.0, abs(float(base[index])))
                plus, minus = base.copy(), base.copy()
                plus[index] += h
                minus[index] -= h
                numeric = (target({**inputs, name: self.jnp.asarray(plus)})
                           - target({**inputs, name: self.jnp.asarray(minus)})) / (2 * h)
                if np.isfinite(numeric) and np.isfinite(analytic[index]):  # nothing to compare at a pole
                    worst = max(worst, abs(numeric - float(analytic[index])))
                    checked += 1
        return {"fd_max_abs_error": worst, "fd_elements_checked": checked}


def _alternatives(request: Request, strict_ok: bool) -> list[Semantics]:
    """Every combination of the alternatives that can matter for this request, strict excluded."""
    shapes = ("strict", "broadcast", "align_ranks")
    if request.training:  # the loss of a training step must be a scalar; Keras' per-sample means are aligned ranks
        if strict_ok:  # the loss operands had one shape at every step: shape alternatives change nothing
            shapes = ("strict",)
        opt = request.training["optimizer"]
        conventions = reference_train.alternatives(opt["name"], opt["hyperparameters"] or
                                                   reference_train.REFERENCE_DEFAULTS[opt["name"]])
        found = [Semantics(s, optimizer=c) for s in shapes for c in conventions]
    else:
        metric = any(OPS[s.op].family == "metric" for s in request.steps)
        found = [Semantics(s, last, summed, zero_division=z) for s, last, summed, z in
                 itertools.product(shapes, (False, True), (False, True), ("nan", "zero") if metric else ("nan",))]
    return [sem for sem in found if sem.key]


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for name in a:
        x, y = a[name].values, b[name].values
        if (x is None) != (y is None):
            return False
        if x is not None and (x.shape != y.shape or not np.allclose(x, y, rtol=1e-12, atol=0, equal_nan=True)):
            return False
    return True


def load(device: str) -> ReferenceAdapter:
    if device == "cpu":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return ReferenceAdapter(jax, jnp, select_device(jax, device), device)
