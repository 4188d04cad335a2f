"""`make bench`, exploration part: explored scenarios per minute, per family, all columns and the reference.

One warm pool (one worker per column) serves every family, as `oracle explore` does. Per
family: Hypothesis draws the scenarios of each op, they run in batches through every column,
and each gets its signature; shrinking is left out (its cost is per class, not per example).
Workers are started before the clock runs; the first family pays the JAX compiles of the
shape pool, which is why it is run twice and the second pass is reported as warm.

Writes reports/bench-explore.json and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oracle.explore.classes import key, signature
from oracle.explore.pool import WarmPool
from oracle.explore.session import Memo, draw_scenarios, select_ops
from oracle.ops import FAMILIES
from oracle.results import parse_columns


def family_rate(pool: WarmPool, family: str, examples: int, seed: int) -> dict[str, Any]:
    ops = select_ops([], family)
    started = time.monotonic()
    count = 0
    for op in ops:
        memo = Memo(pool)
        drawn = draw_scenarios(op, examples, seed)
        memo.run(drawn)
        for scenario in drawn:
            signature(op, memo.rows[key(scenario)])
        count += len(drawn)
    seconds = time.monotonic() - started
    return {"ops": len(ops), "scenarios": count, "seconds": round(seconds, 2),
            "per_minute": round(count / seconds * 60) if seconds else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", default="elementwise,reduction,loss")
    parser.add_argument("--examples", type=int, default=100, help="scenarios per op")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--columns", default="reference,jax,torch,tensorflow")
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench-explore.json"))
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f in FAMILIES]
    started = time.monotonic()
    with WarmPool(parse_columns(args.columns, "cpu"), ROOT / "reports" / "bench-explore-logs") as pool:
        startup = time.monotonic() - started
        cold = {f: family_rate(pool, f, args.examples, args.seed) for f in families}
        warm = {f: family_rate(pool, f, args.examples, args.seed + 1) for f in families}
    result = {"platform": platform.platform(), "columns": args.columns, "examples_per_op": args.examples,
              "worker_startup_s": round(startup, 1), "cold": cold, "warm": warm}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"workers started in {startup:.1f} s ({args.columns})")
    for family in families:
        print(f"{family:>12}: {cold[family]['per_minute']:>6} scenarios/min cold, "
              f"{warm[family]['per_minute']:>6} warm ({warm[family]['scenarios']} scenarios, "
              f"{warm[family]['ops']} ops)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
