"""`oracle explore`: its arguments and what it prints. Heavy imports happen when it runs."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

DEFAULT_OUT = "reports/explore"  # outside the cases: `git status` stays clean; copy a case into cases/ to keep it


def _positive(text: str) -> int:
    """--examples: a count of scenarios; 0 or fewer would explore nothing and write an empty atlas."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_parser(sub: Any) -> None:
    p = sub.add_parser("explore", help="generate scenarios per op, shrink each divergence class to a case file")
    p.add_argument("ops", nargs="*", help="ops to explore (default: every op, or those of --family)")
    p.add_argument("--family", help="every op of this family (loss or losses, reduction, elementwise, ...)")
    p.add_argument("--examples", type=_positive, default=100, help="scenarios per op (default: 100)")
    p.add_argument("--seed", type=int, default=0, help="Hypothesis seed: one seed writes the same files")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"where the minimal cases go (default: {DEFAULT_OUT})")
    p.add_argument("--columns", default="reference,jax,torch,tensorflow", help="comma-separated (default: all)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--cases", default="cases", help="classes already in a case file here are not written again")
    p.add_argument("--force", action="store_true", help="replace a minimal case file that exists with other content")
    p.add_argument("--shrink-budget", type=int, default=120, help="new examples per class while shrinking")
    p.add_argument("--no-compile-cache", action="store_true", help="turn JAX's persistent compilation cache off")
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="local worker processes (default), or Ray actors: RAY_ADDRESS joins a cluster, else a local one")
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    from oracle.explore.pool import Pool, WarmPool
    from oracle.explore.session import OpReport, explore, select_ops
    from oracle.results import parse_columns

    if args.no_compile_cache:
        os.environ["ORACLE_COMPILE_CACHE"] = "off"  # read by the runner when it starts workers
    try:
        ops = select_ops(args.ops, args.family)
        columns = parse_columns(args.columns, args.device)
    except ValueError as exc:
        print(f"error: {exc}")
        return 2
    out = Path(args.out)

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from oracle.explore.classes import readable

    console = Console()
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    task = bar.add_task("exploring", total=len(ops))
    totals = {"examples": 0, "classes": 0}

    def starting(op: str) -> None:
        bar.update(task, description=f"{op}: drawing {args.examples} examples ({totals['examples']} examples, "
                                     f"{totals['classes']} classes so far)")

    def progress(report: OpReport) -> None:
        totals["examples"] += report.examples
        totals["classes"] += len(report.classes)
        bar.advance(task)
        rate = report.examples / report.seconds * 60 if report.seconds else 0.0
        console.print(escape(f"{report.op}: {report.examples} examples, {len(report.classes)} classes, "
                             f"{report.seconds:.1f} s ({rate:.0f} examples/min with shrinking)"), highlight=False)
        for found in report.classes:
            where = f"already in {found.known}" if found.known else str(out / (found.file or ""))
            if found.kept:
                where += " (exists with other content: kept; --force replaces it)"
            console.print(escape(f"  {found.count:4d}  {readable(found.signature)}  -> {where}"), highlight=False)

    started = time.monotonic()
    logs = Path("reports/explore/logs").resolve()
    if args.executor == "ray":
        from oracle.explore.ray_pool import RayPool

        pool: Pool = RayPool(columns, logs)
    else:
        pool = WarmPool(columns, logs)
    try:
        with bar:
            reports = explore(ops, pool, args.examples, args.seed, out, [Path(args.cases)], args.shrink_budget,
                              progress, args.force, starting)
    finally:
        pool.close()
    total = sum(len(r.classes) for r in reports)
    print(f"{len(reports)} ops, {total} classes in {time.monotonic() - started:.0f} s; `oracle atlas {out}` shows them")
    return 0
