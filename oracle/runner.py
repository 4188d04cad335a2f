"""Worker pool: one process per column, started concurrently; a crash or hang costs one cell.

Each column gets a thread that owns its worker: it sends one request at a time, waits
for the outcome up to the case's time limit, and on a timeout or a dead worker records
`timeout` / `crash` for that cell and starts a fresh worker for the rest.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from pathlib import Path
from typing import Callable

from oracle.compiling import for_column
from oracle.outcome import Outcome
from oracle.protocol import request_to_wire
from oracle.request import Request

# the slot's names that callers import from here (`from oracle.runner import Column`)
from oracle.worker_slot import (  # noqa: F401
    FRAMEWORKS,
    LOST,
    POLL_S,
    PROJECT_ROOT,
    START_TIMEOUT_S,
    STOP_GRACE_S,
    Column,
    ColumnEnv,
    SendTimeout,
    Stopped,
    Worker,
    WorkerGone,
    WorkerSlot,
    compile_cache_env,
    kill_all_workers,
    memory_share,
)

OnOutcome = Callable[[str, str, Outcome], None]  # (column name, case id, outcome)
OnEnv = Callable[[str, ColumnEnv], None]  # (column name, what it turned out to be)


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
        slot = WorkerSlot(column, log, memory)
        pending = list(requests)
        while pending:
            try:
                started = slot.start(stop)
            except Stopped:
                return slot.env
            if not started:
                assert slot.down is not None
                for request in pending:
                    on_outcome(column.name, request.case_id, dataclasses.replace(slot.down, notes=dict(slot.down.notes)))
                return slot.env
            if on_env is not None:
                on_env(column.name, slot.env)
            pending = _serve(slot, pending, on_outcome, stop)
            slot.close(keep=not (stop is not None and stop.is_set()))
    return slot.env


def _with_form(request: Request, column: Column) -> Request:
    """A sub-column's form (or compile sweep) replaces the case's own choice for its framework."""
    if column.compile:
        request = dataclasses.replace(request, compile=for_column(request.compile, column.framework, column.compile))
    if not column.form:
        return request
    return dataclasses.replace(request, forms={**request.forms, column.framework: column.form})


def _serve(slot: WorkerSlot, pending: list[Request], on_outcome: OnOutcome, stop: threading.Event | None
           ) -> list[Request]:
    """Send requests until done or the worker is lost; returns what is left for a new worker."""
    column = slot.column
    for i, request in enumerate(pending):
        since, started = slot.offset(), time.monotonic()  # a timeout or crash took this long too: elapsed_s says so
        try:
            message = slot.exchange({"type": "run", "request": request_to_wire(_with_form(request, column))},
                                    request.timeout_s, stop)
            outcome = Outcome.from_wire(message["outcome"])
        except Stopped:
            slot.kill()
            return []
        except LOST as exc:
            if stop is not None and stop.is_set() and not isinstance(exc, (queue.Empty, SendTimeout)):
                return []
            on_outcome(column.name, request.case_id, slot.lost(exc, request.timeout_s, started, since))
            return pending[i + 1:]
        on_outcome(column.name, request.case_id, outcome)
        if stop is not None and stop.is_set():
            return []
        if message.get("restart"):  # the worker lost its device context and exits: the rest go to a fresh one
            return pending[i + 1:]
    if slot.worker is not None:
        slot.worker.reusable = True
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
