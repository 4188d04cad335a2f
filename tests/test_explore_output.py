"""Where `oracle explore` writes: outside the checkout's cases by default, never over a changed file unless told."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from oracle.cli import build_parser
from oracle.explore.pool import WarmPool
from oracle.explore.session import explore
from oracle.results import parse_columns

ROOT = Path(__file__).resolve().parent.parent


def test_the_default_output_is_ignored_by_git() -> None:
    args = build_parser().parse_args(["explore", "mse_loss"])
    file = Path(args.out) / "mse_loss" / "some-class.yaml"
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", str(file)], check=False)
    assert ignored.returncode == 0, f"{file} would show in `git status`"
    assert build_parser().parse_args(["atlas"]).folder == args.out  # atlas reads where explore writes


def test_a_changed_case_file_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "explored"
    with WarmPool(parse_columns("reference,jax,torch", "cpu"), tmp_path / "logs") as pool:
        [first] = explore(["mse_loss"], pool, 12, 0, out, [], budget=30)
        assert first.classes and all(c.file for c in first.classes)
        path = out / first.classes[0].file  # type: ignore[operator]
        written = path.read_text()
        path.write_text(written.replace("examples: 12", "examples: 200"))  # as a committed, curated case
        [again] = explore(["mse_loss"], pool, 12, 0, out, [], budget=30)
        assert "examples: 200" in path.read_text() and again.classes[0].kept
        [forced] = explore(["mse_loss"], pool, 12, 0, out, [], budget=30, force=True)
        assert path.read_text() == written and not forced.classes[0].kept
    entry = json.loads((out / "mse_loss" / "atlas.json").read_text())
    for found in entry["classes"]:  # readable: the op, the columns, what differs; no hash
        assert found["name"].startswith("mse_loss: ") and not re.search(r"\b[0-9a-f]{6}\b", found["name"])
        assert any(column in found["name"] for column in ("jax", "torch"))
