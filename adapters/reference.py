"""Reference column: each op's declared formula (oracle/ops), run in JAX float64, in its own process.

Strict semantics, the ones every verdict is measured against, are stated in each op's
declaration and in oracle/ops/refctx.py: elementwise arithmetic follows NumPy
broadcasting; a loss needs operands of one shape and reduces with `reduction`; a gradient
target must be a scalar (shape ()). The reference also runs each case under the
alternatives the case's ops declare (broadcasting, Keras rank alignment, ...; see
oracle/semantics.py), and under an implicit sum of a non-scalar gradient target, so the
diff can say which one a framework followed. It imports nothing of any framework column:
its formulas are the registry's, its gradients jax.grad's, its optimizers
adapters/reference_train.py's. It runs in its own process because JAX's 64-bit mode is
global to a process.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

import numpy as np

from adapters import reference_train
from adapters.reference_train import OptimizerConventions, ReferenceTraining
from oracle.execute import Backward, Env, Forward, apply_step, assign, run_request
from oracle.gradidioms import api_text, run
from oracle.gradopts import FORWARD_MODE, GradOptions
from oracle.gradrules import build
from oracle.native import Applied
from oracle.ops import FRAMEWORK, OPS
from oracle.ops.refctx import NonScalarTarget, R, Undefined
from oracle.outcome import Outcome
from oracle.protocol import ColumnUnavailable
from oracle.request import Request, Unsupported, numpy_dtype
from oracle.semantics import ALTERNATIVES
from oracle.steps import Step
from oracle.training import run_training
from oracle.vectorize import in_axes, loop_map, out_axes

FD_MAX_ELEMENTS = 256  # finite differences checked per differentiated input
SHAPE_GROUP = ("broadcast", "align_ranks")  # mutually exclusive ways to treat operands of two shapes


@dataclass(frozen=True)
class Semantics:
    active: frozenset[str] = field(default_factory=frozenset)
    optimizer: OptimizerConventions = OptimizerConventions()

    @property
    def key(self) -> str:
        parts = [k for k in ALTERNATIVES if k in self.active]  # op alternatives (eps keys included: optimizer ops)
        if self.optimizer.epsilon != "outside":
            parts.append("eps_hat" if self.optimizer.epsilon == "eps_hat" else "eps_inside_sqrt")
        parts += [f"{self.optimizer.decay}_decay"] * bool(self.optimizer.decay)
        parts = list(dict.fromkeys(parts))
        order = list(ALTERNATIVES)
        return "+".join(sorted(parts, key=order.index))


class ReferenceBackend(ReferenceTraining):
    framework = "reference"

    def __init__(self, jax: Any, jnp: Any, special: Any, device: Any, sem: Semantics) -> None:
        self.jax, self.jnp, self.device, self.sem, self.conventions = jax, jnp, device, sem, sem.optimizer
        self.trace: list[str] = []
        self.custom_rule_seen = False  # a step with the case's custom gradient ran in this forward
        self.r = R(jnp, special, sem.active, self.trace)

    def context_lost(self) -> str | None:
        return None  # float64 XLA: no sticky device errors from a case's inputs

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        is_float = array.dtype.kind == "f" or str(array.dtype) == "bfloat16"
        wide = np.complex128 if array.dtype.kind == "c" else np.float64  # the reference computes in 64-bit parts
        return self.jax.device_put(array.astype(wide) if is_float or array.dtype.kind == "c" else array, self.device)

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value)

    def apply(self, step: Step, values: list[Any], texts: list[str]) -> Applied:
        declared = OPS[step.op]
        if declared.reference is None:
            raise Unsupported(f"the reference has no formula for {step.op}")
        attrs, chosen = {}, {}
        for name, attr in declared.attrs.items():
            if name in step.attrs and step.attrs[name] != FRAMEWORK:
                attrs[name] = step.attrs[name]
            else:
                attrs[name] = attr.reference_value()
                if not attr.passed_by_default and attrs[name] is not None:  # None: no choice, the formula's own
                    chosen[name] = f"{name}={attrs[name]!r} (the reference's stated choice)"
        shown = ", ".join(texts + [f"{k}={v!r}" for k, v in attrs.items()])
        try:
            value = declared.reference(self.r, *values, **attrs)
        except Undefined as exc:
            raise Unsupported(str(exc)) from None
        return Applied(value, f"reference.{step.op}({shown}) (float64)", chosen)

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield {}

    def literal(self, value: Any, dtype: str | None, differentiable: bool) -> tuple[Any, str]:
        array = np.asarray(value, dtype=numpy_dtype(dtype) if dtype else None)  # NumPy infers, e.g. 7 -> int64
        return self.tensor(array, differentiable), f"np.asarray({value!r}) (float64 where float)"

    def vectorize(self, fn: Callable[..., Any], step: Step) -> Callable[..., Any]:
        jnp = self.jnp
        return loop_map(fn, in_axes(step), out_axes(step), lambda v, i, a: jnp.take(v, i, axis=a),
                        lambda parts, a: jnp.stack(parts, axis=a), lambda v, a: jnp.shape(v)[a])

    def custom_gradient(self, forward: Callable[..., Any], backward: Backward, arity: int) -> tuple[Callable[..., Any], str]:
        self.custom_rule_seen = True
        return build("jax", arity, forward, backward, {"jax": self.jax}), "jax"

    def compiler(self, name: str) -> tuple[Callable[[Callable[..., Any]], Callable[..., Any]], str]:
        raise Unsupported("the reference runs eagerly: it states what the steps mean, compiled or not")

    def gradient_api(self, grad: GradOptions) -> str:
        summed = " of sum(target)" if "implicit_sum" in self.sem.active else ""
        return f"{api_text('jax', replace(grad, accumulate=False))} (float64){summed}"  # as `gradients` runs it

    def gradients(self, forward: Forward, inputs: Env, grad: GradOptions) -> dict[str, Any]:
        of, idiom = grad.of, grad.idiom
        self.custom_rule_seen = False
        shape = forward(inputs, True)[of].shape
        if self.custom_rule_seen and idiom in FORWARD_MODE:
            raise Unsupported("the case's custom gradient is a reverse-mode rule: it does not define forward mode")
        modules = {"jax": self.jax, "jnp": self.jnp}
        if idiom in ("vjp", "jacobian", *FORWARD_MODE):  # defined for a target of any shape
            return run("jax", grad, forward, inputs, modules, body=False)
        if shape != () and "implicit_sum" not in self.sem.active:
            raise NonScalarTarget(f"gradient target {of!r} must be a scalar, got shape {list(shape)}")
        if shape != ():
            self.trace.append(f"gradient of sum({of}) over shape {list(shape)}")
        # the intended semantics of accumulating backward passes: the gradients add up
        calls = grad.calls if grad.accumulate else 1
        found = run("jax", replace(grad, accumulate=False), forward, inputs, modules, body=False, reduce=self.jnp.sum)
        return {n: None if g is None else _ascent(self.jnp, g) * calls for n, g in found.items()}


def _ascent(jnp: Any, g: Any) -> Any:
    """The stated convention for a real target of a complex input: df/dre + i df/dim, the direction of steepest
    ascent (torch documents its gradients so); jax.grad returns the conjugate, df/dre - i df/dim."""
    return jnp.conj(g) if jnp.iscomplexobj(g) else g


class ReferenceAdapter:
    framework = "reference"

    def __init__(self, jax: Any, jnp: Any, special: Any, device: Any, device_name: str) -> None:
        self.jax, self.jnp, self.special, self.native_device = jax, jnp, special, device
        self.version, self.device = f"jax {jax.__version__} float64", device_name
        self.settings = {"x64": True, "semantics": "strict"}

    def context_lost(self) -> str | None:
        return None  # float64 XLA: no sticky device errors from a case's inputs

    def _backend(self, sem: Semantics) -> ReferenceBackend:
        return ReferenceBackend(self.jax, self.jnp, self.special, self.native_device, sem)

    def run(self, request: Request) -> Outcome:
        execute = run_training if request.training else run_request
        main = execute(self._backend(Semantics()), request, self.version, self.device)
        # isolated failures leave no whole forward to difference
        if main.status == "ok" and request.grad and _plain_gradient(request) and not main.output_status:
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
        """Central differences in float64 of the (scalar) target against jax.grad's answer.

        An element where the one-sided differences disagree is at a kink, a step or a near-singular
        point, and a nonzero element smaller than the step has no difference at its own scale: no
        finite difference is a reference there (the op's stated convention is), so it is skipped and
        counted in `fd_elements_skipped`.
        """
        assert request.grad is not None
        backend = self._backend(Semantics())
        inputs = {n: backend.tensor(a, False) for n, a in request.inputs.items()}
        steps, of = request.steps, request.grad.of

        def target(env: Env) -> float:
            env = dict(env)
            for i, step in enumerate(steps):
                assign(step, apply_step(backend, step, env, i).value, env)
            return float(env[of])

        worst, checked, skipped = 0.0, 0, 0
        at_base = target(inputs)
        for name in request.grad.wrt:
            base = np.asarray(inputs[name], dtype=np.float64)
            analytic = main.outputs[f"grad.{name}"].values
            assert analytic is not None
            for flat in range(min(base.size, FD_MAX_ELEMENTS)):
                index = np.unravel_index(flat, base.shape)
                h = 1e-6 * max(1.0, abs(float(base[index])))
                if 0 < abs(float(base[index])) < h:  # the step would dwarf the input's own scale
                    skipped += 1
                    continue
                plus, minus = base.copy(), base.copy()
                plus[index] += h
                minus[index] -= h
                up = target({**inputs, name: self.jnp.asarray(plus)})
                down = target({**inputs, name: self.jnp.asarray(minus)})
                numeric = (up - down) / (2 * h)
                forward, backward = (up - at_base) / h, (at_base - down) / h
                if not (np.isfinite(numeric) and np.isfinite(analytic[index])):  # nothing to compare at a pole
                    continue
                if abs(forward - backward) > 1e-3 * max(1.0, abs(forward), abs(backward)):
                    skipped += 1
                    continue
                worst = max(worst, abs(numeric - float(analytic[index])))
                checked += 1
        return {"fd_max_abs_error": worst, "fd_elements_checked": checked, "fd_elements_skipped": skipped}


def _plain_gradient(request: Request) -> bool:
    """A first-order gradient of NumPy-born inputs, the one central differences check."""
    grad = request.grad
    if grad is None or request.custom_gradients:  # the case's rule defines the gradient, not the values' differences
        return False
    return (grad.idiom in ("default", "autograd_grad", "value_and_grad")
            and grad.order == 1 and not grad.accumulate and not grad.untracked
            and all(n in request.inputs and request.inputs[n].dtype.kind != "c" for n in grad.wrt)
            and not request.literals
            and not any(OPS[s.op].blocks_gradient for s in request.steps))  # stop_gradient: by design not d(value)


def _alternatives(request: Request, strict_ok: bool) -> list[Semantics]:
    """Every combination of the alternatives the case's ops declare (one of each group), strict excluded."""
    declared = {key for step in request.steps for key in OPS[step.op].alternatives}
    if request.training:  # the loss of a training step must be a scalar; Keras' per-sample means are aligned ranks
        shapes = [k for k in SHAPE_GROUP if k in declared and not strict_ok]
        opt = request.training["optimizer"]
        conventions = reference_train.alternatives(opt["name"], opt["hyperparameters"] or
                                                   reference_train.REFERENCE_DEFAULTS[opt["name"]])
        found = [Semantics(frozenset([s] if s else []), c) for s in ["", *shapes] for c in conventions]
    else:
        if request.grad:
            declared.add("implicit_sum")
        groups: list[list[str]] = [["", *[k for k in SHAPE_GROUP if k in declared]]]
        groups += [["", key] for key in ALTERNATIVES if key in declared and key not in SHAPE_GROUP]
        found = [Semantics(frozenset(k for k in combo if k)) for combo in itertools.product(*groups)]
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
    import jax.scipy.special as special

    platform = "gpu" if device == "gpu" else "cpu"
    try:
        native = jax.devices(platform)[0]
    except RuntimeError as exc:
        raise ColumnUnavailable(f"device {device} requested but JAX has no {platform} backend ({exc})") from None
    return ReferenceAdapter(jax, jnp, special, native, device)
