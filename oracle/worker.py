"""Worker process: imports one framework's adapter and answers run requests (see protocol.py)."""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import json
import os
import platform
import sys
import traceback
from typing import IO, Any

from oracle.outcome import Outcome
from oracle.protocol import ColumnUnavailable, dumps, request_from_wire

# adapter module -> the top-level package whose absence makes the column unavailable
FRAMEWORK_PACKAGES = {"reference": "jax", "jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}


class _Hide(importlib.abc.MetaPathFinder):
    """ORACLE_HIDE_FRAMEWORKS=torch,... makes those imports fail as if not installed (tests only)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def _send(out: IO[str], message: dict[str, Any]) -> None:
    out.write(dumps(message))
    out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oracle-worker")
    parser.add_argument("--framework", required=True, choices=sorted(FRAMEWORK_PACKAGES))
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything a framework prints goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    hidden = {n for n in os.environ.get("ORACLE_HIDE_FRAMEWORKS", "").split(",") if n}
    if hidden:
        sys.meta_path.insert(0, _Hide(hidden))

    try:
        adapter = importlib.import_module(f"adapters.{args.framework}").load(args.device)
    except ModuleNotFoundError as exc:
        package = FRAMEWORK_PACKAGES[args.framework]
        if exc.name and exc.name.split(".")[0] != package:
            raise
        _send(protocol_out, {"type": "unavailable", "reason": f"{package} is not installed ({exc})"})
        return 0
    except ColumnUnavailable as exc:
        _send(protocol_out, {"type": "unavailable", "reason": str(exc)})
        return 0
    _send(protocol_out, {"type": "hello", "framework": adapter.framework, "version": adapter.version,
                         "device": adapter.device, "settings": adapter.settings,
                         "python": platform.python_version()})

    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "exit":
            break
        request = request_from_wire(message["request"])
        try:
            outcome = adapter.run(request)
        except Exception as exc:  # a bug in an adapter costs this cell, not the column
            traceback.print_exc()
            outcome = Outcome("crash", adapter.framework, adapter.version, adapter.device,
                              notes={"reason": f"adapter failed: {type(exc).__name__}: {exc}"[:400]})
        _send(protocol_out, {"type": "outcome", "case_id": request.case_id, "outcome": outcome.to_wire()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
