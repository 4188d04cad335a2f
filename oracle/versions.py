"""Columns bound to other interpreters, so two versions of one framework run side by side.

A column's name carries its version (`jax@0.10.2`). The version is read from the
interpreter's installed package metadata, which imports no framework, so naming the
columns costs a fraction of a second; the worker reports the version it actually imported
and `check_names` holds the two against each other.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from oracle.baseline import Override, changes
from oracle.model import ResultsDocument
from oracle.outcome import Outcome
from oracle.runner import FRAMEWORKS, Column
from oracle.safeio import MAX_CONFIG_BYTES, InputError, read_text_bounded

# framework column -> distributions that provide it, first found wins
DISTRIBUTIONS = {"reference": ("jax",), "jax": ("jax",), "torch": ("torch",),
                 "tensorflow": ("tensorflow", "tensorflow-cpu")}
_PROBE = """
import importlib.metadata as m, sys
for name in sys.argv[1:]:
    try:
        print(m.version(name)); break
    except m.PackageNotFoundError:
        pass
"""


class InterpreterError(ValueError):
    """An interpreter that cannot be started at all: its column cannot run (diff-versions exits 4)."""


def installed_version(python: str, framework: str) -> str:
    """The framework's version in that interpreter ('' when not installed there)."""
    try:
        done = subprocess.run([python, "-c", _PROBE, *DISTRIBUTIONS[framework]], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InterpreterError(f"cannot run {python}: {getattr(exc, 'strerror', None) or exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise ValueError(f"cannot run {python}: {last}")
    return done.stdout.strip()


def version_columns(framework: str, pythons: list[str], device: str = "cpu") -> list[Column]:
    """One column per interpreter, named `framework@version`, oldest version first; no interpreters: this one."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; frameworks: {', '.join(FRAMEWORKS)}")
    columns: list[Column] = []
    for python in pythons or [sys.executable]:
        version = installed_version(python, framework)
        if not version:
            raise ValueError(f"{framework} is not installed in {python}")
        name = f"{framework}@{version}"
        if any(c.name == name for c in columns):  # the same version twice: tell the interpreters apart
            name = f"{name}#{len(columns) + 1}"
        columns.append(Column(name, framework, device, python))
    return sorted(columns, key=lambda c: _release(c.name))  # oldest first: changes read as an upgrade


def _release(name: str) -> tuple[int, ...]:
    """'jax@0.4.38' -> (0, 4, 38); enough order for release numbers, pre-release tags aside."""
    return tuple(int(n) for n in re.findall(r"\d+", name.split("@", 1)[1].split("+")[0]))


def check_names(environment: dict[str, Any]) -> list[str]:
    """Columns whose name says one version while the worker imported another."""
    wrong = []
    for name, env in environment.items():
        if "@" in name and env.get("available"):
            said = name.split("@", 1)[1].split("#")[0]
            if not str(env["version"]).startswith(said):
                wrong.append(f"{name} imported {env['framework']} {env['version']}")
    return wrong


class VersionsConfig(BaseModel):
    """A versions file (YAML): which framework, and the other interpreters that have other versions of it."""

    model_config = ConfigDict(extra="forbid")
    framework: Literal["reference", "jax", "torch", "tensorflow"] = "jax"
    pythons: list[str]  # interpreters; a relative path is taken from the current folder, as on the command line


def load_config(path: Path) -> VersionsConfig:
    try:
        config = VersionsConfig.model_validate(yaml.safe_load(read_text_bounded(path, MAX_CONFIG_BYTES)))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{path}: {'.'.join(map(str, first['loc'])) or 'file'}: {first['msg']}") from None
    except InputError as exc:
        raise ValueError(str(exc)) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ValueError(f"{path}: not YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    return config


@dataclass(frozen=True)
class VersionChange:
    case: str
    kind: str
    explanation: str


def compare_columns(results: ResultsDocument, before: str, after: str,
                    tolerances: dict[str, Override] | None = None) -> list[VersionChange]:
    """Every case where column `after` does something other than column `before`, as a baseline check says it."""
    found = []
    for record in results["cases"]:
        kind, clauses = changes(Outcome.from_results(record["columns"][before]),
                                Outcome.from_results(record["columns"][after]),
                                (tolerances or {}).get(record["id"], (None, None)), (before, after))
        if clauses:
            found.append(VersionChange(record["id"], kind, "; ".join(clauses)))
    return found


def drift(results: ResultsDocument, before: str, after: str) -> tuple[int, int, float]:
    """Outputs both columns computed that are not bit-identical (within tolerance or not): (count, of, the
    largest absolute difference over elements finite in both; NaN/Inf patterns are `check`'s to list)."""
    count = total = 0
    largest = 0.0
    for record in results["cases"]:
        a, b = (Outcome.from_results(record["columns"][c]) for c in (before, after))
        for name in a.outputs.keys() & b.outputs.keys():
            x, y = a.outputs[name].values, b.outputs[name].values
            if x is None or y is None or x.shape != y.shape or x.dtype != y.dtype:
                continue
            total += 1
            if x.tobytes() != y.tobytes():
                count += 1
                x64, y64 = x.astype(np.float64), y.astype(np.float64)
                finite = np.isfinite(x64) & np.isfinite(y64)
                if finite.any():  # only finite elements are subtracted: inf - inf would warn on stderr
                    largest = max(largest, float(np.abs(x64[finite] - y64[finite]).max()))
    return count, total, largest
