"""Exploration: strategies from declarations, classes found on real ops, minimal cases that reproduce them."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from oracle.cases import load_case
from oracle.explore.classes import (
    case_data,
    request,
    signature,
    signature_key,
    step_text,
)
from oracle.explore.session import (
    draw_scenarios,
    existing_signatures,
    explore,
    select_ops,
)
from oracle.explore.strategies import explorable
from oracle.ops import OPS
from oracle.results import execute, parse_columns

COLUMNS = "reference,jax,torch"  # TensorFlow's import alone costs more than the rest; the proof needs torch and optax
EXAMPLES = 12
SEED = 0


def test_one_seed_draws_one_sequence() -> None:
    assert draw_scenarios("mse_loss", 15, SEED) == draw_scenarios("mse_loss", 15, SEED)
    assert draw_scenarios("mse_loss", 15, SEED) != draw_scenarios("mse_loss", 15, SEED + 1)


@pytest.mark.parametrize("op", sorted(n for n, o in OPS.items() if explorable(o)))
def test_every_drawn_scenario_is_a_valid_case(op: str, tmp_path: Path) -> None:
    """Strategies are derived from declarations only: every op's scenarios are case files the loader accepts."""
    sig = {"op": op, "columns": {}, "against_reference": {}}
    for i, scenario in enumerate(draw_scenarios(op, 8, SEED)):
        path = tmp_path / f"c{i}.yaml"
        path.write_text(yaml.safe_dump(case_data(scenario, sig, "", SEED, 8), sort_keys=False), encoding="utf-8")
        loaded = load_case(path)
        assert loaded.steps[0].text == step_text(scenario)
        request(scenario)  # the inputs are born without error


def test_families_select_ops() -> None:
    assert set(select_ops([], "losses")) == {n for n, o in OPS.items() if o.family == "loss"}
    with pytest.raises(ValueError):
        select_ops(["no_such_op"], None)


@pytest.fixture(scope="module")
def explored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """mse_loss explored twice with one seed, into two folders, through one warm pool per run."""
    from oracle.explore.pool import WarmPool

    runs = []
    for name in ("a", "b"):
        out = tmp_path_factory.mktemp(f"explored-{name}")
        with WarmPool(parse_columns(COLUMNS, "cpu"), out / "logs") as pool:
            [report] = explore(["mse_loss"], pool, EXAMPLES, SEED, out / "cases", [], budget=60)
        runs.append((out / "cases", report))
    return {"runs": runs}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_seed_writes_identical_files(explored: dict[str, Any]) -> None:
    (a, _), (b, _) = explored["runs"]
    assert _files(a) and _files(a) == _files(b)


def test_torch_broadcasts_with_a_warning_where_optax_raises(explored: dict[str, Any]) -> None:
    """The class the issue names, found and shrunk, and checked against the frameworks called natively here."""
    import optax
    import torch

    _, report = explored["runs"][0]
    found = [c for c in report.classes if c.signature["columns"]["torch"] == "ok warned"
             and c.signature["columns"]["jax"].startswith("error")
             and c.signature["against_reference"]["torch"].startswith("silent_divergence")]
    assert found, [c.signature for c in report.classes]
    shapes = [s.get("shape") for s in found[0].minimal["inputs"].values()]
    assert all(s is not None for s in shapes)
    short, long_ = sorted(shapes, key=len)
    # shrunk to the trailing-1 relation, [k, 1] against [k] (k may shrink away: [1] against [], which
    # torch broadcasts too); without the TensorFlow column nothing tells [k] from [] apart
    assert long_ == short + [1] and len(short) <= 1 and all(d <= 4 for d in short), shapes
    pred, target = (np.ones(s, np.float32) for s in (long_, short))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.MSELoss()(torch.from_numpy(pred), torch.from_numpy(target))
    assert any("broadcast" in str(w.message) for w in caught)
    with pytest.raises(ValueError):
        optax.losses.squared_error(pred, target)


def test_written_cases_reproduce_their_class(explored: dict[str, Any], tmp_path: Path) -> None:
    folder, report = explored["runs"][0]
    files = sorted(folder.rglob("*.yaml"))
    assert len(files) == len(report.classes)
    loaded = [load_case(p) for p in files]
    results = execute(loaded, parse_columns(COLUMNS, "cpu"), tmp_path / "logs")
    for case, record in zip(loaded, results["cases"]):
        from oracle.outcome import Outcome

        row = {name: Outcome.from_results(data) for name, data in record["columns"].items()}
        assert case.case.explored is not None
        assert signature_key(signature("mse_loss", row)) == signature_key(case.case.explored["signature"]), case.path


def test_a_class_already_in_cases_is_not_written_twice(explored: dict[str, Any], tmp_path: Path) -> None:
    folder, report = explored["runs"][0]
    known = existing_signatures([folder], tmp_path.resolve())
    assert set(known) == {signature_key(c.signature) for c in report.classes}
    assert existing_signatures([folder], folder.resolve()) == {}  # explore's own folder is rewritten, not skipped


def test_the_jax_compilation_cache_is_on_unless_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from oracle.runner import compile_cache_env

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ORACLE_COMPILE_CACHE", raising=False)
    assert compile_cache_env()["JAX_COMPILATION_CACHE_DIR"].startswith(str(tmp_path))
    monkeypatch.setenv("ORACLE_COMPILE_CACHE", "off")
    assert compile_cache_env() == {}


def test_atlas_links_every_class_and_counts_departures(explored: dict[str, Any]) -> None:
    from oracle.atlas import load, render

    folder, report = explored["runs"][0]
    text = render(load(folder))
    for found in report.classes:
        assert f"| {found.count} | `{found.slug}` |" in text and f"({found.file})" in text
    assert "| loss |" in text and "torch" in text


def test_atlas_shares_count_every_explored_example_of_the_family() -> None:
    """An op with no departure still counts in the family's denominator, whatever the entries' order."""
    from oracle.atlas import render

    quiet = {"op": "abs", "family": "elementwise", "seed": 0, "examples": 10, "departures": {}, "classes": []}
    loud = {"op": "add", "family": "elementwise", "seed": 0, "examples": 10, "departures": {"torch": 5},
            "classes": []}
    for entries in ([quiet, loud], [loud, quiet]):
        assert "| elementwise | 25% (5/20) |" in render(entries)


def test_committed_explored_cases_reproduce_their_class(pipeline: dict[str, Any]) -> None:
    """Every case under cases/explored, as `oracle run` ran it (the session's pipeline), shows its signature."""
    from oracle.outcome import Outcome

    records = [r for r in pipeline["cases"] if "/cases/explored/" in r["file"].replace("\\", "/")]
    assert records
    for record in records:
        explored_by = load_case(record["file"]).case.explored
        assert explored_by is not None
        row = {name: Outcome.from_results(data) for name, data in record["columns"].items()}
        assert signature(explored_by["signature"]["op"], row) == explored_by["signature"], record["file"]
