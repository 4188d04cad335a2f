"""One framework, no oracle: import its adapter and run cases in a plain loop, in this process.

    python bench/native_loop.py --framework torch [CASE_FILES_OR_FOLDERS...]

Prints one JSON line: import and loop times. Used by bench/bench.py for the floor (every
case, one process per framework) and for the naive way (one case per fresh interpreter).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", required=True)
    parser.add_argument("paths", nargs="*", default=["cases"])
    args = parser.parse_args()
    start = time.perf_counter()
    adapter = importlib.import_module(f"adapters.{args.framework}").load("cpu")
    imported = time.perf_counter()

    from oracle.cases import load_cases
    from oracle.plan import plan

    statuses = [adapter.run(plan(case)).status for case in load_cases(args.paths)]
    done = time.perf_counter()
    print(json.dumps({"framework": args.framework, "import_s": imported - start, "loop_s": done - imported,
                      "cases": len(statuses), "ok_or_error": sum(s in ("ok", "error") for s in statuses)}))


if __name__ == "__main__":
    main()
