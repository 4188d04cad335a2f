"""The shared shell of a framework adapter: settings, version and device around a Backend."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

from oracle.execute import Backend, NativeOp, run_request
from oracle.outcome import Outcome
from oracle.plan import Request
from oracle.training import run_training


@dataclass
class NativeAdapter:
    backend: Backend
    version: str
    device: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def framework(self) -> str:
        return self.backend.framework

    def run(self, request: Request) -> Outcome:
        if request.training is not None:
            return run_training(self.backend, request, self.version, self.device)  # type: ignore[arg-type]
        return run_request(self.backend, request, self.version, self.device)


def reduce(values: Any, reduction: str, mean: Any, total: Any) -> Any:
    """Apply a loss `reduction` with the framework's own mean and sum functions."""
    return {"mean": mean, "sum": total, "none": lambda v: v}[reduction](values)


_OPERATORS = {"add": (operator.add, "__add__", "+"), "subtract": (operator.sub, "__sub__", "-"),
              "multiply": (operator.mul, "__mul__", "*"), "divide": (operator.truediv, "__truediv__", "/"),
              "pow": (operator.pow, "__pow__", "**")}


def arithmetic(array_type: str) -> dict[str, NativeOp]:
    """The elementwise ops as users write them (`x + y`), for a framework whose arrays are `array_type`."""
    return {op: NativeOp(fn, f"{array_type}.{dunder} (x {symbol} y)") for op, (fn, dunder, symbol) in _OPERATORS.items()}
