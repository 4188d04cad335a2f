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
from collections.abc import Mapping
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
        self.cells = 0  # cell lines this journal took (fsynced); what a resume after a failure keeps of this run
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

    def cell(self, case_id: str, column: str, fingerprint: str, record: Mapping[str, Any]) -> None:
        if self._append(json.dumps({"case": case_id, "column": column, "fingerprint": fingerprint, "outcome": record},
                                   allow_nan=False)):
            self.cells += 1

    def environment(self, column: str, env: Mapping[str, Any]) -> None:
        self._append(json.dumps({"column": column, "environment": env}, allow_nan=False))

    def _append(self, line: str) -> bool:
        """Whether the line is on disk (flushed and fsynced)."""
        if self.failed:
            return False
        try:
            self._handle.write(line + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            self.failed = str(exc)
            return False
        return True

    def close(self) -> None:
        try:
            self._handle.close()
        except OSError as exc:
            self.failed = self.failed or str(exc)


def read_journal(path: Path) -> Journaled:
    """Every complete, well-formed line of the journal; a torn, foreign or corrupt line is skipped (its cell runs
    again). InputError (one line) when the journal is not a regular file."""
    from oracle.safeio import MAX_JOURNAL_LINE_BYTES, InputError, open_regular

    out = Journaled()
    try:
        handle = open_regular(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the journal: {exc.strerror or exc}") from None
    with handle:
        while raw := handle.readline(MAX_JOURNAL_LINE_BYTES + 1):
            if len(raw) > MAX_JOURNAL_LINE_BYTES:  # not a line this oracle writes: skip to its end
                while raw and not raw.endswith(b"\n"):
                    raw = handle.readline(MAX_JOURNAL_LINE_BYTES)
                continue
            _take(raw, out)
    return out


def _take(raw: bytes, out: Journaled) -> None:
    from oracle.outcome import STATUSES

    try:
        line = json.loads(raw)
    except (ValueError, RecursionError):
        return  # a line cut short by a kill
    if not isinstance(line, dict) or not isinstance(line.get("column"), str):
        return
    if isinstance(line.get("environment"), dict):
        env = line["environment"]
        if all(k in _ENV_TYPES and isinstance(v, _ENV_TYPES[k]) for k, v in env.items()):
            out.environment[line["column"]] = env
    elif isinstance(line.get("case"), str) and isinstance(line.get("outcome"), dict):
        if line["outcome"].get("status") not in STATUSES:
            return  # a status this oracle never writes: the cell runs again (resumable drops unreadable fields)
        out.cells[(line["case"], line["column"])] = (str(line.get("fingerprint", "")), line["outcome"])


# what an environment line holds (oracle.results _env_json); another key or type is a line this oracle did not write
_ENV_TYPES = {"framework": str, "device": str, "python": str, "version": str, "settings": dict, "available": bool,
              "reason": str}


def file_digest(path: Path) -> str:
    """SHA-256 of a regular file, read in chunks; OSError for anything else (a device would never end)."""
    from oracle.safeio import open_regular

    digest = hashlib.sha256()
    with open_regular(path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
