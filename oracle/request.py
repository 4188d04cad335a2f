"""What a worker receives for one case, and the dtype helpers workers need.

A leaf module: workers import it without the case schema (pydantic, yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oracle.gradopts import GradOptions
from oracle.steps import Step

DEFAULT_TIMEOUT_S = 120.0


def numpy_dtype(name: str) -> np.dtype:
    """Canonical dtype name -> NumPy dtype (bfloat16 comes from ml_dtypes, installed with JAX)."""
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


@dataclass
class Request:
    """What every column receives for one case: the same arrays, the same parsed steps."""

    case_id: str
    inputs: dict[str, np.ndarray]
    steps: list[Step]
    grad: GradOptions | None = None
    observe: list[str] = field(default_factory=list)
    timeout_s: float = DEFAULT_TIMEOUT_S
    settings: dict[str, Any] = field(default_factory=dict)  # pinned numerical settings, e.g. {"tf32": True}
    # training cases only: initial weights ("dense0.kernel" [in, units], "dense0.bias" [units]),
    # born in NumPy like inputs, and the JSON-able rest of the job (see oracle/training.py)
    params: dict[str, np.ndarray] = field(default_factory=dict)
    training: dict[str, Any] | None = None
    # literal inputs: name -> {"value": a Python value ("nan"/"inf" as strings), "dtype": name or None to infer},
    # built by each framework's own constructor (torch.tensor, tf.constant, jnp.array)
    literals: dict[str, dict[str, Any]] = field(default_factory=dict)
    # step outputs whose step's failure is recorded for it (and what depends on it) while the other steps run;
    # "*": every step and the gradient (the case's `isolate: true`)
    isolate: list[str] = field(default_factory=list)
    # outputs observed as statistics of a sample: name -> statistics (oracle/stats.py)
    stats: dict[str, list[str]] = field(default_factory=dict)
    # framework -> form name: the entry point each op of the case is called through where it has that form
    # (the case's `forms:`, or the sub-column's form under `--forms all`); other ops take their default
    forms: dict[str, str] = field(default_factory=dict)
    # framework -> compiler (oracle/compiling.py): the steps run inside jax.jit, tf.function, torch.compile
    compile: dict[str, str] = field(default_factory=dict)
    # step output -> its custom gradient rule: {"backward": [Step], "grads": [name per argument],
    # "cotangent": name}; the step runs inside custom_vjp / tf.custom_gradient / autograd.Function
    custom_gradients: dict[str, dict[str, Any]] = field(default_factory=dict)


class Unsupported(Exception):
    """The framework has no native form for this op (or this use of it); the message says why."""
