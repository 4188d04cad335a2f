"""The run journal (OUT/journal.jsonl): one JSON line per finished cell, fsynced as it lands.

A run killed with SIGKILL (or by the OOM killer) keeps every cell it finished; `oracle run
--resume` reads the journal and re-runs only the cells that are missing or whose
fingerprint (case file, framework version, device, interpreter) changed. A torn last line
(the process died mid-write) is ignored. Later lines win over earlier ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

JOURNAL = "journal.jsonl"
# the distribution whose version a column's cells depend on
DISTRIBUTION = {"reference": "jax", "jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}


@dataclass
class Journaled:
    """What a journal holds: each cell's fingerprint and outcome record, each column's environment."""

    cells: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)  # (case, column)
    environment: dict[str, dict[str, Any]] = field(default_factory=dict)


class Journal:
    """Append-only; each line is flushed and fsynced before the next cell is reported done."""

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        self.failed = ""  # why the journal stopped taking lines (a full disk mid-run); the run goes on in memory
        self._handle: IO[str] = open(path, "w" if fresh else "a", encoding="utf-8")
        if not fresh and path.stat().st_size:
            self._repair()

    def _repair(self) -> None:
        """End a torn last line, so the next record starts on a line of its own."""
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            torn = handle.read(1) != b"\n"
        if torn:
            self._append("")

    def cell(self, case_id: str, column: str, fingerprint: str, record: dict[str, Any]) -> None:
        self._append(json.dumps({"case": case_id, "column": column, "fingerprint": fingerprint, "outcome": record},
                                allow_nan=False))

    def environment(self, column: str, env: dict[str, Any]) -> None:
        self._append(json.dumps({"column": column, "environment": env}, allow_nan=False))

    def _append(self, line: str) -> None:
        if self.failed:
            return
        try:
            self._handle.write(line + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            self.failed = str(exc)

    def close(self) -> None:
        try:
            self._handle.close()
        except OSError as exc:
            self.failed = self.failed or str(exc)


def read_journal(path: Path) -> Journaled:
    """Every complete line of the journal; a torn or foreign line is skipped."""
    out = Journaled()
    with open(path, "rb") as handle:
        for raw in handle:
            try:
                line = json.loads(raw)
            except ValueError:
                continue  # a line cut short by a kill
            if not isinstance(line, dict) or not isinstance(line.get("column"), str):
                continue
            if isinstance(line.get("environment"), dict):
                out.environment[line["column"]] = line["environment"]
            elif isinstance(line.get("case"), str) and isinstance(line.get("outcome"), dict):
                out.cells[(line["case"], line["column"])] = (str(line.get("fingerprint", "")), line["outcome"])
    return out


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_PROBE = ("import importlib.metadata as m, sys\n"
          "try:\n    v = m.version(sys.argv[1])\nexcept m.PackageNotFoundError:\n    v = ''\n"
          "print(sys.version.split()[0], v)")


def interpreter_versions(python: str, framework: str) -> str:
    """'3.11.9 0.4.38': the interpreter's and the framework's versions, without importing the framework."""
    try:
        done = subprocess.run([python, "-c", _PROBE, DISTRIBUTION.get(framework, framework)], capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown: {exc}"
    return done.stdout.strip() or f"unknown: exit {done.returncode}"


def fingerprint(file_digest: str, framework: str, device: str, python: str, versions: str) -> str:
    """What a cell's outcome depends on besides the oracle itself; a change means the cell runs again."""
    text = json.dumps([file_digest, framework, device, os.path.abspath(python), versions])
    return hashlib.sha256(text.encode()).hexdigest()[:16]
