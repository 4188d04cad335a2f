"""Worker pool: one process per column, started concurrently; a crash or hang costs one cell.

Each column gets a thread that owns its worker: it sends one request at a time, waits
for the outcome up to the case's time limit, and on a timeout or a dead worker records
`timeout` / `crash` for that cell and starts a fresh worker for the rest.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable

from oracle.outcome import Outcome
from oracle.request import Request
from oracle.protocol import dumps, request_to_wire

FRAMEWORKS = ("reference", "jax", "torch", "tensorflow")
START_TIMEOUT_S = 300.0  # importing TensorFlow on a loaded 2-core machine can take a while
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Column:
    """A column of the comparison: a framework on a device, in an interpreter."""

    name: str
    framework: str
    device: str = "cpu"
    python: str = sys.executable


@dataclass
class ColumnEnv:
    """What a column turned out to be (results.json `environment`)."""

    framework: str
    device: str
    python: str = ""
    version: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    available: bool = True
    reason: str = ""


EXIT_OUT_OF_MEMORY = 3  # oracle.worker's exit code after a MemoryError (not imported: keeps the runner light)
POLL_S = 0.2  # how often a waiting column thread looks at the stop flag


def compile_cache_env() -> dict[str, str]:
    """JAX's persistent compilation cache, on unless ORACLE_COMPILE_CACHE=off: every shape and dtype
    compiles once per machine instead of once per worker (exploration starts many workers over time).
    Tiny compiles are cached too; they are what a run of one-step cases is made of."""
    if os.environ.get("ORACLE_COMPILE_CACHE", "on") == "off":
        return {}
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return {"JAX_COMPILATION_CACHE_DIR": str(base / "dl-oracle" / "jax-compilation-cache"),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}


class WorkerGone(Exception):
    pass


class Stopped(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM): the cell in flight is not recorded."""


class Worker:
    def __init__(self, column: Column, log: IO[bytes]) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                                         os.environ.get("PYTHONPATH")])),
               "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
        env = {**compile_cache_env(), **env}  # a cache folder the user set wins
        self.process = subprocess.Popen(
            [column.python, "-m", "oracle.worker", "--framework", column.framework, "--device", column.device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, cwd=PROJECT_ROOT,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(b"")  # EOF: the worker is gone

    def receive(self, timeout: float, stop: threading.Event | None = None) -> dict[str, Any]:
        """The next message; queue.Empty after `timeout` s, Stopped as soon as `stop` is set."""
        deadline = time.monotonic() + timeout
        while True:
            if stop is not None and stop.is_set():
                raise Stopped()
            left = deadline - time.monotonic()
            if left <= 0:
                raise queue.Empty()
            try:
                line = self.lines.get(timeout=min(left, POLL_S))
                break
            except queue.Empty:
                continue
        if not line:
            raise WorkerGone(self._death())
        return json.loads(line)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(dumps(message).encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerGone(self._death()) from None

    def _death(self) -> str:
        code = self.process.wait()
        if code < 0:
            return f"worker killed by {signal.Signals(-code).name}"
        if code == EXIT_OUT_OF_MEMORY:
            return "worker ran out of memory (MemoryError)"
        return f"worker exited with code {code}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self) -> None:
        try:
            self.send({"type": "exit"})
            self.process.wait(timeout=10)
        except (WorkerGone, subprocess.TimeoutExpired):
            self.kill()


OnOutcome = Callable[[str, str, Outcome], None]  # (column name, case id, outcome)


def run_column(column: Column, requests: list[Request], on_outcome: OnOutcome, log_dir: Path,
               stop: threading.Event | None = None) -> ColumnEnv:
    """Run every request through one column; answers every (case, column) cell unless `stop` is set."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = ColumnEnv(column.framework, column.device, column.python)
    with open(log_dir / f"{column.name.replace(':', '_')}.log", "ab") as log:
        pending = list(requests)
        while pending:
            worker = Worker(column, log)
            try:
                hello = worker.receive(START_TIMEOUT_S, stop)
            except Stopped:
                worker.kill()
                return env
            except (queue.Empty, WorkerGone) as exc:
                worker.kill()
                reason = f"worker did not start: {exc or 'no answer in time'}"
                for request in pending:
                    on_outcome(column.name, request.case_id, Outcome("crash", column.framework, device=column.device,
                                                                     notes={"reason": reason}))
                env.available, env.reason = False, reason
                return env
            if hello["type"] == "unavailable":
                worker.kill()
                env.available, env.reason = False, hello["reason"]
                for request in pending:
                    on_outcome(column.name, request.case_id, Outcome("unavailable", column.framework,
                                                                     device=column.device,
                                                                     notes={"reason": hello["reason"]}))
                return env
            env.version, env.settings, env.python = hello["version"], hello["settings"], hello["python"]
            pending = _serve(worker, column, pending, on_outcome, stop)
            worker.close()
    return env


def _serve(worker: Worker, column: Column, pending: list[Request], on_outcome: OnOutcome,
           stop: threading.Event | None) -> list[Request]:
    """Send requests until done or the worker is lost; returns what is left for a new worker."""
    for i, request in enumerate(pending):
        try:
            worker.send({"type": "run", "request": request_to_wire(request)})
            message = worker.receive(request.timeout_s, stop)
            outcome = Outcome.from_wire(message["outcome"])
        except Stopped:
            worker.kill()
            return []
        except queue.Empty:
            worker.kill()
            outcome = Outcome("timeout", column.framework, device=column.device,
                              notes={"reason": f"no answer within {request.timeout_s:g} s; worker restarted"})
            on_outcome(column.name, request.case_id, outcome)
            return pending[i + 1:]
        except WorkerGone as exc:
            if stop is not None and stop.is_set():
                return []
            outcome = Outcome("crash", column.framework, device=column.device,
                              notes={"reason": f"{exc} during this case; worker restarted"})
            on_outcome(column.name, request.case_id, outcome)
            return pending[i + 1:]
        on_outcome(column.name, request.case_id, outcome)
        if stop is not None and stop.is_set():
            return []
    return []


def run_all(columns: list[Column], requests: list[Request] | dict[str, list[Request]], on_outcome: OnOutcome,
            log_dir: Path, stop: threading.Event | None = None) -> dict[str, ColumnEnv]:
    """All columns concurrently, one thread (and one worker process) each.

    `requests` is one list for every column, or a list per column name (a resumed run).
    Ctrl-C (KeyboardInterrupt in this thread) sets `stop`: each column ends its worker and
    returns, and what was answered so far stands; the caller sees `stop.is_set()`.
    """
    stop = stop or threading.Event()
    envs: dict[str, ColumnEnv] = {}
    lock = threading.Lock()

    def locked(column: str, case_id: str, outcome: Outcome) -> None:
        with lock:
            on_outcome(column, case_id, outcome)

    ended: set[str] = set()
    all_ended = threading.Event()

    def work(column: Column) -> None:
        try:
            todo = requests[column.name] if isinstance(requests, dict) else requests
            envs[column.name] = run_column(column, todo, locked, log_dir, stop)
        finally:
            with lock:
                ended.add(column.name)
                if len(ended) == len(columns):
                    all_ended.set()

    if not columns:
        return {}
    for column in columns:
        threading.Thread(target=work, args=(column,), name=column.name, daemon=True).start()
    # wait on an Event, not Thread.join: a join interrupted by KeyboardInterrupt may return early afterwards
    while True:
        try:
            if all_ended.wait(POLL_S):
                break
        except KeyboardInterrupt:
            stop.set()
    return {c.name: envs[c.name] for c in columns}
