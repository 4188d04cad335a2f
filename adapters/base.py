"""The shared shell of a framework adapter: settings, version and device around a Backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from oracle.execute import Backend, run_request
from oracle.gradidioms import api_text
from oracle.gradopts import GradOptions
from oracle.native import Applied, Binder
from oracle.ops import OPS
from oracle.outcome import Outcome
from oracle.request import Request
from oracle.steps import Step
from oracle.training import run_training


class BoundBackend:
    """`apply` for a framework column: every op through the registry's binding for `framework`.

    Subclasses set `framework` and call `bind(custom, kind_of, tensor_type)` once.
    """

    framework: str
    binder: Binder
    form: str = ""  # the form the request chose for this framework (Request.forms); "" for each op's default

    def bind(self, custom: Mapping[str, Callable[..., Any]], kind_of: Callable[[Any], str], tensor_type: type,
             place: Callable[[Any], Any] | None = None) -> None:
        self.binder = Binder(self.framework, custom, kind_of, tensor_type, place)

    def apply(self, step: Step, values: list[Any], texts: list[str]) -> Applied:
        applied = self.binder.apply(OPS[step.op], values, texts, step.attrs, self.form)
        if any(leaf.kind == "attribute" for leaf in OPS[step.op].binding(self.framework).leaves()):
            applied.value = self.snapshot(applied.value)  # state read now, not as later calls change it
        return applied

    def gradient_api(self, grad: GradOptions) -> str:
        """oracle.execute.Backend.gradient_api: the lines of the idiom `gradients` executes, in one line."""
        return api_text(self.framework, grad)

    def snapshot(self, value: Any) -> Any:
        """A copy of a layer's state (a buffer or variable that later calls update in place)."""
        return value

    def context_lost(self) -> str | None:
        """oracle.protocol.Adapter.context_lost; a CPU backend never loses its context."""
        return None


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

    def context_lost(self) -> str | None:
        return self.backend.context_lost()
