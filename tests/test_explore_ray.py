"""`--executor ray` on a local Ray cluster writes the same classes and files as the local executor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_explore import _files

from oracle.explore.session import explore
from oracle.results import parse_columns

pytest.importorskip("ray")

COLUMNS = "reference,torch"  # the two quickest imports: the test is about the executor, not the frameworks


@pytest.mark.ray
def test_ray_executor_writes_what_the_local_one_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ray

    from oracle.explore.pool import WarmPool
    from oracle.explore.ray_pool import RayPool

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    columns = parse_columns(COLUMNS, "cpu")
    with WarmPool(columns, tmp_path / "logs") as pool:
        local = explore(["mse_loss"], pool, 8, 0, tmp_path / "local", [], budget=15)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        with RayPool(columns, tmp_path / "logs") as remote_pool:
            remote = explore(["mse_loss"], remote_pool, 8, 0, tmp_path / "ray", [], budget=15)
    finally:
        ray.shutdown()
    assert [c.slug for c in remote[0].classes] == [c.slug for c in local[0].classes]
    assert _files(tmp_path / "ray") == _files(tmp_path / "local") != {}


class _KillsAnActor:
    """The pool, with one actor killed (ray.kill) just before the second batch: a fault mid-campaign."""

    def __init__(self, pool: Any, node: int, column: str) -> None:
        self.pool, self.node, self.column = pool, node, column
        self.batches, self.sent, self.answered_by_victim = 0, 0, 0

    @property
    def envs(self) -> Any:
        return self.pool.envs

    def run(self, requests: list[Any]) -> list[Any]:
        import ray

        self.batches += 1
        if self.batches == 2:
            victim = self.pool.nodes[self.node][self.column]
            self.answered_by_victim = ray.get(victim.answered_count.remote())
            ray.kill(victim, no_restart=True)
        rows = self.pool.run(requests)
        assert len(rows) == len(requests) and all(set(row) == {"reference", "torch"} for row in rows)
        self.sent += len(requests)
        return list(rows)

    def close(self) -> None:
        self.pool.close()


@pytest.mark.ray
def test_a_two_node_cluster_with_an_actor_killed_writes_what_the_local_executor_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24 item 7: two Ray nodes on this machine (ray.cluster_utils.Cluster, each with its own
    resources); one column's actor on the head node is killed before the second batch. It is
    replaced, the campaign writes the same classes and files as the local executor, and every request
    was answered exactly once per column (the actors' counts add up to what was sent)."""
    import ray
    from ray.cluster_utils import Cluster

    from oracle.explore.pool import WarmPool
    from oracle.explore.ray_pool import RayPool

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    columns = parse_columns(COLUMNS, "cpu")
    with WarmPool(columns, tmp_path / "logs") as pool:
        local = explore(["mse_loss"], pool, 8, 0, tmp_path / "local", [], budget=15)
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": {"head-node": 1}})
    try:
        cluster.add_node(num_cpus=1, resources={"joined-node": 1})
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
        cluster.wait_for_nodes()
        with RayPool(columns, tmp_path / "logs") as remote_pool:
            assert len(remote_pool.nodes) == 2
            faulty = _KillsAnActor(remote_pool, 0, "torch")  # node 0 answers every batch, small ones too
            remote = explore(["mse_loss"], faulty, 8, 0, tmp_path / "ray", [], budget=15)
            assert faulty.batches >= 2 and remote_pool.replaced == 1
            for name in ("reference", "torch"):
                counts = ray.get([node[name].answered_count.remote() for node in remote_pool.nodes])
                lost_with_victim = faulty.answered_by_victim if name == "torch" else 0
                assert sum(counts) + lost_with_victim == faulty.sent, (name, counts, faulty.sent)
    finally:
        ray.shutdown()
        cluster.shutdown()
    assert [c.slug for c in remote[0].classes] == [c.slug for c in local[0].classes]
    assert _files(tmp_path / "ray") == _files(tmp_path / "local") != {}
