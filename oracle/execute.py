"""Runs a request through one backend: the framework-agnostic half of every adapter.

It walks the steps, calls each backend's native op, captures warnings and exceptions as
the framework emits them, asks the backend to differentiate by its own idiom, and turns
what came back into an Outcome of plain NumPy arrays and strings.
"""

from __future__ import annotations

import builtins
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Mapping, Protocol

import numpy as np

from oracle.ops import OPS
from oracle.outcome import ErrorInfo, Outcome, Tensor, WarningInfo
from oracle.plan import Request
from oracle.steps import Ref, Step

Env = dict[str, Any]
Forward = Callable[[Env, bool], Env]  # (inputs, record) -> every named value


class Unsupported(Exception):
    """The framework has no native form for this op (or this use of it)."""


@dataclass(frozen=True)
class NativeOp:
    fn: Callable[..., Any]
    api: str  # the public API a user would call, as it appears in the outcome


class Backend(Protocol):
    """What each adapter provides; see adapters/README.md."""

    framework: str
    ops: Mapping[str, NativeOp]

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any: ...

    def to_numpy(self, value: Any) -> np.ndarray: ...

    def gradients(self, forward: Forward, inputs: Env, of: str, wrt: list[str], idiom: str) -> dict[str, Any]:
        """Differentiate `of` with respect to `wrt` by the framework's own idiom; None for no gradient."""
        ...

    def gradient_api(self, idiom: str) -> str: ...

    def numerics(self, settings: dict[str, Any]) -> ContextManager[dict[str, Any]]:
        """Apply a case's pinned settings for one run; yields the settings in effect, to record."""
        ...


class _StepFailed(Exception):
    def __init__(self, where: str, cause: BaseException) -> None:
        super().__init__(where)
        self.where, self.cause = where, cause


_api_calls: list[str] = []


def record_api(text: str) -> None:
    """Called by an op whose native API depends on its inputs (e.g. integer vs probability labels)."""
    _api_calls.append(text)


def error_info(exc: BaseException, where: str = "") -> ErrorInfo:
    cls = type(exc)
    qualified = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    base = next(c.__name__ for c in cls.__mro__ if getattr(builtins, c.__name__, None) is c)
    lines = str(exc).strip().splitlines()
    return ErrorInfo(type=qualified, base=base, message=(lines[0] if lines else "")[:400], where=where)


def _warning_records(caught: list[warnings.WarningMessage]) -> list[WarningInfo]:
    seen: dict[tuple[str, str], None] = {}
    for w in caught:  # the same warning twice (e.g. jax.grad re-running the forward) is one warning
        seen[(w.category.__name__, str(w.message).strip().splitlines()[0][:400] if str(w.message).strip() else "")] = None
    return [WarningInfo(category, message) for category, message in seen]


def call(ops: Mapping[str, NativeOp], step: Step, env: Env) -> Any:
    """Apply one step's native op to the named values in `env`."""
    args = [env[a.name] if isinstance(a, Ref) else a for a in step.args]
    return ops[step.op].fn(*args, **{**OPS[step.op].attrs, **step.attrs})


def run_request(backend: Backend, request: Request, version: str, device: str) -> Outcome:
    start = time.perf_counter()
    outcome = Outcome(status="ok", framework=backend.framework, version=version, device=device)
    recorded: Env = {}
    grads: dict[str, Any] = {}
    wrt = request.grad["wrt"] if request.grad else []

    def forward(inputs: Env, record: bool) -> Env:
        env = dict(inputs)
        for i, step in enumerate(request.steps):
            op = backend.ops.get(step.op)
            where = f"step {i + 1}: {step.text}"
            if op is None:
                raise Unsupported(f"{backend.framework} has no native {step.op}")
            del _api_calls[:]
            try:
                env[step.out] = call(backend.ops, step, env)
            except Unsupported:
                raise
            except Exception as exc:
                raise _StepFailed(where, exc) from exc
            if record:
                outcome.native_api.append(_api_calls[-1] if _api_calls else op.api)
                recorded[step.out] = env[step.out]
        return env

    with warnings.catch_warnings(record=True) as caught, backend.numerics(request.settings) as in_effect:
        outcome.notes["settings"] = in_effect
        warnings.simplefilter("always")
        try:
            inputs = {name: backend.tensor(array, name in wrt) for name, array in request.inputs.items()}
            recorded.update(inputs)
            if request.grad is None:
                forward(inputs, True)
            else:
                idiom = request.grad["idiom"]
                try:
                    grads = backend.gradients(forward, inputs, request.grad["of"], wrt, idiom)
                except (_StepFailed, Unsupported):
                    raise
                except Exception as exc:
                    raise _StepFailed(f"gradient: {backend.gradient_api(idiom)}", exc) from exc
                outcome.native_api.append(backend.gradient_api(idiom))
        except Unsupported as exc:
            outcome.status, outcome.notes["unsupported"] = "unsupported", str(exc)
        except _StepFailed as failed:
            outcome.status, outcome.error = "error", error_info(failed.cause, failed.where)
        except Exception as exc:  # converting inputs failed: still the framework's answer
            outcome.status, outcome.error = "error", error_info(exc, "inputs")
    outcome.warnings = _warning_records(caught)
    for name in request.observe:
        if name in recorded:
            outcome.outputs[name] = Tensor(backend.to_numpy(recorded[name]))
    for name in wrt:
        if name in grads:
            g = grads[name]
            outcome.outputs[f"grad.{name}"] = Tensor(None if g is None else backend.to_numpy(g))
    outcome.elapsed_s = time.perf_counter() - start
    return outcome
