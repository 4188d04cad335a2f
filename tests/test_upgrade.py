"""The upgrade report of diff-versions, from synthetic results documents (no second environment needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import numpy as np

from oracle.model import ResultsDocument
from oracle.outcome import ErrorInfo, Outcome, Tensor, WarningInfo
from oracle.upgrade import Accepted, attribute, compare, stack_label, to_markdown, write

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "tensorflow@2.20.0", "tensorflow@2.20.0#2"


def _ok(value: float, warned: bool = False) -> dict[str, Any]:
    return Outcome("ok", "tensorflow", outputs={"y": Tensor(np.array([value], dtype=np.float32))},
                   warnings=[WarningInfo("UserWarning", "w")] if warned else []).to_results()


def _raises(kind: str, base: str = "ValueError") -> dict[str, Any]:
    return Outcome("error", "tensorflow", error=ErrorInfo(kind, base, f"{kind} said so")).to_results()


def _absent() -> dict[str, Any]:
    return Outcome("crash", "tensorflow", notes={"reason": "binding error: keras.ops.fmax(x, y): module 'keras.ops' "
                                                           "has no attribute 'fmax' (not in this version of tensorflow)"}
                   ).to_results()


def results(old: dict[str, str], new: dict[str, str], cells: dict[str, tuple[dict[str, Any], dict[str, Any]]]
            ) -> dict[str, Any]:
    """A diff-versions results document: two version columns, each with its stack's package versions."""
    env = {"framework": "tensorflow", "available": True, "version": "2.20.0"}
    return {"results_version": 1, "kind": "diff-versions", "environment": {OLD: env, NEW: env},
            "provenance": {"columns": {OLD: {"packages": old}, NEW: {"packages": new}}},
            "cases": [{"id": case, "steps": ["y = f(x)"], "columns": {OLD: a, NEW: b}}
                      for case, (a, b) in cells.items()]}


KERAS_310 = {"tensorflow-cpu": "2.20.0", "keras": "3.10.0", "numpy": "2.4.6"}
KERAS_315 = {"tensorflow-cpu": "2.20.0", "keras": "3.15.1", "numpy": "2.4.6"}


def test_a_change_is_credited_to_the_one_package_whose_version_changed() -> None:
    assert attribute(KERAS_310, KERAS_315) == "keras"
    jax_old = {"jax": "0.4.38", "jaxlib": "0.4.38", "optax": "0.2.4", "flax": "0.10.2"}
    assert attribute(jax_old, {**jax_old, "optax": "0.2.8"}) == "optax"
    assert attribute(jax_old, {**jax_old, "jax": "0.10.2", "jaxlib": "0.10.2"}) == "jax + jaxlib"
    assert stack_label(KERAS_310, "tensorflow") == "tensorflow-cpu 2.20.0 + keras 3.10.0"
    doc = results(KERAS_310, KERAS_315, {"a": (_ok(1.0), _raises("ValueError"))})
    pair = compare(cast(ResultsDocument, doc), OLD, NEW, [])
    assert [(c.kind, c.cause) for c in pair.changes] == [("now raises", "keras")]
    assert pair.before_label.endswith("keras 3.10.0") and pair.after_label.endswith("keras 3.15.1")


def test_changes_are_grouped_collapsed_and_absent_apis_listed_apart() -> None:
    chex = "chex._src.asserts.AssertionError"
    doc = results(KERAS_310, KERAS_315, {
        **{f"shape-{i}": (_raises(chex, "AssertionError"), _raises("ValueError")) for i in range(3)},
        "now-raises": (_ok(1.0), _raises("ValueError")),
        "values": (_ok(1.0), _ok(2.0)),
        "warns": (_ok(1.0), _ok(1.0, warned=True)),
        "same": (_ok(1.0), _ok(1.0)),
        "fmax": (_absent(), _ok(1.0)),
    })
    pair = compare(cast(ResultsDocument, doc), OLD, NEW, [])
    kinds = {c.kind: c for c in pair.changes}
    assert set(kinds) == {"now raises", "error class changed", "values", "warning appeared"}
    assert kinds["error class changed"].cases == ["shape-0", "shape-1", "shape-2"]  # ten alike read as one entry
    assert [a["case"] for a in pair.absent] == ["fmax"] and pair.absent[0]["version"] == OLD
    md = to_markdown([pair])
    assert "x3" in md and "Not comparable: API absent in one version" in md
    assert md.index("### now raises") < md.index("### error class changed") < md.index("### values")


def test_accepted_changes_pass_and_stale_acceptances_are_reported(tmp_path: Path) -> None:
    doc = results(KERAS_310, KERAS_315, {"a": (_ok(1.0), _raises("ValueError")), "b": (_ok(1.0), _ok(3.0))})
    versions = f"{OLD} -> {NEW}"
    accepted = [Accepted(case="a", versions=versions, kind="now raises", reason="keras 3.15 checks shapes"),
                Accepted(case="c", versions=versions, kind="values", reason="fixed upstream")]
    pair = compare(cast(ResultsDocument, doc), OLD, NEW, accepted)
    assert [c.cases for c in pair.failing] == [["b"]]  # a is reviewed; b is not
    assert pair.gone == [{"case": "c", "kind": "values", "reason": "fixed upstream"}]
    written = write([pair], tmp_path)
    assert [p.name for p in written] == ["upgrade.json", "upgrade.md", "upgrade.html"]
    data = json.loads((tmp_path / "upgrade.json").read_text())
    assert data["pairs"][0]["changes"][0]["accepted"] == "keras 3.15 checks shapes"
    assert "<script>" not in (tmp_path / "upgrade.html").read_text()


def test_diff_versions_writes_the_upgrade_report_and_check_refuses_its_results(tmp_path: Path) -> None:
    """This interpreter twice (no second environment here): nothing changes, exit 0, the three files."""
    case = ROOT / "tests" / "data" / "cases" / "t-log-special.yaml"
    done = subprocess.run([sys.executable, "-m", "oracle.cli", "diff-versions", "--framework", "jax", "--python",
                           sys.executable, str(case), "--out", str(tmp_path), "--accepted", str(tmp_path / "none.yaml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RuntimeWarning" not in done.stderr
    assert {"upgrade.md", "upgrade.html", "upgrade.json"} <= {p.name for p in tmp_path.iterdir()}
    assert "0 of 1 cases changed" in done.stdout
    check = subprocess.run([sys.executable, "-m", "oracle.cli", "check", str(case), "--results",
                            str(tmp_path / "results.json")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert check.returncode == 2 and len(check.stderr.strip().splitlines()) == 1
