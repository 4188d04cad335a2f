"""Run cases through columns, diff them, and build the results document (results.json).

The schema of results.json is documented in the README ("Results contract").
"""

from __future__ import annotations

import json
import platform
import threading
from pathlib import Path
from typing import Any, Callable, cast

import numpy as np

from oracle.cases import InputSpec, LoadedCase
from oracle.files import write_atomic
from oracle.inputs import spelled
from oracle.journal import Journal, Journaled, file_digest, fingerprint, interpreter_versions
from oracle.model import CaseRecord, ColumnOutcome, Environment, InputRecord, ResultsDocument, VerdictRecord
from oracle.outcome import Outcome
from oracle.plan import make_input, plan
from oracle.provenance import provenance
from oracle.results_check import ResultsError, check_document
from oracle.runner import Column, ColumnEnv, run_all
from oracle.safeio import MAX_RESULTS_BYTES, InputError, read_bounded
from oracle.snippets import snippets
from oracle.verdicts import diff_case

RESULTS_VERSION = 1
RETRIED = ("crash", "timeout")  # statuses `--resume` runs again


def parse_columns(spec: str, device: str) -> list[Column]:
    """'reference,jax,torch' x 'cpu' -> columns; several devices give 'torch:gpu'-style names."""
    from oracle.runner import FRAMEWORKS

    devices = [d.strip() for d in device.split(",")]
    frameworks = [f.strip() for f in spec.split(",")]
    if not all(frameworks) or len(set(frameworks)) != len(frameworks) or not all(devices) \
            or len(set(devices)) != len(devices):
        raise ValueError(f"--columns {spec!r} --device {device!r}: give each column and device once, comma-separated, "
                         f"none empty; columns: {', '.join(FRAMEWORKS)}; devices: cpu, gpu")
    for name in frameworks:
        if name not in FRAMEWORKS:
            raise ValueError(f"unknown column {name!r}; columns: {', '.join(FRAMEWORKS)}")
    for d in devices:
        if d not in ("cpu", "gpu"):
            raise ValueError(f"unknown device {d!r}; devices: cpu, gpu")
    if len(devices) == 1:
        return [Column(f, f, devices[0]) for f in frameworks]
    # the judge's semantics do not depend on a device: one reference, on the CPU, judges every device's columns
    judge = [Column("reference", "reference", "cpu")] if "reference" in frameworks else []
    return judge + [Column(f"{f}:{d}", f, d) for d in devices for f in frameworks if f != "reference"]


def fingerprints(cases: list[LoadedCase], columns: list[Column]) -> dict[tuple[str, str], str]:
    """Each cell's fingerprint: case file content, framework version, device, interpreter (oracle.journal)."""
    versions = {c.name: interpreter_versions(c.python, c.framework) for c in columns}
    digests = {c.id: file_digest(c.path) for c in cases}
    return {(case.id, c.name): fingerprint(digests[case.id], c.framework, c.device, c.python, versions[c.name])
            for case in cases for c in columns}


def resumable(journaled: Journaled, prints: dict[tuple[str, str], str]) -> tuple[dict[tuple[str, str], Outcome], int]:
    """The journal's cells still valid for this run, and how many are stale (their fingerprint changed).

    Crashed and timed-out cells are not kept: they say nothing about the framework (a worker killed
    from outside, a loaded machine), so resuming a run tries them again."""
    kept, stale = {}, 0
    for cell, (mark, record) in journaled.cells.items():
        if cell not in prints or record.get("status") in RETRIED:
            continue
        if mark != prints[cell]:
            stale += 1
            continue
        try:
            kept[cell] = Outcome.from_results(record)
        except (KeyError, TypeError, ValueError, AttributeError):
            stale += 1  # a record this oracle cannot read: run the cell again
    return kept, stale


def execute(cases: list[LoadedCase], columns: list[Column], log_dir: Path,
            on_outcome: Callable[[str, str, Outcome], None] = lambda *_: None,
            previous: Journaled | None = None, stop: threading.Event | None = None,
            journal: Journal | None = None, cells: set[tuple[str, str]] | None = None,
            prints: dict[tuple[str, str], str] | None = None) -> ResultsDocument:
    """Run every case through every column and diff them; returns the results document.

    `cells` ((case id, column name) pairs), when given, limits the run to those cells: the
    pytest plugin runs only the items selected; the others are listed in `missing`.

    `previous` (the journal of an interrupted run) supplies cells whose fingerprint still
    matches; they are not run again. `prints` are the cells' fingerprints when the caller has them
    (computed here otherwise, where a journal or `previous` needs them). Each answered cell goes to
    `journal` as it lands. If the run is interrupted (Ctrl-C sets `stop`), the document holds the
    cells answered so far and says `"complete": false`.
    """
    stop = stop or threading.Event()
    names = [c.name for c in columns]
    outcomes: dict[str, dict[str, Outcome]] = {c.id: {} for c in cases}
    if prints is None:
        prints = fingerprints(cases, columns) if journal is not None or previous is not None else {}
    kept_envs: dict[str, ColumnEnv] = {}
    if previous is not None:  # a resumed run appends to the journal `previous` was read from: it holds these
        kept, _ = resumable(previous, prints)
        for (case_id, name), outcome in kept.items():
            if case_id in outcomes:  # `previous` may answer cases this run does not hold (the pytest plugin's)
                outcomes[case_id][name] = outcome
        kept_envs = {name: _env(e) for name, e in previous.environment.items() if name in names}

    def collect(column: str, case_id: str, outcome: Outcome) -> None:
        if journal is not None:
            journal.cell(case_id, column, prints[(case_id, column)], outcome.to_results())
        outcomes[case_id][column] = outcome
        on_outcome(column, case_id, outcome)

    def env_seen(column: str, env: ColumnEnv) -> None:
        if journal is not None:
            journal.environment(column, _env_json(env))

    def wanted(case_id: str, name: str) -> bool:
        return name not in outcomes[case_id] and (cells is None or (case_id, name) in cells)

    requests = {c.id: plan(c) for c in cases if any(wanted(c.id, n) for n in names)}
    todo = {n: [r for cid, r in requests.items() if wanted(cid, n)] for n in names}
    envs = run_all(columns, todo, collect, log_dir, stop, env_seen)
    envs = {n: envs[n] if todo[n] or n not in kept_envs else kept_envs[n] for n in names}
    ordered = {cid: {n: by[n] for n in names if n in by} for cid, by in outcomes.items()}
    results = build(cases, ordered, envs, complete=not stop.is_set())
    # an optional block (older documents lack it, and still load): what a citation of these results needs
    results["provenance"] = provenance(results["environment"], [str(c.path) for c in cases],
                                       {c.name: c.python for c in columns})
    return results


def _env(journaled: dict[str, Any]) -> ColumnEnv:
    """A journaled environment line as a ColumnEnv (read_journal checked its keys and types); one without
    framework or device gets them empty instead of raising TypeError."""
    return ColumnEnv(**{"framework": "", "device": "", **journaled})


def _env_json(e: ColumnEnv) -> Environment:
    return {"framework": e.framework, "version": e.version, "device": e.device, "python": e.python,
            "settings": e.settings, "available": e.available, "reason": e.reason}


def missing_cells(results: ResultsDocument) -> int:
    return sum(len(columns) for columns in results["missing"].values())


def build(cases: list[LoadedCase], outcomes: dict[str, dict[str, Outcome]],
          envs: dict[str, ColumnEnv], complete: bool = True) -> ResultsDocument:
    """The results document; a case missing some columns (an interrupted run) is listed in `missing`.

    Each case record carries the reproduction snippets the report shows (oracle/snippets.py writes them
    from the registry and the recorded cells), so that a report is built from the document alone."""
    missing = {c.id: [n for n in envs if n not in outcomes[c.id]] for c in cases}
    records: list[CaseRecord] = []
    for loaded in cases:
        case = loaded.case
        if not outcomes[case.id]:
            continue  # nothing answered yet (interrupted run): only in `missing`
        tol = case.tolerance
        override = (tol.rtol, tol.atol) if tol else (None, None)
        verdicts, followed, summary = diff_case(outcomes[case.id], override)
        request_inputs = {name: _input_record(spec) for name, spec in case.inputs.items()}
        record: CaseRecord = {
            "id": case.id, "case": loaded.base_id, "variant": loaded.variant, "title": case.title,
            "description": case.description, "tags": case.tags,
            "file": str(loaded.path), "file_sha256": _digest_or_empty(loaded.path),
            "source": case.source.model_dump() if case.source else None,
            "require": case.require.model_dump(exclude_none=True) if case.require else None,
            "steps": case.steps, "grad": case.grad.model_dump() if case.grad else None,
            "inputs": request_inputs,
            "training": ({"model": case.model.model_dump(exclude_none=True), "optimizer": case.optimizer.model_dump(),
                          "train": case.train.model_dump()} if case.model and case.optimizer and case.train else None),
            "columns": {name: cast(ColumnOutcome, o.to_results()) for name, o in outcomes[case.id].items()},
            "semantics": followed, "summary": summary,
            "verdicts": [cast(VerdictRecord, v.to_json()) for v in verdicts],
            "contrast": contrast(case.contrast_with, outcomes[case.id], outcomes.get(case.contrast_with or "")),
        }
        if case.isolate:  # the snippets cannot show it: one script
            record["isolate"] = case.isolate
        if case.custom_gradient:
            record["custom_gradient"] = {k: v.model_dump() for k, v in case.custom_gradient.items()}
        record["snippets"] = {name: s.code for name, s in snippets(record).items()}
        records.append(record)
    environment = {name: _env_json(e) for name, e in envs.items()}
    return {"results_version": RESULTS_VERSION, "platform": platform.platform(),
            "complete": complete and not any(missing.values()),
            "missing": {cid: names for cid, names in missing.items() if names},
            "environment": environment, "cases": records}


def _input_record(spec: InputSpec) -> InputRecord:
    """An input as the plan builds it; explicit values travel, for the snippets."""
    if spec.literal is not None:  # a literal: each column built it; its dtype is in the notes
        record: InputRecord = {"literal": spelled(spec.literal), "dtype": spec.literal_dtype, "init": "literal"}
    else:
        record = {"shape": spec.shape if spec.shape is not None else list(make_input(spec).shape), "dtype": spec.dtype,
                  "init": spec.init.model_dump(exclude_none=True) if spec.init else "values"}
        if spec.values is not None:
            record["values"] = spelled(spec.values)
    if not spec.track:
        record["track"] = False
    return record


def _digest_or_empty(path: Path) -> str:
    try:
        return file_digest(path)
    except OSError:
        return ""


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


def write_results(path: Path, results: ResultsDocument) -> None:
    write_atomic(path, json.dumps(results, indent=1, allow_nan=False) + "\n")


_REQUIRED = {"results_version": int, "complete": bool, "missing": dict, "environment": dict, "cases": list}
_CASE_KEYS = ("id", "title", "columns", "verdicts", "inputs", "summary")


def load_results(path: Path) -> ResultsDocument:
    """Read and check a results document; raises ResultsError with one line saying what is wrong."""
    try:
        raw = read_bounded(path, MAX_RESULTS_BYTES)
    except InputError as exc:
        raise ResultsError(str(exc)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResultsError(f"{path}: not a results file (not UTF-8 text)") from None
    except RecursionError:
        raise ResultsError(f"{path}: nested too deep to be a results file") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}); truncated?") from None
    if not isinstance(data, dict) or "results_version" not in data:
        raise ResultsError(f"{path}: not an oracle results file (no results_version)")
    if data["results_version"] != RESULTS_VERSION:
        raise ResultsError(f"{path}: results_version {data['results_version']!r} is not supported "
                           f"(this oracle reads version {RESULTS_VERSION})")
    for key, kind in _REQUIRED.items():
        if not isinstance(data.get(key), kind):
            raise ResultsError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    for i, case in enumerate(data["cases"]):
        if not isinstance(case, dict) or any(k not in case for k in _CASE_KEYS) \
                or not isinstance(case["columns"], dict):
            raise ResultsError(f"{path}: cases[{i}] is not a case record")
    try:
        check_document(data)
    except ResultsError as exc:
        raise ResultsError(f"{path}: {exc}") from None
    return cast(ResultsDocument, data)  # checked field by field above
