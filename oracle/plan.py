"""A case becomes a request: inputs are born here, once, in NumPy, and shipped bit-identical."""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.cases import Case, InputSpec, LoadedCase
from oracle.compiling import compile_choice
from oracle.gradopts import GradOptions
from oracle.inputs import make_input, shape_of_values
from oracle.request import DEFAULT_TIMEOUT_S, Request, numpy_dtype
from oracle.steps import parse_step

__all__ = ["Request", "make_input", "numpy_dtype", "plan", "shape_of_values"]


def initial_weights(case: Case) -> dict[str, np.ndarray]:
    """Every layer's kernel and bias, generated once in NumPy so every column starts bit-identical."""
    assert case.model is not None
    spec = case.inputs[case.model.input]
    fan_in = spec.shape[1] if spec.shape is not None else shape_of_values(spec.values)[1]
    weights: dict[str, np.ndarray] = {}
    for i, layer in enumerate(case.model.layers):
        for part, shape in (("kernel", [fan_in, layer.units]), ("bias", [layer.units])):
            given = getattr(layer, part)
            source = given.model_dump() if given is not None else {"init": {"fill": 0.0}}  # bias: zeros
            weights[f"dense{i}.{part}"] = make_input(InputSpec(dtype=case.model.dtype, shape=shape, **source))
        fan_in = layer.units
    return weights


def training_job(case: Case) -> dict[str, Any] | None:
    if case.model is None or case.optimizer is None or case.train is None:
        return None
    return {"model": case.model.model_dump(include={"input", "output", "dtype"}),
            "layers": [{"units": l.units, "activation": l.activation} for l in case.model.layers],  # noqa: E741
            "optimizer": case.optimizer.model_dump(), "steps": case.train.steps, "loss": case.train.loss}


def plan(loaded: LoadedCase) -> Request:
    case: Case = loaded.case
    return Request(
        case_id=case.id,
        inputs={name: make_input(spec) for name, spec in case.inputs.items() if spec.literal is None},
        literals={name: {"value": spec.literal, "dtype": spec.literal_dtype}
                  for name, spec in case.inputs.items() if spec.literal is not None},
        steps=loaded.steps,
        grad=GradOptions.from_json({**case.grad.model_dump(), "untracked": [n for n, s in case.inputs.items()
                                                                             if not s.track]}) if case.grad else None,
        observe=case.observed(),
        stats=case.observed_stats(),
        timeout_s=case.timeout_s or DEFAULT_TIMEOUT_S,
        settings=case.settings.model_dump(exclude_none=True) if case.settings else {},
        params=initial_weights(case) if case.model is not None else {},
        training=training_job(case),
        isolate=["*"] if case.isolate is True else list(case.isolate or []),
        forms=dict(case.forms or {}),
        compile=compile_choice(case.compile),
        custom_gradients={out: {"backward": [parse_step(t) for t in rule.backward], "grads": list(rule.grads),
                                "cotangent": rule.cotangent} for out, rule in (case.custom_gradient or {}).items()},
    )
