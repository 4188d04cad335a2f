"""Shared fixtures. The `pipeline` fixture runs every case once per session through all columns.

Workers are kept warm between the session's runs (oracle.worker_slot.Warm): most tests run a few cases through
`oracle run`, and starting four framework workers for each would cost more than the cases. Tests marked
`slow` run only with `make test-all` (`pytest -m "slow or not slow"`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import settings

# CI runs the same examples every time (derandomize); `make fuzz` (HYPOTHESIS_PROFILE=fuzz) explores at random.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("fuzz", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def warm_workers() -> Iterator[None]:
    """One set of warm workers for the session's runs; closed at its end."""
    from oracle import worker_slot as runner

    runner.WARM = runner.Warm()
    try:
        yield
    finally:
        warm, runner.WARM = runner.WARM, None
        warm.close()


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`oracle run` on the project's cases plus the test cases, as a user runs it; the parsed results."""
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("run")
    assert main(["run", str(ROOT / "cases"), str(DATA / "cases"), "--out", str(out)]) == 0
    document = load_results(out / "results.json")
    # the model's document, plus where it was written and its records by id (the tests' shortcuts)
    return {**document, "_out": out, "_by_id": {c["id"]: c for c in document["cases"]}}


@pytest.fixture(scope="session")
def rendered(pipeline: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`oracle report` on the session's run, rendered once for every test that reads the reports."""
    from oracle.cli import main

    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--results", str(pipeline["_out"] / "results.json"), "--out", str(out)]) == 0
    return out
