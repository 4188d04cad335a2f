"""Warm workers for exploration: one process per column serves every example of a session.

`oracle run` sends one request per message; exploration sends hundreds of tiny requests, so
here a batch travels in one `run_batch` message per column (oracle/protocol.py) and the
columns compute their batches concurrently. A worker lost in a batch is restarted and the
batch is replayed one request at a time, so a crash or hang costs only its own example.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import IO, Protocol, Self

from oracle.outcome import Outcome, Status
from oracle.protocol import request_to_wire
from oracle.request import Request
from oracle.runner import START_TIMEOUT_S, Column, ColumnEnv, SendTimeout, Worker, WorkerGone

Row = dict[str, Outcome]  # column name -> outcome, for one request


class Pool(Protocol):
    """What exploration needs from an executor: the local WarmPool, or RayPool (oracle/explore/ray_pool.py)."""

    @property
    def envs(self) -> dict[str, ColumnEnv]: ...

    def run(self, requests: list[Request]) -> list[Row]: ...

    def close(self) -> None: ...


class _Slot:
    """One column's worker, restarted on demand."""

    def __init__(self, column: Column, log: IO[bytes]) -> None:
        self.column, self.log = column, log
        self.env = ColumnEnv(column.framework, column.device, column.python)
        self.worker: Worker | None = None

    def start(self) -> None:
        worker = Worker(self.column, self.log)
        try:
            hello = worker.receive(START_TIMEOUT_S)
        except (queue.Empty, WorkerGone) as exc:
            worker.kill()
            self.env.available, self.env.reason = False, f"worker did not start: {exc or 'no answer in time'}"
            return
        if hello["type"] == "unavailable":
            worker.kill()
            self.env.available, self.env.reason = False, hello["reason"]
            return
        self.env.version, self.env.settings, self.env.python = hello["version"], hello["settings"], hello["python"]
        self.worker = worker

    def _lost(self, reason: str, status: Status) -> Outcome:
        assert self.worker is not None
        self.worker.kill()
        self.start()
        return Outcome(status, self.column.framework, device=self.column.device, notes={"reason": reason})

    def send_batch(self, requests: list[Request]) -> None:
        if self.worker is not None:
            try:  # with a deadline, as oracle run sends: a stopped worker never drains its pipe
                self.worker.send({"type": "run_batch", "requests": [request_to_wire(r) for r in requests]},
                                 sum(r.timeout_s for r in requests))
            except (WorkerGone, SendTimeout):
                pass  # seen again by collect (the worker is gone or killed), which replays the batch

    def collect(self, requests: list[Request]) -> list[Outcome]:
        if self.worker is None:
            return [Outcome("unavailable", self.column.framework, device=self.column.device,
                            notes={"reason": self.env.reason}) for _ in requests]
        try:
            message = self.worker.receive(sum(r.timeout_s for r in requests))
            return [Outcome.from_wire(o) for o in message["outcomes"]]
        except (queue.Empty, WorkerGone):
            self._lost("lost in a batch", "crash")
            return [self.one(r) for r in requests]

    def one(self, request: Request) -> Outcome:
        if self.worker is None:
            return Outcome("unavailable", self.column.framework, device=self.column.device,
                           notes={"reason": self.env.reason})
        try:
            self.worker.send({"type": "run_batch", "requests": [request_to_wire(request)]}, request.timeout_s)
            message = self.worker.receive(request.timeout_s)
            return Outcome.from_wire(message["outcomes"][0])
        except SendTimeout as exc:
            return self._lost(f"{exc}; worker restarted", "timeout")
        except queue.Empty:
            return self._lost(f"no answer within {request.timeout_s:g} s; worker restarted", "timeout")
        except WorkerGone as exc:
            return self._lost(f"{exc} during this example; worker restarted", "crash")

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


class WarmPool:
    """Every column's worker, started once; `run` answers a batch of requests in every column."""

    def __init__(self, columns: list[Column], log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        # open for the pool's whole life: every worker it starts, restarts included, writes there
        self._logs = [open(log_dir / f"explore-{c.name.replace(':', '_')}.log", "ab") for c in columns]
        self.slots = [_Slot(c, log) for c, log in zip(columns, self._logs)]
        threads = [threading.Thread(target=s.start, daemon=True) for s in self.slots]
        for t in threads:  # imports are the slow part: pay them concurrently
            t.start()
        for t in threads:
            t.join()

    @property
    def envs(self) -> dict[str, ColumnEnv]:
        return {s.column.name: s.env for s in self.slots}

    def run(self, requests: list[Request]) -> list[Row]:
        if not requests:
            return []
        for slot in self.slots:
            slot.send_batch(requests)
        answers: dict[str, list[Outcome]] = {}

        def collect(slot: _Slot) -> None:
            answers[slot.column.name] = slot.collect(requests)

        threads = [threading.Thread(target=collect, args=(s,), daemon=True) for s in self.slots]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [{s.column.name: answers[s.column.name][i] for s in self.slots} for i in range(len(requests))]

    def close(self) -> None:
        for slot in self.slots:
            slot.close()
        for log in self._logs:
            log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
