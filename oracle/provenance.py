"""Where a results document came from: date, tool version, git commit of the cases, platform, each column's stack.

A report is cited, and a citation needs to say what produced it. Package versions are read from installed
metadata (importlib.metadata in the column's interpreter), which imports no framework.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

TOOL = "dl-oracle"
# the packages a column's outcome depends on, per framework column (first found of a group of aliases)
STACKS: dict[str, tuple[tuple[str, ...], ...]] = {
    "reference": (("jax",), ("jaxlib",), ("numpy",)),
    "jax": (("jax",), ("jaxlib",), ("optax",), ("flax",), ("chex",), ("numpy",)),
    "torch": (("torch",), ("numpy",)),
    "tensorflow": (("tensorflow", "tensorflow-cpu"), ("keras",), ("numpy",)),
}
_PROBE = """
import importlib.metadata as m, json, sys
found = {}
for group in json.loads(sys.argv[1]):
    for name in group:
        try:
            found[name] = m.version(name); break
        except m.PackageNotFoundError:
            pass
print(json.dumps(found))
"""


def tool_version() -> str:
    try:
        return importlib.metadata.version(TOOL)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def stack_versions(framework: str, python: str = sys.executable) -> dict[str, str]:
    """{package: version} of the framework column's stack in that interpreter ({} when it cannot be asked)."""
    import json

    groups = STACKS.get(framework, ())
    if python in ("", sys.executable):
        found: dict[str, str] = {}
        for group in groups:
            for name in group:
                try:
                    found[name] = importlib.metadata.version(name)
                    break
                except importlib.metadata.PackageNotFoundError:
                    pass
        return found
    try:
        done = subprocess.run([python, "-c", _PROBE, json.dumps(groups)], capture_output=True, text=True,
                              timeout=60, check=False)
        return dict(json.loads(done.stdout)) if done.returncode == 0 else {}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}


def git_commit(folder: Path) -> str:
    """The commit checked out where the cases are, with '+dirty' when files differ from it; '' outside git."""
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=False)
        if head.returncode != 0:
            return ""
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def provenance(environment: dict[str, Any], case_files: list[str],
               interpreters: dict[str, str] | None = None) -> dict[str, Any]:
    """The provenance block of a results document (and of its reports); `interpreters`: column -> executable."""
    folders = sorted({str(Path(f).resolve().parent) for f in case_files})
    columns = {}
    for name, env in environment.items():
        columns[name] = {"framework": env.get("framework", ""), "version": env.get("version", ""),
                         "device": env.get("device", ""), "python": env.get("python", ""),
                         "packages": stack_versions(env.get("framework", ""),
                                                    (interpreters or {}).get(name, sys.executable)),
                         "settings": env.get("settings", {})}
    return {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool": TOOL, "tool_version": tool_version(),
            "cases_commit": git_commit(Path(folders[0])) if folders else "",
            "platform": platform.platform(), "python": platform.python_version(),
            "machine": platform.machine(), "columns": columns}

