"""Worker process: imports one framework's adapter and answers run requests (see protocol.py)."""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import json
import os
import platform
import re
import resource
import signal
import sys
import time
import traceback
from typing import IO, Any

from oracle.outcome import Outcome
from oracle.protocol import (
    EXIT_OUT_OF_MEMORY,
    MEMORY_ENV,
    OUT_OF_MEMORY_SIGNS,
    ColumnUnavailable,
    dumps,
    request_from_wire,
)

# adapter module -> the top-level package whose absence makes the column unavailable
FRAMEWORK_PACKAGES = {"reference": "jax", "jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}


class _Hide(importlib.abc.MetaPathFinder):
    """ORACLE_HIDE_FRAMEWORKS=torch,... makes those imports fail as if not installed (tests only)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


OUT_OF_MEMORY = re.compile("|".join(OUT_OF_MEMORY_SIGNS + ("OOM when allocating", "ResourceExhausted",
                                                          "can't allocate memory", "OutOfMemoryError")), re.IGNORECASE)


def cap_memory() -> None:
    """Cap the heap at ORACLE_WORKER_MEMORY bytes. RLIMIT_DATA, not RLIMIT_AS: XLA and TF reserve large
    address ranges at import that they never touch, and an address-space cap would break their import."""
    limit = int(os.environ.get(MEMORY_ENV) or 0)
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))


def exhausted(outcome: Outcome) -> Outcome:
    """An error that is the framework running out of memory becomes resource_exhausted, not a semantic error."""
    error = outcome.error
    if outcome.status != "error" or error is None or not OUT_OF_MEMORY.search(f"{error.type}: {error.message}"):
        return outcome
    outcome.status = "resource_exhausted"
    outcome.notes["reason"] = f"out of memory: {error.type}: {error.message}"[:400]
    return outcome
FAULT_MEMORY_HEADROOM = 256 << 20  # the `oom` fault caps the address space this far above what is in use


def _faults() -> dict[str, str]:
    """ORACLE_FAULTS=case-id=kill,other-id=hang: faults the worker injects into itself (tests only).

    kill: SIGKILL itself; hang: never answer; oom: cap the address space with setrlimit
    and allocate until it bites; raise: an exception as if the adapter had a bug; torn: write
    the first bytes of an answer, then SIGKILL itself (killed mid-answer); freeze: answer, then
    SIGSTOP itself before reading the next request (a stopped worker that never drains its pipe);
    lose-context: answer, then report the device context lost (as after a CUDA device-side assert).
    """
    pairs = (item.split("=", 1) for item in os.environ.get("ORACLE_FAULTS", "").split(",") if "=" in item)
    return {case_id.strip(): fault.strip() for case_id, fault in pairs}


def _inject(fault: str | None, case_id: str) -> None:
    if fault is None or fault == "lose-context":  # lose-context acts after the answer (main)
        return
    print(f"oracle fault injection: {fault} in {case_id}", file=sys.stderr, flush=True)
    if fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == "torn":
        os.write(_PROTOCOL_FD[0], b'{"type":"outcome","case_id":"' + case_id.encode() + b'","outcome":{"sta')
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == "freeze":
        return  # after the answer: see main
    elif fault == "hang":
        while True:
            time.sleep(60)
    elif fault == "oom":
        in_use = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (in_use + FAULT_MEMORY_HEADROOM, resource.RLIM_INFINITY))
        hoard = []
        while True:
            hoard.append(bytearray(16 << 20))
    elif fault == "raise":
        raise RuntimeError(f"injected adapter failure in {case_id}")
    else:
        raise ValueError(f"unknown fault {fault!r}")


_PROTOCOL_FD = [1]  # the protocol's file descriptor, for the `torn` fault


def _send(out: IO[str], message: dict[str, Any]) -> None:
    out.write(dumps(message))
    out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oracle-worker")
    parser.add_argument("--framework", required=True, choices=sorted(FRAMEWORK_PACKAGES))
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    _PROTOCOL_FD[0] = protocol_out.fileno()
    os.dup2(2, 1)  # anything a framework prints goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the runner decides
    cap_memory()
    faults = _faults()
    hidden = {n for n in os.environ.get("ORACLE_HIDE_FRAMEWORKS", "").split(",") if n}
    if hidden:
        sys.meta_path.insert(0, _Hide(hidden))

    try:
        adapter = importlib.import_module(f"adapters.{args.framework}").load(args.device)
    except ModuleNotFoundError as exc:
        package = FRAMEWORK_PACKAGES[args.framework]
        if exc.name and exc.name.split(".")[0] != package:
            raise
        _send(protocol_out, {"type": "unavailable", "reason": f"{package} is not installed ({exc})"})
        return 0
    except ColumnUnavailable as exc:
        _send(protocol_out, {"type": "unavailable", "reason": str(exc)})
        return 0
    _send(protocol_out, {"type": "hello", "framework": adapter.framework, "version": adapter.version,
                         "device": adapter.device, "settings": adapter.settings,
                         "python": platform.python_version()})

    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "exit":
            break
        if message["type"] == "describe":  # `oracle ops --defaults`: the binder's signature defaults
            binder = getattr(adapter, "backend", None)
            binder = getattr(binder, "binder", None)
            _send(protocol_out, {"type": "described", "defaults": binder.signature_defaults() if binder else {},
                                 "errors": binder.errors if binder else {}})
            continue
        if message["type"] == "run_batch":  # exploration: many small requests, one message each way
            requests = [request_from_wire(r) for r in message["requests"]]
            answers = [_answer(adapter, r, faults) for r in requests]
            _send(protocol_out, {"type": "outcomes", "outcomes": [o.to_wire() for o in answers]})
            if any(faults.get(r.case_id) == "freeze" for r in requests):
                os.kill(os.getpid(), signal.SIGSTOP)
            continue
        request = request_from_wire(message["request"])
        outcome = _answer(adapter, request, faults)
        lost = "injected fault" if faults.get(request.case_id) == "lose-context" else adapter.context_lost()
        if lost:
            outcome.notes["device_context_lost"] = f"{lost}"[:400] + "; the next cell runs in a fresh worker"
        _send(protocol_out, {"type": "outcome", "case_id": request.case_id, "outcome": outcome.to_wire(),
                             **({"restart": True} if lost else {})})
        if lost:
            break
        if faults.get(request.case_id) == "freeze":
            os.kill(os.getpid(), signal.SIGSTOP)
    return 0


def _answer(adapter: Any, request: Any, faults: dict[str, str]) -> Outcome:
    try:
        _inject(faults.get(request.case_id), request.case_id)
        return exhausted(adapter.run(request))
    except MemoryError:  # the heap may be in any state: end this process, the runner restarts it
        traceback.print_exc()
        os._exit(EXIT_OUT_OF_MEMORY)
    except Exception as exc:  # a bug in an adapter costs this cell, not the column
        traceback.print_exc()
        return Outcome("crash", adapter.framework, adapter.version, adapter.device,
                       notes={"reason": f"adapter failed: {type(exc).__name__}: {exc}"[:400]})


if __name__ == "__main__":
    sys.exit(main())
