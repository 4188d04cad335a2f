"""`oracle explore --executor ray`: the same warm workers, held by Ray actors, one per column per node.

Each actor owns one column's worker process on its node (the local pool's `ExploreSlot`, a `WorkerSlot`), so a
batch sent to an actor is answered exactly as the local executor answers it: the classes
and files do not depend on the executor. Batches are split across nodes in order and the
rows put back in order. An actor lost in a batch (its process or its node died) is replaced, on
its node if the node is still there, and only its own share of the batch is sent again: the
other actors' answers stand, so no batch is lost and none is answered twice. `RAY_ADDRESS`
joins a cluster; without it Ray starts a local one.
Ray is imported here only, so the local executor needs no Ray.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Self

from oracle.explore.pool import ExploreSlot, Row
from oracle.outcome import Outcome
from oracle.request import Request
from oracle.worker_slot import Column, ColumnEnv, memory_share


class ColumnActor:
    """One column's warm worker on one node (wrapped by `ray.remote` at pool start)."""

    def __init__(self, column: Column, log_dir: str, columns: int) -> None:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        self.log = open(Path(log_dir) / f"ray-{column.name.replace(':', '_')}-{os.getpid()}.log", "ab")
        # the share of this node's memory, measured on the node: `columns` workers run there at once
        self.slot = ExploreSlot(column, self.log, memory_share(columns))
        self.answered = 0
        self.slot.start()

    def env(self) -> ColumnEnv:
        return self.slot.env

    def run(self, requests: list[Request]) -> list[Outcome]:
        self.slot.send_batch(requests)
        outcomes = self.slot.collect(requests)
        self.answered += len(requests)
        return outcomes

    def answered_count(self) -> int:
        """How many requests this actor answered: a batch sent twice would show here."""
        return self.answered

    def close(self) -> None:
        self.slot.close()
        self.log.close()


class RayPool:
    """The WarmPool interface (`run`, `envs`, `close`) over Ray actors."""

    def __init__(self, columns: list[Column], log_dir: Path) -> None:
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        self.ray = ray
        if not ray.is_initialized():
            ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
        nodes = sorted(n["NodeID"] for n in ray.nodes() if n.get("Alive"))
        # num_cpus=0: an actor only waits on its worker process, which does the computing
        self._remote = ray.remote(num_cpus=0)(ColumnActor)
        self._affinity = NodeAffinitySchedulingStrategy
        self.columns, self.log_dir, self.node_ids = columns, log_dir, nodes
        self.replaced = 0  # actors started again after one was lost
        self.nodes: list[dict[str, Any]] = [{c.name: self._actor(c, node, soft=False) for c in columns}
                                            for node in nodes]
        envs = ray.get([actor.env.remote() for actor in self.nodes[0].values()])
        self._envs = {c.name: e for c, e in zip(columns, envs)}

    def _actor(self, column: Column, node: str, soft: bool) -> Any:
        """One column's actor on `node`; `soft`: elsewhere if that node is gone (a replacement)."""
        strategy = self._affinity(node, soft=soft)
        return self._remote.options(scheduling_strategy=strategy).remote(column, str(self.log_dir),
                                                                          len(self.columns))

    @property
    def envs(self) -> dict[str, ColumnEnv]:
        return self._envs

    def run(self, requests: list[Request]) -> list[Row]:
        if not requests:
            return []
        share = -(-len(requests) // len(self.nodes))
        chunks = [requests[i:i + share] for i in range(0, len(requests), share)]
        pending = [{name: actor.run.remote(chunk) for name, actor in node.items()}
                   for node, chunk in zip(self.nodes, chunks)]
        rows: list[Row] = []
        for n, (futures, chunk) in enumerate(zip(pending, chunks)):
            answers = {name: self._answer(n, name, future, chunk) for name, future in futures.items()}
            rows += [{c.name: answers[c.name][i] for c in self.columns} for i in range(len(chunk))]
        return rows

    def _answer(self, node: int, name: str, future: Any, chunk: list[Request]) -> list[Outcome]:
        """The actor's answer to its chunk; if the actor died before answering, a new one answers it."""
        from ray.exceptions import RayActorError

        try:
            answer: list[Outcome] = self.ray.get(future)
            return answer
        except RayActorError:
            column = next(c for c in self.columns if c.name == name)
            self.nodes[node][name] = self._actor(column, self.node_ids[node], soft=True)
            self.replaced += 1
            again: list[Outcome] = self.ray.get(self.nodes[node][name].run.remote(chunk))  # a second loss raises
            return again

    def close(self) -> None:
        from ray.exceptions import RayActorError

        for node in self.nodes:
            for actor in node.values():
                try:
                    self.ray.get(actor.close.remote())
                except RayActorError:
                    pass  # already gone: nothing of its is left to close
        self.nodes = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
