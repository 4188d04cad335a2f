"""One framework, no oracle: import its adapter and run cases in a plain loop, in this process.

    python bench/native_loop.py --framework torch [CASE_FILES_OR_FOLDERS...]
    python bench/native_loop.py --framework torch --requests PLANNED.jsonl

Prints one JSON line: import and loop times. Used by bench/bench.py for the naive way (case
files: one case per fresh interpreter, loaded and planned there as a script would) and for the
floor (--requests: the cases planned once by bench.py, in the protocol's wire form, read before
the clock starts, so each loop times only the import and the adapter's runs: less work than the
oracle's worker does, which also reads each request from a pipe and answers on one).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def planned(path: str) -> list[Any]:
    """Requests written by write_planned, one wire request per line."""
    from oracle.protocol import request_from_wire

    with open(path, encoding="utf-8") as lines:
        return [request_from_wire(json.loads(line)) for line in lines]


def write_planned(paths: list[str], out: Path) -> int:
    """Every case under `paths` planned as `oracle run` plans it (oracle.plan), in wire form; how many."""
    from oracle.cases import load_cases
    from oracle.plan import plan
    from oracle.protocol import request_to_wire

    cases = load_cases(paths)
    out.write_text("".join(json.dumps(request_to_wire(plan(case))) + "\n" for case in cases), encoding="utf-8")
    return len(cases)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", required=True)
    parser.add_argument("--requests", help="planned requests (JSON lines) instead of case files")
    parser.add_argument("paths", nargs="*", default=["cases"])
    args = parser.parse_args()
    requests = planned(args.requests) if args.requests else None
    start = time.perf_counter()
    adapter = importlib.import_module(f"adapters.{args.framework}").load("cpu")
    imported = time.perf_counter()

    if requests is None:
        from oracle.cases import load_cases
        from oracle.plan import plan

        requests = [plan(case) for case in load_cases(args.paths)]
    statuses = [adapter.run(request).status for request in requests]
    done = time.perf_counter()
    print(json.dumps({"framework": args.framework, "import_s": imported - start, "loop_s": done - imported,
                      "cases": len(statuses), "ok_or_error": sum(s in ("ok", "error") for s in statuses)}))


if __name__ == "__main__":
    main()
