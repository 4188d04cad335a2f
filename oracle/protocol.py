"""The worker protocol, declared once.

One worker process per column runs `python -m oracle.worker --framework F --device D`.
Messages are JSON objects, one per line; arrays travel as base64 `.npy` bytes (bit-exact).

    worker -> runner  {"type": "hello", "framework", "version", "device", "settings", "python"}
                   or {"type": "unavailable", "reason"}            (then the worker exits)
    runner -> worker  {"type": "run", "request": <request>}
    worker -> runner  {"type": "outcome", "case_id", "outcome": <outcome, wire encoding>}
    runner -> worker  {"type": "run_batch", "requests": [<request>, ...]}     (exploration)
    worker -> runner  {"type": "outcomes", "outcomes": [<outcome>, ...]}       (in the same order)
    runner -> worker  {"type": "exit"}

The worker writes protocol lines to a private copy of its stdout and points fd 1 at
stderr, so whatever a framework prints cannot corrupt the protocol.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from oracle.gradopts import GradOptions
from oracle.outcome import Outcome, decode_array, encode_array
from oracle.request import Request
from oracle.steps import Step

EXIT_OUT_OF_MEMORY = 3  # a worker's exit code after a MemoryError: the runner reads it as "ran out of memory"
MEMORY_ENV = "ORACLE_WORKER_MEMORY"  # bytes a worker's heap may take (RLIMIT_DATA); set by the runner, 0: no cap
# what frameworks say when an allocation fails (torch's RuntimeError, TF's ResourceExhaustedError, XLA, C++):
# the worker reads it in an exception, the runner in a dead worker's log
OUT_OF_MEMORY_SIGNS = ("out of memory", "RESOURCE_EXHAUSTED", "bad_alloc", "Cannot allocate memory", "MemoryError")


class Adapter(Protocol):
    """What `adapters/<name>.py:load(device)` returns, inside the worker process."""

    framework: str
    version: str
    device: str
    settings: dict[str, Any]  # numerical settings that change results, as set by the adapter

    def run(self, request: Request) -> Outcome: ...

    def context_lost(self) -> str | None:
        """After a cell: why the device can no longer be trusted (a sticky CUDA error such as a device-side
        assert poisons every later call in the process), or None. The worker then answers that cell and
        exits, and the runner starts a fresh worker for the next: one cell's fault is not every later cell's."""
        ...


class ColumnUnavailable(Exception):
    """The framework or the requested device is not there; the reason is shown to the user."""


def request_to_wire(request: Request) -> dict[str, Any]:
    return {
        "case_id": request.case_id,
        "inputs": {name: encode_array(a) for name, a in request.inputs.items()},
        "steps": [s.to_json() for s in request.steps],
        "grad": request.grad.to_json() if request.grad else None,
        "observe": request.observe,
        "timeout_s": request.timeout_s,
        "settings": request.settings,
        "params": {name: encode_array(a) for name, a in request.params.items()},
        "training": request.training,
        "literals": request.literals,
        "isolate": request.isolate,
        "stats": request.stats,
        "forms": request.forms,
        "compile": request.compile,
        "custom_gradients": {out: {**rule, "backward": [s.to_json() for s in rule["backward"]]}
                             for out, rule in request.custom_gradients.items()},
    }


def request_from_wire(data: dict[str, Any]) -> Request:
    return Request(
        case_id=data["case_id"],
        inputs={name: decode_array(text) for name, text in data["inputs"].items()},
        steps=[Step.from_json(s) for s in data["steps"]],
        grad=GradOptions.from_json(data["grad"]) if data["grad"] else None,
        observe=list(data["observe"]),
        timeout_s=float(data["timeout_s"]),
        settings=dict(data.get("settings", {})),
        params={name: decode_array(text) for name, text in data.get("params", {}).items()},
        training=data.get("training"),
        literals=dict(data.get("literals", {})),
        isolate=list(data.get("isolate", [])),
        stats=dict(data.get("stats", {})),
        forms=dict(data.get("forms", {})),
        compile=dict(data.get("compile", {})),
        custom_gradients={out: {**rule, "backward": [Step.from_json(s) for s in rule["backward"]]}
                          for out, rule in data.get("custom_gradients", {}).items()},
    )


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":")) + "\n"
