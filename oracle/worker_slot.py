"""One column's worker slot: start a worker process, feed it with a deadline, receive, restart it, cap its
memory, and say once what a lost worker means for the cell it held (timeout, crash, resource_exhausted).

`oracle run` (oracle/runner.py), exploration's warm pool (oracle/explore/pool.py) and its Ray actors
(oracle/explore/ray_pool.py) all hold their workers through a `WorkerSlot`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from oracle.outcome import Outcome, Status
from oracle.protocol import EXIT_OUT_OF_MEMORY, MEMORY_ENV, OUT_OF_MEMORY_SIGNS, dumps

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
    form: str = ""  # a sub-column (`torch/module`): every op that has this form is called through it
    compile: str = ""  # a `--compile both` sub-column: "eager" or "compiled" (oracle/compiling.py)


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


POLL_S = 0.2  # how often a waiting column thread looks at the stop flag
STOP_GRACE_S = 15.0  # after Ctrl-C / SIGTERM, how long columns may take to wind down before their workers are killed
_LIVE: set[Worker] = set()  # every worker process not yet reaped, so a stop can always end them
_LIVE_LOCK = threading.Lock()


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


class SendTimeout(Exception):
    """The worker did not take a request within its deadline (stopped, or wedged): it has been killed."""


class Stopped(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM): the cell in flight is not recorded."""


def memory_share(columns: int) -> int:
    """Bytes each worker's heap may take: ORACLE_WORKER_MEMORY if set (0: no cap), else a fair share of
    the machine's memory among the columns that run at once (never below 2 GiB: a framework must import)."""
    if os.environ.get(MEMORY_ENV):
        return int(os.environ[MEMORY_ENV])
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0
    return max(2 << 30, int(total * 0.8) // max(columns, 1))


# what a dying worker's log says when the cause was memory (C++ aborts, XLA's failed buffer after a refused allocation)
_OOM_IN_LOG = re.compile("|".join(OUT_OF_MEMORY_SIGNS + (r"Check failed: buffer_\.IsConcrete\(\)",)).encode(),
                         re.IGNORECASE)


def _size(log: IO[bytes]) -> int:
    try:
        return os.fstat(log.fileno()).st_size
    except (OSError, ValueError):
        return 0


def _log_after(log: IO[bytes], since: int) -> bytes:
    """What a worker logged after offset `since` (at most 1 MiB); nothing if the log cannot be read."""
    try:
        with open(log.name, "rb") as handle:
            handle.seek(since)
            return handle.read(1 << 20)
    except (OSError, TypeError):
        return b""


def _missing_module(log: IO[bytes], since: int, column: Column) -> str:
    """'; pydantic is not installed in OTHER/bin/python' when the worker's log says so: the real cause; else the
    last exception line it logged (a broken install: '; ImportError: libcudart.so.12: cannot open ...')."""
    text = _log_after(log, since)
    found = re.findall(rb"ModuleNotFoundError: No module named '([\w.]+)'", text)
    if found:
        return f"; {found[-1].decode().split('.')[0]} is not installed in {column.python}"
    raised = re.findall(rb"^(?:[\w.]+\.)?\w*(?:Error|Exception|Exit)\b:?.*$", text, re.MULTILINE)
    return f"; {raised[-1].decode(errors='replace').strip()[:300]}" if raised else ""


class Worker:
    def __init__(self, column: Column, log: IO[bytes], memory: int = 0) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                                         os.environ.get("PYTHONPATH")])),
               "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", MEMORY_ENV: str(memory)}
        env = {**compile_cache_env(), **env}  # a cache folder the user set wins
        self.log = log
        self.process = subprocess.Popen(
            [column.python, "-m", "oracle.worker", "--framework", column.framework, "--device", column.device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, cwd=PROJECT_ROOT,
        )
        with _LIVE_LOCK:
            _LIVE.add(self)
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
        if not line.endswith(b"\n"):  # EOF, or the last line cut short: the worker died (mid-answer)
            raise WorkerGone(self._death())
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self.kill()  # it no longer speaks the protocol: nothing it says next can be trusted
            raise WorkerGone("worker sent a line that is not a protocol message")
        return message

    def send(self, message: dict[str, Any], timeout: float | None = None) -> None:
        """Write one message; with `timeout`, a worker that has not taken it by then is killed (SendTimeout):
        a stopped worker never drains its pipe, and a large request would block the write for ever."""
        data = dumps(message).encode()
        if timeout is None:
            self._write(data)
            return
        gone: list[WorkerGone] = []

        def write() -> None:
            try:
                self._write(data)
            except WorkerGone as exc:
                gone.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(timeout)
        if writer.is_alive():
            self.kill()  # the blocked write ends with EPIPE
            writer.join()
            raise SendTimeout(f"the worker took no request within {timeout:g} s (stopped or wedged); killed")
        if gone:
            raise gone[0]

    def _write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):  # ValueError: the pipe was closed by a kill
            raise WorkerGone(self._death()) from None

    def out_of_memory(self, since: int) -> bool:
        """Whether the worker's death was memory: its exit code, or what it logged after `since` (a log offset)."""
        return self.process.wait() == EXIT_OUT_OF_MEMORY or bool(_OOM_IN_LOG.search(_log_after(self.log, since)))

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
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def close(self) -> None:
        try:
            self.send({"type": "exit"})
            self.process.wait(timeout=10)
        except (WorkerGone, subprocess.TimeoutExpired):
            pass
        self.kill()


def kill_all_workers() -> None:
    """End every worker still running (a stop that did not wind down in time)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for worker in live:
        worker.kill()


class WorkerSlot:
    """One column's worker, started on demand and restarted after a loss.

    `down` is what every cell of the column gets once it cannot run: `crash` when the worker did
    not start, `unavailable` when it started and said its framework is missing.
    """

    def __init__(self, column: Column, log: IO[bytes], memory: int | None = None) -> None:
        self.column, self.log = column, log
        self.memory = memory_share(1) if memory is None else memory
        self.env = ColumnEnv(column.framework, column.device, column.python)
        self.worker: Worker | None = None
        self.down: Outcome | None = None

    def start(self, stop: threading.Event | None = None) -> bool:
        """A fresh worker, or False with `down` and `env` saying why not; Stopped if `stop` is set meanwhile."""
        since = _size(self.log)
        worker = Worker(self.column, self.log, self.memory)
        try:
            hello = worker.receive(START_TIMEOUT_S, stop)
        except Stopped:
            worker.kill()
            raise
        except (queue.Empty, WorkerGone) as exc:
            worker.kill()
            why = f"worker did not start: {exc or 'no answer in time'}{_missing_module(self.log, since, self.column)}"
            return self._down("crash", why)
        if hello["type"] == "unavailable":
            worker.kill()
            return self._down("unavailable", hello["reason"])
        self.env.version, self.env.settings, self.env.python = hello["version"], hello["settings"], hello["python"]
        self.worker = worker
        return True

    def _down(self, status: Status, reason: str) -> bool:
        self.env.available, self.env.reason = False, reason
        self.down = Outcome(status, self.column.framework, device=self.column.device, notes={"reason": reason})
        return False

    def exchange(self, message: dict[str, Any], timeout: float, stop: threading.Event | None = None
                 ) -> dict[str, Any]:
        """Send one message and return the answer, each within `timeout` s (SendTimeout, queue.Empty, WorkerGone)."""
        assert self.worker is not None
        self.worker.send(message, timeout)
        return self.worker.receive(timeout, stop)

    def lost(self, exc: Exception, timeout: float, started: float, since: int, during: str = "this case"
             ) -> Outcome:
        """The outcome of the cell the worker was lost in (it is killed): `exc` is what `exchange` or the
        reading of its answer raised, `started` when the cell began, `since` the log offset then."""
        assert self.worker is not None
        self.worker.kill()
        status: Status
        if isinstance(exc, (queue.Empty, SendTimeout)):
            said = str(exc) if isinstance(exc, SendTimeout) else f"no answer within {timeout:g} s"
            status, reason = "timeout", f"{said}; worker restarted"
        else:  # gone, or an answer that is not an outcome (KeyError, TypeError, ValueError)
            memory = isinstance(exc, WorkerGone) and self.worker.out_of_memory(since)
            status = "resource_exhausted" if memory else "crash"
            said = str(exc) if isinstance(exc, WorkerGone) else f"worker answered with no outcome ({exc!r})"
            reason = f"{said} during {during}{' (out of memory, says its log)' if memory else ''}; worker restarted"
        self.worker = None
        return Outcome(status, self.column.framework, device=self.column.device,
                       elapsed_s=time.monotonic() - started, notes={"reason": reason})

    def offset(self) -> int:
        """Where the log ends now: what the worker logs after it belongs to the cell about to be sent."""
        return _size(self.log)

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


LOST = (queue.Empty, SendTimeout, WorkerGone, KeyError, TypeError, ValueError)  # what `WorkerSlot.lost` classifies
