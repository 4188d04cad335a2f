"""Worker pool: one process per column, started concurrently; a crash or hang costs one cell.

Each column gets a thread that owns its worker: it sends one request at a time, waits
for the outcome up to the case's time limit, and on a timeout or a dead worker records
`timeout` / `crash` for that cell and starts a fresh worker for the rest.
"""

from __future__ import annotations

import dataclasses
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
from typing import IO, Any, Callable

from oracle.compiling import for_column
from oracle.outcome import Outcome, Status
from oracle.protocol import EXIT_OUT_OF_MEMORY, MEMORY_ENV, OUT_OF_MEMORY_SIGNS, dumps, request_to_wire
from oracle.request import Request

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
        self.reusable = False  # set by _serve when every request was answered and the worker asked for no restart
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


OnOutcome = Callable[[str, str, Outcome], None]  # (column name, case id, outcome)
OnEnv = Callable[[str, ColumnEnv], None]  # (column name, what it turned out to be)


def kill_all_workers() -> None:
    """End every worker still running (a stop that did not wind down in time)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for worker in live:
        worker.kill()


def run_column(column: Column, requests: list[Request], on_outcome: OnOutcome, log_dir: Path,
               stop: threading.Event | None = None, on_env: OnEnv | None = None, memory: int | None = None
               ) -> ColumnEnv:
    """Run every request through one column; answers every (case, column) cell unless `stop` is set."""
    env = ColumnEnv(column.framework, column.device, column.python)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_dir / f"{column.name.replace(':', '_').replace('/', '_')}.log", "ab")
    except OSError as exc:  # a read-only or full logs folder: every cell says so, no thread dies with a traceback
        reason = f"worker did not start: cannot open its log in {log_dir}: {exc.strerror or exc}"
        for request in requests:
            on_outcome(column.name, request.case_id, Outcome("crash", column.framework, device=column.device,
                                                             notes={"reason": reason}))
        env.available, env.reason = False, reason
        return env
    with log:
        pending = list(requests)
        cap = memory_share(1) if memory is None else memory
        warm = WARM
        while pending:
            started_at = _size(log)
            kept = warm.take(column, cap) if warm is not None else None
            if kept is not None:
                log.write(f"(worker pid {kept[0].process.pid} kept warm from an earlier run; its log: "
                          f"{kept[0].log.name})\n".encode())
                log.flush()
            worker = kept[0] if kept is not None else Worker(column, log, cap)
            try:
                hello = kept[1] if kept is not None else worker.receive(START_TIMEOUT_S, stop)
            except Stopped:
                worker.kill()
                return env
            except (queue.Empty, WorkerGone) as exc:
                worker.kill()
                reason = f"worker did not start: {exc or 'no answer in time'}{_missing_module(log, started_at, column)}"
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
            if on_env is not None:
                on_env(column.name, env)
            pending = _serve(worker, column, pending, on_outcome, stop)
            if warm is None or (stop is not None and stop.is_set()) or not warm.give(column, cap, worker, hello):
                worker.close()
    return env


def _with_form(request: Request, column: Column) -> Request:
    """A sub-column's form (or compile sweep) replaces the case's own choice for its framework."""
    if column.compile:
        request = dataclasses.replace(request, compile=for_column(request.compile, column.framework, column.compile))
    if not column.form:
        return request
    return dataclasses.replace(request, forms={**request.forms, column.framework: column.form})


def _serve(worker: Worker, column: Column, pending: list[Request], on_outcome: OnOutcome,
           stop: threading.Event | None) -> list[Request]:
    """Send requests until done or the worker is lost; returns what is left for a new worker."""
    for i, request in enumerate(pending):
        since = _size(worker.log)
        started = time.monotonic()  # a timeout or crash took this long too: elapsed_s says so
        try:
            worker.send({"type": "run", "request": request_to_wire(_with_form(request, column))}, request.timeout_s)
            message = worker.receive(request.timeout_s, stop)
            outcome = Outcome.from_wire(message["outcome"])
        except Stopped:
            worker.kill()
            return []
        except (queue.Empty, SendTimeout) as exc:
            worker.kill()
            said = str(exc) if isinstance(exc, SendTimeout) else f"no answer within {request.timeout_s:g} s"
            outcome = Outcome("timeout", column.framework, device=column.device,
                              elapsed_s=time.monotonic() - started, notes={"reason": f"{said}; worker restarted"})
            on_outcome(column.name, request.case_id, outcome)
            return pending[i + 1:]
        except (WorkerGone, KeyError, TypeError, ValueError) as exc:  # the last three: an answer not an outcome
            if stop is not None and stop.is_set():
                return []
            worker.kill()
            memory = isinstance(exc, WorkerGone) and worker.out_of_memory(since)
            status: Status = "resource_exhausted" if memory else "crash"
            cause = " (out of memory, says its log)" if memory else ""
            said = str(exc) if isinstance(exc, WorkerGone) else f"worker answered with no outcome ({exc!r})"
            outcome = Outcome(status, column.framework, device=column.device, elapsed_s=time.monotonic() - started,
                              notes={"reason": f"{said} during this case{cause}; worker restarted"})
            on_outcome(column.name, request.case_id, outcome)
            return pending[i + 1:]
        on_outcome(column.name, request.case_id, outcome)
        if stop is not None and stop.is_set():
            return []
        if message.get("restart"):  # the worker lost its device context and exits: the rest go to a fresh one
            return pending[i + 1:]
    worker.reusable = True
    return []


def run_all(columns: list[Column], requests: list[Request] | dict[str, list[Request]], on_outcome: OnOutcome,
            log_dir: Path, stop: threading.Event | None = None, on_env: OnEnv | None = None) -> dict[str, ColumnEnv]:
    """All columns concurrently, one thread (and one worker process) each.

    `requests` is one list for every column, or a list per column name (a resumed run).
    Ctrl-C (KeyboardInterrupt in this thread) sets `stop`: each column ends its worker and
    returns, and what was answered so far stands; the caller sees `stop.is_set()`. Columns
    that have not wound down STOP_GRACE_S after the stop (or at a second Ctrl-C) have their
    workers killed and are left behind: no state of the run outlives a stop by much.
    """
    stop = stop or threading.Event()
    envs: dict[str, ColumnEnv] = {}
    lock = threading.Lock()
    closed = [False]  # set when run_all returns: a column left behind must not report into a finished run

    def locked(column: str, case_id: str, outcome: Outcome) -> None:
        with lock:
            if not closed[0]:
                on_outcome(column, case_id, outcome)

    def env_seen(column: str, env: ColumnEnv) -> None:
        with lock:
            if on_env is not None and not closed[0]:
                on_env(column, env)

    # count the threads that ended, not their names: names need not be unique to the runner
    ended = [0]
    all_ended = threading.Event()

    def work(column: Column) -> None:
        try:
            todo = requests[column.name] if isinstance(requests, dict) else requests
            env = run_column(column, todo, locked, log_dir, stop, env_seen, memory_share(len(columns)))
            with lock:
                envs[column.name] = env
                if on_env is not None and not closed[0]:
                    on_env(column.name, env)
        finally:
            with lock:
                ended[0] += 1
                if ended[0] == len(columns):
                    all_ended.set()

    if not columns:
        return {}
    for column in columns:
        threading.Thread(target=work, args=(column,), name=column.name, daemon=True).start()
    # wait on an Event, not Thread.join: a join interrupted by KeyboardInterrupt may return early afterwards
    stopped_at: float | None = None
    while True:
        try:
            if all_ended.wait(POLL_S):
                break
            if stop.is_set():
                stopped_at = stopped_at or time.monotonic()
                if time.monotonic() - stopped_at > STOP_GRACE_S:
                    kill_all_workers()
                    break
        except KeyboardInterrupt:
            if stop.is_set():  # a second Ctrl-C: do not wait for anyone
                kill_all_workers()
                break
            stop.set()
    with lock:
        closed[0] = True
        return {c.name: envs.get(c.name) or ColumnEnv(c.framework, c.device, c.python) for c in columns}
