"""What every family's rules are written with: the Rule record, object inputs built by the reference, samples."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import mpmath
import numpy as np

NAN, INF = math.nan, math.inf
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.5, -2.5, 1e-300, 700.0]  # NaN, +-inf, +-0, a tiny and a huge exponent
API = "https://data-apis.org/array-api/latest/API_specification/generated/array_api.{}.html"
EXT = "https://data-apis.org/array-api/latest/extensions/generated/array_api.{}.html"  # linalg, fft
rng = np.random.default_rng(22)
S = rng.normal(size=(3, 4))  # a sample
P = rng.uniform(0.05, 0.95, size=(3, 4))  # a sample of probabilities
T = (rng.uniform(size=(3, 4)) > 0.5) * 1.0  # binary targets


@dataclass(frozen=True)
class Raises:
    """The expected outcome is this exception (an out-of-range index, pieces that do not divide)."""

    error: type[BaseException]


@dataclass(frozen=True)
class Built:
    """An object input (a layer, a metric): op `op` built by the reference with `attrs`, then fed `calls`
    in order, each (op, args after the object, attrs), as a case's later steps would."""

    op: str
    attrs: dict[str, Any] = field(default_factory=dict)
    calls: tuple[tuple[str, tuple[Any, ...], dict[str, Any]], ...] = ()

    def ops(self) -> set[str]:
        return {self.op, *(name for name, _, _ in self.calls)}


@dataclass(frozen=True)
class Rule:
    op: str
    text: str
    args: tuple[Any, ...]
    # a value computed here, a function of the args (an independent implementation), a tuple or list of
    # them for an op with several results, or Raises(error)
    want: Any
    attrs: dict[str, Any] = field(default_factory=dict)
    signed: bool = False  # -0.0 and 0.0 must differ
    cite: str = ""
    grad: bool = False  # compare the gradient of sum(op(x, ...)) with respect to the first argument, not the value
    atol: float = 1e-300  # an FFT's exact zeros come out of any implementation as rounding residue (~1e-16)
    view: Callable[[Any], Any] | None = None  # an op with several outputs: what of them is compared (a sign invariant)

    @property
    def id(self) -> str:
        return f"{self.op}: {self.text}"

    def ops(self) -> set[str]:
        """The ops whose reference this rule runs: its own, and those that build its object inputs."""
        return {self.op}.union(*(x.ops() for x in self.args if isinstance(x, Built)))


def a(*values: Any) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def mp(fn: Callable[..., Any]) -> Callable[[np.ndarray], np.ndarray]:
    """An elementwise function evaluated by mpmath at 50 digits (NaN in, NaN out)."""
    def run(x: np.ndarray) -> np.ndarray:
        with mpmath.workdps(50):
            return np.array([NAN if math.isnan(v) else float(fn(mpmath.mpf(v))) for v in np.ravel(x)]).reshape(
                np.shape(x))
    return run


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)
