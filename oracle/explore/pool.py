"""Warm workers for exploration: one process per column serves every example of a session.

`oracle run` sends one request per message; exploration sends hundreds of tiny requests, so
here a batch travels in one `run_batch` message per column (oracle/protocol.py) and the
columns compute their batches concurrently. A worker lost in a batch is restarted and the
batch is replayed one request at a time, so a crash or hang costs only its own example.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import IO, Any, Protocol, Self

from oracle.outcome import Outcome
from oracle.protocol import request_to_wire
from oracle.request import Request
from oracle.worker_slot import LOST, Column, ColumnEnv, SendTimeout, WorkerGone, WorkerSlot, memory_share

Row = dict[str, Outcome]  # column name -> outcome, for one request


class Pool(Protocol):
    """What exploration needs from an executor: the local WarmPool, or RayPool (oracle/explore/ray_pool.py)."""

    @property
    def envs(self) -> dict[str, ColumnEnv]: ...

    def run(self, requests: list[Request]) -> list[Row]: ...

    def close(self) -> None: ...


class ExploreSlot:
    """One column's worker slot (oracle/worker_slot.py) answering batches: a batch goes in one message; a
    worker lost in it is replaced and the batch replayed one request at a time, so the loss is classified
    (timeout, crash, resource_exhausted) for the one example that caused it."""

    def __init__(self, column: Column, log: IO[bytes], memory: int | None = None) -> None:
        self.slot = WorkerSlot(column, log, memory)
        self.column, self.env = column, self.slot.env

    def start(self) -> None:
        self.slot.start()

    def _down(self, requests: list[Request]) -> list[Outcome]:
        # a column that cannot run is left out of exploration's comparison, whatever kept it from starting
        return [Outcome("unavailable", self.column.framework, device=self.column.device,
                        notes={"reason": self.env.reason}) for _ in requests]

    def send_batch(self, requests: list[Request]) -> None:
        if self.slot.worker is not None:
            try:  # with a deadline, as oracle run sends: a stopped worker never drains its pipe
                self.slot.worker.send(_batch(requests), sum(r.timeout_s for r in requests))
            except (WorkerGone, SendTimeout):
                pass  # seen again by collect (the worker is gone or killed), which replays the batch

    def collect(self, requests: list[Request]) -> list[Outcome]:
        if self.slot.worker is None:
            return self._down(requests)
        try:
            message = self.slot.worker.receive(sum(r.timeout_s for r in requests))
            return [Outcome.from_wire(o) for o in message["outcomes"]]
        except LOST:
            self.slot.kill()
            self.slot.start()
            return [self.one(r) for r in requests]

    def one(self, request: Request) -> Outcome:
        if self.slot.worker is None:
            return self._down([request])[0]
        since, started = self.slot.offset(), time.monotonic()
        try:
            message = self.slot.exchange(_batch([request]), request.timeout_s)
            return Outcome.from_wire(message["outcomes"][0])
        except LOST as exc:
            outcome = self.slot.lost(exc, request.timeout_s, started, since, during="this example")
            self.slot.start()
            return outcome

    def close(self) -> None:
        self.slot.close()


def _batch(requests: list[Request]) -> dict[str, Any]:
    return {"type": "run_batch", "requests": [request_to_wire(r) for r in requests]}


class WarmPool:
    """Every column's worker, started once; `run` answers a batch of requests in every column."""

    def __init__(self, columns: list[Column], log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        # open for the pool's whole life: every worker it starts, restarts included, writes there
        self._logs = [open(log_dir / f"explore-{c.name.replace(':', '_')}.log", "ab") for c in columns]
        # every column's worker runs at once: each gets its share of the machine's memory, as in oracle run
        self.slots = [ExploreSlot(c, log, memory_share(len(columns))) for c, log in zip(columns, self._logs)]
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

        def collect(slot: ExploreSlot) -> None:
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
