"""Run cases through columns, diff them, and build the results document (results.json).

The schema of results.json is documented in the README ("Results contract").
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from oracle.cases import LoadedCase
from oracle.diff import diff_case
from oracle.outcome import Outcome
from oracle.plan import make_input, plan
from oracle.runner import Column, ColumnEnv, run_all

RESULTS_VERSION = 1


def parse_columns(spec: str, device: str) -> list[Column]:
    """'reference,jax,torch' x 'cpu' -> columns; several devices give 'torch:gpu'-style names."""
    from oracle.runner import FRAMEWORKS

    devices = [d.strip() for d in device.split(",") if d.strip()]
    frameworks = [f.strip() for f in spec.split(",") if f.strip()]
    for name in frameworks:
        if name not in FRAMEWORKS:
            raise ValueError(f"unknown column {name!r}; columns: {', '.join(FRAMEWORKS)}")
    for d in devices:
        if d not in ("cpu", "gpu"):
            raise ValueError(f"unknown device {d!r}; devices: cpu, gpu")
    if len(devices) == 1:
        return [Column(f, f, devices[0]) for f in frameworks]
    return [Column(f"{f}:{d}", f, d) for d in devices for f in frameworks]


def execute(cases: list[LoadedCase], columns: list[Column], log_dir: Path,
            on_outcome: Callable[[str, str, Outcome], None] = lambda *_: None) -> dict[str, Any]:
    """Run every case through every column and diff them; returns the results document."""
    outcomes: dict[str, dict[str, Outcome]] = {c.id: {} for c in cases}

    def collect(column: str, case_id: str, outcome: Outcome) -> None:
        outcomes[case_id][column] = outcome
        on_outcome(column, case_id, outcome)

    envs = run_all(columns, [plan(c) for c in cases], collect, log_dir)
    order = [c.name for c in columns]
    return build(cases, {cid: {n: by[n] for n in order} for cid, by in outcomes.items()}, envs)


def build(cases: list[LoadedCase], outcomes: dict[str, dict[str, Outcome]],
          envs: dict[str, ColumnEnv]) -> dict[str, Any]:
    records = []
    for loaded in cases:
        case = loaded.case
        tol = case.tolerance
        override = (tol.rtol, tol.atol) if tol else (None, None)
        verdicts, followed, summary = diff_case(outcomes[case.id], override)
        request_inputs = {name: {"shape": spec.shape if spec.shape is not None else list(make_input(spec).shape), "dtype": spec.dtype,
                                 "init": spec.init.model_dump(exclude_none=True) if spec.init else "values"}
                          for name, spec in case.inputs.items()}
        records.append({
            "id": case.id, "title": case.title, "description": case.description, "tags": case.tags,
            "file": str(loaded.path), "source": case.source.model_dump() if case.source else None,
            "steps": case.steps, "grad": case.grad.model_dump() if case.grad else None,
            "inputs": request_inputs,
            "training": ({"model": case.model.model_dump(exclude_none=True), "optimizer": case.optimizer.model_dump(),
                          "train": case.train.model_dump()} if case.model and case.optimizer and case.train else None),
            "columns": {name: o.to_results() for name, o in outcomes[case.id].items()},
            "semantics": followed, "summary": summary,
            "verdicts": [v.to_json() for v in verdicts],
            "contrast": contrast(case.contrast_with, outcomes[case.id], outcomes.get(case.contrast_with or "")),
        })
    environment = {name: {"framework": e.framework, "version": e.version, "device": e.device, "python": e.python,
                          "settings": e.settings, "available": e.available, "reason": e.reason}
                   for name, e in envs.items()}
    return {"results_version": RESULTS_VERSION, "platform": platform.platform(),
            "environment": environment, "cases": records}


def contrast(other_id: str | None, mine: dict[str, Outcome], other: dict[str, Outcome] | None,
             ) -> dict[str, Any] | None:
    """How far this training case drifts from `other_id` in each column: last loss and parameters."""
    if other_id is None or other is None:
        return None
    columns: dict[str, Any] = {}
    for name, outcome in mine.items():
        theirs = other.get(name)
        if theirs is None or outcome.status != "ok" or theirs.status != "ok":
            continue
        drift: dict[str, Any] = {}
        for output, tensor in outcome.outputs.items():
            twin = theirs.outputs.get(output)
            if tensor.values is None or twin is None or twin.values is None or tensor.shape != twin.shape:
                continue
            gap = float(np.max(np.abs(tensor.values.astype(np.float64) - twin.values.astype(np.float64))))
            if output == "loss_trajectory":
                drift["loss_last"] = [float(tensor.values[-1]), float(twin.values[-1])]
            elif output.startswith("param."):
                drift[f"{output}_max_abs_diff"] = gap
        columns[name] = drift
    return {"case": other_id, "columns": columns}


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_results(path: Path, results: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(results, indent=1, allow_nan=False) + "\n")


def load_results(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
