"""A case becomes a request: inputs are born here, once, in NumPy, and shipped bit-identical."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oracle.cases import SPECIAL_VALUES, Case, InputSpec, LoadedCase
from oracle.steps import Step

DEFAULT_TIMEOUT_S = 120.0


def numpy_dtype(name: str) -> np.dtype:
    """Canonical dtype name -> NumPy dtype (bfloat16 comes from ml_dtypes, installed with JAX)."""
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def shape_of_values(values: Any) -> tuple[int, ...]:
    """Shape of an explicit nested list; raises ValueError if it is ragged or holds non-numbers."""
    if not isinstance(values, list):
        if isinstance(values, str) and values not in SPECIAL_VALUES:
            raise ValueError(f"{values!r} is not a number; special values are {', '.join(SPECIAL_VALUES)}")
        if not isinstance(values, (int, float, bool, str)):
            raise ValueError(f"{values!r} is not a number")
        return ()
    if not values:
        return (0,)
    shapes = {shape_of_values(v) for v in values}
    if len(shapes) != 1:
        raise ValueError("values are ragged: every row must have the same length")
    return (len(values),) + shapes.pop()


def _special(values: Any) -> Any:
    if isinstance(values, list):
        return [_special(v) for v in values]
    return SPECIAL_VALUES.get(values, values) if isinstance(values, str) else values


def make_input(spec: InputSpec) -> np.ndarray:
    """Generate one input deterministically from its spec (the seed fully determines it)."""
    dtype = numpy_dtype(spec.dtype)
    if spec.values is not None:
        with np.errstate(all="ignore"):
            return np.asarray(_special(spec.values), dtype=np.float64 if dtype.kind == "f" or spec.dtype == "bfloat16"
                              else dtype).astype(dtype)
    init, shape = spec.init, tuple(spec.shape or ())
    assert init is not None
    if init.normal:
        rng = np.random.default_rng(init.normal.seed)
        data: Any = rng.normal(init.normal.mean, init.normal.std, size=shape)
    elif init.uniform:
        rng = np.random.default_rng(init.uniform.seed)
        data = rng.uniform(init.uniform.low, init.uniform.high, size=shape)
    elif init.integers:
        rng = np.random.default_rng(init.integers.seed)
        data = rng.integers(init.integers.low, init.integers.high, size=shape)
    else:
        fill = SPECIAL_VALUES.get(init.fill, init.fill) if isinstance(init.fill, str) else init.fill
        data = np.full(shape, fill if fill is not None else math.nan, dtype=np.float64)
    return np.asarray(data).astype(dtype)


@dataclass
class Request:
    """What every column receives for one case: the same arrays, the same parsed steps."""

    case_id: str
    inputs: dict[str, np.ndarray]
    steps: list[Step]
    grad: dict[str, Any] | None = None
    observe: list[str] = field(default_factory=list)
    timeout_s: float = DEFAULT_TIMEOUT_S
    settings: dict[str, Any] = field(default_factory=dict)  # pinned numerical settings, e.g. {"tf32": True}
    # training cases only: initial weights ("dense0.kernel" [in, units], "dense0.bias" [units]),
    # born here like inputs, and the JSON-able rest of the job (see oracle/training.py)
    params: dict[str, np.ndarray] = field(default_factory=dict)
    training: dict[str, Any] | None = None


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
            "layers": [{"units": l.units, "activation": l.activation} for l in case.model.layers],
            "optimizer": case.optimizer.model_dump(), "steps": case.train.steps, "loss": case.train.loss}


def plan(loaded: LoadedCase) -> Request:
    case: Case = loaded.case
    return Request(
        case_id=case.id,
        inputs={name: make_input(spec) for name, spec in case.inputs.items()},
        steps=loaded.steps,
        grad=case.grad.model_dump() if case.grad else None,
        observe=case.observed(),
        timeout_s=case.timeout_s or DEFAULT_TIMEOUT_S,
        settings=case.settings.model_dump(exclude_none=True) if case.settings else {},
        params=initial_weights(case) if case.model is not None else {},
        training=training_job(case),
    )
