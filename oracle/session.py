"""One run of cases through columns, the steps every entry point shares: load, plan, lock, journal,
execute, write. `oracle run` (and snapshot, check, diff-versions) and the pytest plugin call these;
what each prints, and the exit code it makes of the outcome, stay with the caller.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable

from oracle.cases import LoadedCase, load_cases
from oracle.files import write_atomic
from oracle.journal import JOURNAL, Journal, Journaled, read_journal
from oracle.model import ResultsDocument
from oracle.outcome import Outcome
from oracle.report import render_markdown
from oracle.results import execute, fingerprints, resumable, write_results
from oracle.runner import Column

OnCell = Callable[[str, str, Outcome], None]  # execute's callback for each finished cell: (column, case id, outcome)


def load(paths: list[str]) -> list[LoadedCase]:
    """The cases under `paths` (default: cases/); CaseError names the file, line and field of a bad one."""
    return load_cases(paths or ["cases"])


def unwritable(out: Path, logs: bool = True) -> str:
    """Why `out` cannot take a run's files, or '' when it can (checked before any worker starts)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if logs:
            (out / "logs").mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".probe-") as probe:
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def lock(out: Path) -> IO[str] | str:
    """Hold OUT/.lock while the returned file stays open; a message naming the holder's pid if another run has it."""
    handle = open(out / ".lock", "a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        return f"{out} is in use by another oracle run (pid {holder}); wait for it or use another --out"
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@dataclass
class Resumed:
    """What a `--resume` found in OUT/journal.jsonl: the cells it keeps and how many it runs again."""

    previous: Journaled | None
    prints: dict[tuple[str, str], str]
    kept: int = 0
    stale: int = 0
    missing: bool = False  # --resume asked, and there is no journal yet


def resume(out: Path, cases: list[LoadedCase], columns: list[Column], wanted: bool) -> Resumed:
    """The journal's cells that still hold (same case file, framework version, device, interpreter)."""
    prints = fingerprints(cases, columns)
    path = out / JOURNAL
    if not wanted:
        return Resumed(None, prints)
    if not path.exists():
        return Resumed(None, prints, missing=True)
    previous = read_journal(path)
    cells, stale = resumable(previous, prints)
    return Resumed(previous, prints, len(cells), stale)


def run_journaled(cases: list[LoadedCase], columns: list[Column], out: Path, resumed: Resumed, on_cell: OnCell,
                  stop: threading.Event) -> tuple[ResultsDocument, Journal]:
    """Execute into OUT/logs, each finished cell journaled as it comes (the journal is closed on return)."""
    journal = Journal(out / JOURNAL, fresh=resumed.previous is None)
    try:
        results = execute(cases, columns, out / "logs", on_cell, previous=resumed.previous, stop=stop,
                          journal=journal, prints=resumed.prints)
    finally:
        journal.close()
    return results, journal


def write(out: Path, results: ResultsDocument) -> None:
    """OUT/results.json (every outcome) and OUT/report.md, each written atomically."""
    write_results(out / "results.json", results)
    write_atomic(out / "report.md", render_markdown(results))


def answered(runs: Iterable[tuple[dict[str, Any], set[tuple[str, str]]]]) -> Journaled | None:
    """The cells of earlier runs in this process, as `execute` takes them for `previous` (pytest's batches)."""
    runs = list(runs)
    if not runs:
        return None
    found = Journaled()
    for results, cells in runs:
        found.environment.update({n: e for n, e in results["environment"].items() if any(c == n for _, c in cells)})
        found.cells.update({(r["id"], n): ("", o) for r in results["cases"] for n, o in r["columns"].items()
                            if (r["id"], n) in cells})
    return found
