"""`--executor ray` on a local Ray cluster writes the same classes and files as the local executor."""

from __future__ import annotations

from pathlib import Path

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
