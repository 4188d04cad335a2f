"""Issue 24 item 4: every input kind other than a case file, fuzzed like case files.

Hypothesis takes a valid document of each kind (a results.json, a baseline's case record and its
environment.json, an atlas.json, a versions config, journal lines) and damages it: a node
replaced by a value of another type, a key dropped or added, a string grown or filled with
control characters, the text truncated or padded with bytes. Each damaged document goes through
every command that reads it (`report`, `show`, `check`, `check --update`, `atlas`) or the reader
itself where the command would start workers (`diff-versions --config`, `run --resume`). The
answer is exit 0 or 1, or exit 2 with one line naming the file; never a traceback, and nothing
written outside the named folders. CI runs a derandomized set; `make fuzz` runs many more.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from processes import DATA
from test_hostile_inputs import CASE_ID, _code, _results, _snapshot, _write

from oracle.journal import read_journal
from oracle.versions import load_config

EXAMPLES = max(1, int(os.environ.get("ORACLE_FUZZ_EXAMPLES", 600)) // 6)  # per document kind
CASE = str(DATA / f"{CASE_ID}.yaml")
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                    st.sampled_from(["", "..", "../../x", "/etc/passwd", "\x1b]0;pwned\x07", "\u202e", "nan",
                                     "float99", "ok", "error", "crash", "reference", "jax", "a" * 5000]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON tree, the root included."""
    found = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*at, i))
    return found


@st.composite
def damaged(draw: st.DrawFn, document: Any) -> bytes:
    """`document` (JSON-like) with one to three damages, as the bytes of a file."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        at = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["replace", "drop", "add", "grow"]))
        if not at:
            doc = draw(VALUES) if how == "replace" else doc
            continue
        parent = doc
        for key in at[:-1]:
            parent = parent[key]
        last = at[-1]
        if how == "replace":
            parent[last] = draw(VALUES)
        elif how == "drop":
            del parent[last]
        elif how == "add" and isinstance(parent[last], dict):
            parent[last][draw(st.text(max_size=12))] = draw(VALUES)
        elif how == "grow" and isinstance(parent[last], str):
            parent[last] = parent[last] * draw(st.integers(2, 50)) + draw(st.sampled_from(["\x00", "\x1b[2J", ""]))
    text = json.dumps(doc).encode()
    tail = draw(st.sampled_from(["none", "truncate", "bytes"]))
    if tail == "truncate":
        text = text[:draw(st.integers(0, max(0, len(text) - 1)))]
    elif tail == "bytes":
        text += draw(st.binary(min_size=1, max_size=16))
    return text


def _answered(code: int, err: str, path: Path) -> None:
    """The contract: exit 0/1, or exit 2 with one line that names the damaged file; never a traceback."""
    assert "Traceback" not in err, err
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert err.startswith("error:") and err.count("\n") == 1, err


def _fuzz(tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, name: str,
          commands: Callable[[Path], list[list[str]]]) -> dict[str, int]:
    tally = {"documents": 0, "refused": 0}

    @SETTINGS
    @given(damaged(document))
    def run(text: bytes) -> None:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text)
        tally["documents"] += 1
        for argv in commands(path):
            capsys.readouterr()
            code = _code(argv)
            _answered(code, capsys.readouterr().err, path)
            tally["refused"] += code == 2

    run()
    outside = sorted(p.name for p in tmp_path.parent.iterdir() if p.name.startswith(("ESCAPED", "pwned")))
    assert not outside, f"written outside the named folders: {outside}"
    return tally


def test_damaged_results_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, _results(), "good.json")
    base = _snapshot(tmp_path, good)
    commands = lambda path: [  # noqa: E731
        ["report", "--results", str(path), "--out", str(tmp_path / "r")],
        ["show", CASE_ID, "--results", str(path)],
        ["check", CASE, "--results", str(path), "--against", str(base)],
        ["check", CASE, "--results", str(path), "--against", str(tmp_path / "fresh-base"), "--update"]]
    tally = _fuzz(tmp_path, capsys, _results(), "fuzz/results.json", commands)
    print(f"results.json: {tally}")
    assert tally["refused"] > 0  # the damages reach the readers


def test_damaged_baselines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, _results(), "good.json")
    base = _snapshot(tmp_path, good)
    stored = json.loads((base / "cases" / f"{CASE_ID}.json").read_text())
    environment = json.loads((base / "environment.json").read_text())
    check = lambda _: [["check", CASE, "--results", str(good), "--against", str(base)]]  # noqa: E731
    case = _fuzz(tmp_path, capsys, stored, f"base/cases/{CASE_ID}.json", check)
    (base / "cases" / f"{CASE_ID}.json").write_text(json.dumps(stored))
    env = _fuzz(tmp_path, capsys, environment, "base/environment.json", check)
    print(f"baseline case record: {case}; environment.json: {env}")
    assert case["refused"] > 0 and env["refused"] > 0


def test_damaged_atlases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # as `oracle explore mse_loss --examples 30 --seed 1 --columns reference,jax,torch` wrote it (summaries cut)
    atlas = {"op": "mse_loss", "family": "loss", "seed": 1, "examples": 30, "departures": {"jax": 9, "torch": 12},
             "classes": [{"slug": "mse-loss-jax-shape-6034b8", "name": "mse_loss: jax returns another shape",
                          "count": 9, "signature": {"op": "mse_loss",
                                                    "columns": {"reference": "ok", "jax": "ok", "torch": "ok"},
                                                    "against_reference": {"jax": "shape_mismatch",
                                                                          "torch": "agree (strict)"}},
                          "summary": "jax computed, but out has shape [1] in jax vs [] in reference",
                          "file": "mse_loss/mse-loss-jax-shape-6034b8.yaml", "known": None}]}
    capsys.readouterr()
    (tmp_path / "good" / "mse_loss").mkdir(parents=True)
    (tmp_path / "good" / "mse_loss" / "atlas.json").write_text(json.dumps(atlas))
    assert _code(["atlas", str(tmp_path / "good")]) == 0  # the undamaged atlas renders
    tally = _fuzz(tmp_path, capsys, atlas, "atlas/mse_loss/atlas.json",
                  lambda _: [["atlas", str(tmp_path / "atlas")],
                             ["atlas", str(tmp_path / "atlas"), "--out", str(tmp_path / "atlas.md")]])
    print(f"atlas.json: {tally}")
    assert tally["refused"] < 2 * tally["documents"]  # some damages leave a renderable atlas


def test_damaged_versions_configs_and_journals(tmp_path: Path) -> None:
    """Readers called directly: the commands behind them start workers (the CLI turns ValueError into exit 2)."""
    config = {"framework": "jax", "pythons": [".venv-jax-0.4.38/bin/python"]}
    line = {"case": CASE_ID, "column": "jax", "fingerprint": "f", "outcome": _results()["cases"][0]["columns"]["jax"]}
    path = tmp_path / "doc"
    tally = {"configs refused": 0, "journal lines kept": 0}

    @SETTINGS
    @given(damaged(config), st.booleans())
    def read_config(text: bytes, as_yaml: bool) -> None:
        path.write_bytes(yaml.safe_dump(json.loads(text)).encode() if as_yaml and _is_json(text) else text)
        try:
            load_config(path)
        except ValueError as exc:
            tally["configs refused"] += 1
            assert str(exc).startswith(str(path)) or str(path) in str(exc), exc

    @SETTINGS
    @given(st.lists(damaged(line), min_size=1, max_size=4))
    def read_lines(lines: list[bytes]) -> None:
        path.write_bytes(b"\n".join(lines) + b"\n")
        kept = read_journal(path)  # corrupt, foreign or torn lines are skipped, never believed
        tally["journal lines kept"] += len(kept.cells)
        for (_case, _column), (_fingerprint, record) in kept.cells.items():
            assert record["status"] in ("ok", "error", "unsupported", "unavailable", "crash", "timeout",
                                        "resource_exhausted"), record

    read_config()
    read_lines()
    print(f"versions configs and journals: {tally}")
    assert tally["configs refused"] > 0


def _is_json(text: bytes) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
