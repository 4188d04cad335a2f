"""`oracle verify`: every recorded cell re-executed as the report's native snippet (issue 22 item 3).

For each framework column of a run, the snippet the report shows for each case (oracle/snippets.py,
generated again from the registry: the copy a results document carries is never run) is written to a folder
and run by one fresh interpreter per framework (`python -m oracle.snippet_runner`), each snippet as a
module of its own. Its status, exception class, warning categories and named values are compared
with the recorded cell: the same status, the same error type, the same warnings, the same shape and
dtype, values within the diff's tolerance for that dtype.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from oracle.diff import compare_arrays, tolerance
from oracle.model import CaseRecord, ColumnOutcome, ResultsDocument
from oracle.outcome import Tensor
from oracle.runner import compile_cache_env
from oracle.snippets import FRAMEWORKS, Snippet, snippet_or_reason
from oracle.stats import stats_tolerance

ROOT = Path(__file__).resolve().parent.parent
RUNNER_TIMEOUT_S = 1200  # one interpreter runs every snippet of one framework


@dataclass
class Verification:
    """What `oracle verify` found over one run."""

    reproduced: list[str] = field(default_factory=list)  # `case:column`
    mismatched: dict[str, list[str]] = field(default_factory=dict)  # `case:column` -> what differs
    without: Counter[str] = field(default_factory=Counter)  # why a cell has no snippet -> count

    @property
    def ok(self) -> bool:
        return not self.mismatched

    @property
    def cells(self) -> int:
        """Framework cells of the run (the reference has no snippet: it is the oracle's own code)."""
        return len(self.reproduced) + len(self.mismatched) + sum(self.without.values())

    def summary(self) -> str:
        reasons = "; ".join(f"{n} {why}" for why, n in self.without.most_common())
        return (f"{len(self.reproduced)} of {len(self.reproduced) + len(self.mismatched)} cells with a snippet "
                f"reproduced; {sum(self.without.values())} of {self.cells} cells without a snippet"
                + (f" ({reasons})" if reasons else ""))


def cells_with_snippets(results: ResultsDocument, column: str, framework: str,
                        verification: Verification | None = None) -> list[tuple[CaseRecord, Snippet]]:
    """The cases whose `column` ran natively (ok or error) and have a snippet; the others counted by reason."""
    found = []
    for case in results["cases"]:
        outcome = case["columns"].get(column)
        if outcome is None:
            continue
        if outcome["status"] not in ("ok", "error"):
            reason = f"{outcome['status']} in this column: no call to reproduce"
        else:
            made = snippet_or_reason(case, framework, column)
            if isinstance(made, Snippet):
                found.append((case, made))
                continue
            reason = made
        if verification is not None:
            verification.without[reason] += 1
    return found


def run_snippets(cells: list[tuple[CaseRecord, Snippet]], folder: Path) -> dict[str, dict[str, Any]]:
    """Every snippet run in one fresh interpreter; per case id: status, error, warnings, present names, arrays."""
    for case, snippet in cells:
        (folder / f"{case['id']}.py").write_text(snippet.code)
        (folder / f"{case['id']}.names.json").write_text(json.dumps(snippet.names))
    # the JAX compilation cache the oracle's workers filled: the snippets' eager ops compile once per machine
    env = {**os.environ, **compile_cache_env(), "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-m", "oracle.snippet_runner", str(folder)], env=env, capture_output=True,
                          text=True, timeout=RUNNER_TIMEOUT_S, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the snippet runner failed: {done.stderr[-3000:]}")
    found = {}
    for case, _ in cells:
        result = json.loads((folder / f"{case['id']}.result.json").read_text())
        with np.load(folder / f"{case['id']}.npz") as arrays:
            result["arrays"] = {name: arrays[f"a{i}"] for i, name in enumerate(result["order"])}
        found[case["id"]] = result
    return found


def mismatches(recorded: ColumnOutcome, got: dict[str, Any]) -> list[str]:
    """How a snippet's outcome differs from the recorded cell ([] when it reproduces it)."""
    problems = []
    notes = recorded.get("notes") or {}
    if got["status"] != recorded["status"]:
        return [f"status {got['status']} ({got['error']}) vs recorded {recorded['status']}"]
    if recorded["error"] and got["error"]["type"] != recorded["error"]["type"]:
        problems.append(f"raised {got['error']['type']} vs recorded {recorded['error']['type']}")
    if got["warnings"] != sorted({w["category"] for w in recorded["warnings"]}):
        problems.append(f"warned {got['warnings']} vs recorded {recorded['warnings']}")
    for name, tensor in recorded["outputs"].items():
        if recorded["status"] == "error" and name not in got["present"]:
            continue  # the snippet stops at the exception; the oracle may have kept a forward value
        if tensor["shape"] is None:
            if name not in got.get("none", []):
                problems.append(f"{name} is None in the record but not in the snippet")
            continue
        if name not in got["arrays"]:
            problems.append(f"{name} missing from the snippet")
            continue
        want = Tensor.from_results(tensor).values
        assert want is not None
        value = got["arrays"][name]
        if value.dtype.kind == "V" and str(want.dtype) == "bfloat16":  # .npz stores bfloat16 as raw 2-byte voids
            value = value.view(want.dtype)
        if value.shape != want.shape or str(value.dtype) != str(want.dtype):
            problems.append(f"{name}: {value.shape} {value.dtype} vs recorded {want.shape} {want.dtype}")
        # a statistic of a sample: within the gap oracle/stats.py allows two draws of one distribution (a
        # sampler seeded per call, as tf.random ops are, draws anew when the process has drawn before)
        elif compare_arrays(value, want, *(stats_tolerance(name, notes, notes)
                                           or tolerance(str(value.dtype), str(want.dtype)))):
            problems.append(f"{name}: values differ from the record")
    return problems


def native_columns(results: ResultsDocument) -> dict[str, str]:
    """Column -> framework, for the framework columns a snippet can reproduce: not the reference, and on the CPU
    (a snippet runs where it is run; a GPU column's device is not written into it)."""
    return {name: env["framework"] for name, env in results["environment"].items()
            if env["framework"] in FRAMEWORKS and env.get("available") and env.get("device", "cpu") == "cpu"}


def verify(results: ResultsDocument, columns: list[str] | None = None) -> Verification:
    """Every framework cell of `results` (or of `columns`) re-executed as its snippet and compared."""
    verification = Verification()
    for column, framework in native_columns(results).items():
        if columns and column not in columns:
            continue
        cells = cells_with_snippets(results, column, framework, verification)
        if not cells:
            continue
        with tempfile.TemporaryDirectory(prefix=f"oracle-verify-{framework}-") as tmp:
            found = run_snippets(cells, Path(tmp))
        for case, _ in cells:
            problems = mismatches(case["columns"][column], found[case["id"]])
            key = f"{case['id']}:{column}"
            if problems:
                verification.mismatched[key] = problems
            else:
                verification.reproduced.append(key)
    return verification
