"""Runs a training request through one backend: the framework-agnostic half of training.

The backend builds the case's model natively from the shipped weights, builds its native
optimizer (reading back the hyperparameters it really uses), and performs one native
training step at a time; this module runs the loop, applies the case's loss steps to the
model output with the backend's native ops, catches warnings and errors, and records:

    loss_trajectory      [steps]  the loss at every step, before that step's update
    grad.<param>                  gradients at step 1 ("grad.dense0.kernel", ...)
    param.<param>                 parameters after the last step
    param_step1.<param>           parameters after step 1 (when there are more steps)
    notes.hyperparameters         canonical name -> value the optimizer object reports
    notes.hyperparameters_native  the framework's own names and values, as read back
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import numpy as np

from oracle.execute import Applies, BindingFailed, StepFailed, apply_step, error_info, warning_records
from oracle.ops import OPTIMIZERS
from oracle.outcome import Outcome, Tensor
from oracle.request import Request, Unsupported

TRAJECTORY = "loss_trajectory"
LossOf = Callable[[Any], Any]  # native model output -> native scalar loss


@dataclass
class NativeOptimizer:
    optimizer: Any
    hyperparameters: dict[str, Any]  # canonical names (oracle.ops.OPTIMIZERS), as read back
    native: dict[str, Any]  # the framework's own names, as read back
    api: str


@dataclass
class StepResult:
    loss: Any
    grads: dict[str, Any]  # param name -> native gradient


@dataclass
class Trained:
    losses: list[np.ndarray] = field(default_factory=list)
    first_grads: dict[str, np.ndarray] = field(default_factory=dict)
    after_first: dict[str, np.ndarray] = field(default_factory=dict)


class Trainer(Applies, Protocol):
    """What an adapter provides for training cases, beside its Backend."""

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any: ...

    def to_numpy(self, value: Any) -> np.ndarray: ...

    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        """The native model holding exactly `weights`, and the API that built it."""
        ...

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer: ...

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: LossOf) -> StepResult: ...

    def parameters(self, model: Any) -> dict[str, Any]: ...


def run_training(backend: Trainer, request: Request, version: str, device: str) -> Outcome:
    start = time.perf_counter()
    job = request.training
    assert job is not None
    outcome = Outcome(status="ok", framework=backend.framework, version=version, device=device)
    trained = Trained()
    model: Any = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = {name: backend.tensor(array, False) for name, array in request.inputs.items()}
            model, model_api = _phase("model", lambda: backend.build_model(job["layers"], request.params))
            spec = job["optimizer"]
            optimizer = _phase("optimizer", lambda: backend.build_optimizer(spec["name"], spec["hyperparameters"], model))
            relevant = {k: optimizer.hyperparameters[k] for k in OPTIMIZERS[spec["name"]] if k in optimizer.hyperparameters}
            outcome.notes.update(hyperparameters=relevant, hyperparameters_native=optimizer.native,
                                 defaults=spec["defaults"])
            outcome.native_api += [model_api, optimizer.api]
            loss_of = _loss_function(backend, request, data, outcome.native_api)
            for step in range(job["steps"]):
                result = _phase(f"train step {step + 1}",
                                lambda: backend.train_step(model, optimizer, data[job["model"]["input"]], loss_of))
                trained.losses.append(backend.to_numpy(result.loss))
                if step == 0:
                    trained.first_grads = {n: backend.to_numpy(g) for n, g in result.grads.items()}
                    if job["steps"] > 1:  # one step is where optimizer conventions show most plainly
                        trained.after_first = {n: backend.to_numpy(v) for n, v in backend.parameters(model).items()}
        except Unsupported as exc:
            outcome.status, outcome.notes["unsupported"] = "unsupported", str(exc)
        except BindingFailed as exc:
            outcome.status, outcome.notes["reason"] = "crash", str(exc)
        except StepFailed as failed:
            outcome.status, outcome.error = "error", error_info(failed.cause, failed.where)
    outcome.warnings = warning_records(caught)
    if trained.losses:
        outcome.outputs[TRAJECTORY] = Tensor(np.stack(trained.losses))
    for name, grad in trained.first_grads.items():
        outcome.outputs[f"grad.{name}"] = Tensor(grad)
    for name, value in trained.after_first.items():
        outcome.outputs[f"param_step1.{name}"] = Tensor(value)
    if outcome.status == "ok":
        for name, value in backend.parameters(model).items():
            outcome.outputs[f"param.{name}"] = Tensor(backend.to_numpy(value))
    outcome.elapsed_s = time.perf_counter() - start
    return outcome


def _phase(where: str, action: Callable[[], Any]) -> Any:
    """Run one phase; a framework exception becomes the outcome's error, located at `where`."""
    try:
        return action()
    except (Unsupported, StepFailed, BindingFailed):
        raise
    except Exception as exc:
        raise StepFailed(where, exc) from exc


def _loss_function(backend: Trainer, request: Request, data: dict[str, Any], apis: list[str]) -> LossOf:
    """The case's steps applied to the model output with the backend's native ops."""
    job = request.training
    assert job is not None
    output, loss_name = job["model"]["output"], job["loss"]
    recorded = False

    def loss_of(pred: Any) -> Any:
        nonlocal recorded
        env = {**data, output: pred}
        for i, step in enumerate(request.steps):
            applied = apply_step(backend, step, env, i)
            env[step.out] = applied.value
            if not recorded:
                apis.append(applied.api)
        recorded = True
        return env[loss_name]

    return loss_of


def canonical(native: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Native hyperparameter names -> canonical ones, plain Python numbers, for notes and diffs."""
    out: dict[str, Any] = {}
    for native_name, canonical_name in names.items():
        if native_name in native:
            out[canonical_name] = plain(native[native_name])
    return out


def plain(value: Any) -> Any:
    """A framework scalar (0-d array, tensor, numpy number) as a Python bool/float/None."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    array = np.asarray(value)
    return bool(array) if array.dtype == bool else float(array)
