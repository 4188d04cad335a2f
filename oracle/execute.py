"""Runs a request through one backend: the framework-agnostic half of every adapter.

It walks the steps, calls each backend's native op, captures warnings and exceptions as
the framework emits them, asks the backend to differentiate by its own idiom, and turns
what came back into an Outcome of plain NumPy arrays and strings.
"""

from __future__ import annotations

import builtins
import time
import warnings
from typing import Any, Callable, ContextManager, Protocol

import numpy as np

from oracle.native import Applied

from oracle.outcome import ErrorInfo, Outcome, Tensor, WarningInfo
from oracle.request import Request, Unsupported
from oracle.steps import Ref, Step

Env = dict[str, Any]
Forward = Callable[[Env, bool], Env]  # (inputs, record) -> every named value

__all__ = ["Applied", "Backend", "Env", "Forward", "Unsupported", "apply_step", "error_info", "run_request"]


class Backend(Protocol):
    """What each column provides; the step loop below is shared by every column."""

    framework: str

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any: ...

    def to_numpy(self, value: Any) -> np.ndarray: ...

    def apply(self, step: Step, values: list[Any], texts: list[str]) -> Applied:
        """One step's op on native values (named by `texts`): the value, the call as written, defaults in effect."""
        ...

    def gradients(self, forward: Forward, inputs: Env, of: str, wrt: list[str], idiom: str) -> dict[str, Any]:
        """Differentiate `of` with respect to `wrt` by the framework's own idiom; None for no gradient."""
        ...

    def gradient_api(self, idiom: str) -> str: ...

    def numerics(self, settings: dict[str, Any]) -> ContextManager[dict[str, Any]]:
        """Apply a case's pinned settings for one run; yields the settings in effect, to record."""
        ...


class StepFailed(Exception):
    def __init__(self, where: str, cause: BaseException, api: str = "") -> None:
        super().__init__(where)
        self.where, self.cause, self.api = where, cause, api


class BindingFailed(Exception):
    """An oracle binding does not fit the framework (recorded as a crash, never as the framework's error)."""


def error_info(exc: BaseException, where: str = "") -> ErrorInfo:
    cls = type(exc)
    qualified = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    base = next(c.__name__ for c in cls.__mro__ if getattr(builtins, c.__name__, None) is c)
    lines = str(exc).strip().splitlines()
    return ErrorInfo(type=qualified, base=base, message=(lines[0] if lines else "")[:400], where=where)


def warning_records(caught: list[warnings.WarningMessage]) -> list[WarningInfo]:
    seen: dict[tuple[str, str], None] = {}
    for w in caught:  # the same warning twice (e.g. jax.grad re-running the forward) is one warning
        seen[(w.category.__name__, str(w.message).strip().splitlines()[0][:400] if str(w.message).strip() else "")] = None
    return [WarningInfo(category, message) for category, message in seen]


class Applies(Protocol):
    def apply(self, step: Step, values: list[Any], texts: list[str]) -> Applied: ...


def apply_step(backend: Applies, step: Step, env: Env, index: int) -> Applied:
    """One step through the backend; a framework exception becomes StepFailed, located at the step."""
    from oracle.native import BindingError

    values = [env[a.name] if isinstance(a, Ref) else a for a in step.args]
    texts = [a.name if isinstance(a, Ref) else repr(a) for a in step.args]
    try:
        return backend.apply(step, values, texts)
    except Unsupported:
        raise
    except BindingError as exc:
        raise BindingFailed(str(exc)) from exc
    except Exception as exc:
        raise StepFailed(f"step {index + 1}: {step.text}", exc, getattr(exc, "oracle_api", "")) from exc


def run_request(backend: Backend, request: Request, version: str, device: str) -> Outcome:
    start = time.perf_counter()
    outcome = Outcome(status="ok", framework=backend.framework, version=version, device=device)
    recorded: Env = {}
    grads: dict[str, Any] = {}
    wrt = request.grad["wrt"] if request.grad else []

    def forward(inputs: Env, record: bool) -> Env:
        env = dict(inputs)
        for i, step in enumerate(request.steps):
            try:
                applied = apply_step(backend, step, env, i)
            except StepFailed as failed:
                if record and failed.api:
                    outcome.native_api.append(failed.api)
                raise
            env[step.out] = applied.value
            if record:
                outcome.native_api.append(applied.api)
                if applied.defaults:
                    outcome.notes.setdefault("attr_defaults", {})[step.out] = applied.defaults
                recorded[step.out] = applied.value
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
                except (StepFailed, Unsupported, BindingFailed):
                    raise
                except Exception as exc:
                    raise StepFailed(f"gradient: {backend.gradient_api(idiom)}", exc) from exc
                outcome.native_api.append(backend.gradient_api(idiom))
        except Unsupported as exc:
            outcome.status, outcome.notes["unsupported"] = "unsupported", str(exc)
        except BindingFailed as exc:
            outcome.status, outcome.notes["reason"] = "crash", str(exc)
        except StepFailed as failed:
            outcome.status, outcome.error = "error", error_info(failed.cause, failed.where)
        except Exception as exc:  # converting inputs failed: still the framework's answer
            outcome.status, outcome.error = "error", error_info(exc, "inputs")
    outcome.warnings = warning_records(caught)
    for name in request.observe:
        if name in recorded:
            outcome.outputs[name] = Tensor(backend.to_numpy(recorded[name]))
    for name in wrt:
        if name in grads:
            g = grads[name]
            outcome.outputs[f"grad.{name}"] = Tensor(None if g is None else backend.to_numpy(g))
    outcome.elapsed_s = time.perf_counter() - start
    return outcome
