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


def worker_env(memory: int) -> dict[str, str]:
    """The environment a worker starts with."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", MEMORY_ENV: str(memory)}
    return {**compile_cache_env(), **env}  # a cache folder the user set wins


class Worker:
    def __init__(self, column: Column, log: IO[bytes], memory: int = 0) -> None:
        self.log = log
        self.reusable = False  # set when a run's requests were all answered and the worker asked for no restart
        self.own_log = False  # whether `log` is a handle of the worker's own (Warm), closed with it
        self.process = subprocess.Popen(
            [column.python, "-m", "oracle.worker", "--framework", column.framework, "--device", column.device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=worker_env(memory), cwd=PROJECT_ROOT,
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
        if self.own_log:
            self.log.close()

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


class Warm:
    """Workers kept warm between runs of one process (the test suite: many small runs, each of which would
    import every framework again). A worker is reused only for the same column, memory cap and environment, and
    only after a run in which it answered every request; workers with injected faults or hidden frameworks are
    never kept (their tests read their logs and watch them die). `oracle run` never turns this on. A kept
    worker goes on writing to the log of the run that started it; the next run's log names that file."""

    def __init__(self, most: int = 6, largest: int = 1 << 30) -> None:
        self.most = most  # idle workers kept at most; the oldest is closed first
        self.largest = largest  # a worker grown past this many resident bytes (a long run's JAX caches) is closed
        self.idle: dict[tuple[Any, ...], tuple[Worker, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    @staticmethod
    def key(column: Column, memory: int) -> tuple[Any, ...] | None:
        env = worker_env(memory)
        if env.get("ORACLE_FAULTS") or env.get("ORACLE_HIDE_FRAMEWORKS"):
            return None
        return column.python, column.framework, column.device, column.form, column.compile, tuple(sorted(env.items()))

    def take(self, column: Column, memory: int) -> tuple[Worker, dict[str, Any]] | None:
        key = self.key(column, memory)
        with self.lock:
            kept = self.idle.pop(key, None) if key else None
        if kept is not None and kept[0].process.poll() is not None:  # killed meanwhile (a stop kills every worker)
            kept[0].kill()
            return None
        if kept is not None:
            kept[0].reusable = False
        return kept

    def give(self, column: Column, memory: int, worker: Worker, hello: dict[str, Any]) -> bool:
        key = self.key(column, memory)
        if key is None or not worker.reusable or worker.process.poll() is not None or \
                _resident(worker.process.pid) > self.largest:
            return False
        if worker.log.closed or not worker.own_log:  # the run's handle closes with the run: one of its own
            worker.log, worker.own_log = open(worker.log.name, "ab"), True
        with self.lock:
            old = self.idle.pop(key, None)
            self.idle[key] = (worker, hello)
            evicted = [self.idle.pop(next(iter(self.idle)))] if len(self.idle) > self.most else []
        for gone, _ in [*([old] if old else []), *evicted]:
            gone.close()
        return True

    def close(self) -> None:
        with self.lock:
            kept, self.idle = list(self.idle.values()), {}
        for worker, _ in kept:
            worker.close()


def _resident(pid: int) -> int:
    """Resident bytes of a process (Linux); 0 where /proc cannot tell."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


WARM: Warm | None = None  # set (tests/conftest.py) to keep workers warm between the runs of this process



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
        self.hello: dict[str, Any] = {}
        self.down: Outcome | None = None

    def start(self, stop: threading.Event | None = None) -> bool:
        """A fresh worker, or False with `down` and `env` saying why not; Stopped if `stop` is set meanwhile."""
        since = _size(self.log)
        kept = WARM.take(self.column, self.memory) if WARM is not None else None
        if kept is not None:
            self.log.write(f"(worker pid {kept[0].process.pid} kept warm from an earlier run; its log: "
                           f"{kept[0].log.name})\n".encode())
            self.log.flush()
        worker = kept[0] if kept is not None else Worker(self.column, self.log, self.memory)
        try:
            hello = kept[1] if kept is not None else worker.receive(START_TIMEOUT_S, stop)
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
        self.worker, self.hello = worker, hello
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

    def close(self, keep: bool = False) -> None:
        """End the worker; with `keep`, a warm pool (WARM) may keep it for a later run instead."""
        if self.worker is not None:
            if not (keep and WARM is not None and WARM.give(self.column, self.memory, self.worker, self.hello)):
                self.worker.close()
            self.worker = None


LOST = (queue.Empty, SendTimeout, WorkerGone, KeyError, TypeError, ValueError)  # what `WorkerSlot.lost` classifies
