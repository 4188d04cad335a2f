"""The shared shell of a framework adapter: settings, version and device around a Backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oracle.execute import Backend, run_request
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
