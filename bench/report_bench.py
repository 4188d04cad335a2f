"""`make bench`, report part: a case of many steps (issue 24: 20,000 steps took minutes to render).

Writes one case of STEPS chained `multiply` steps, runs it through the reference and JAX
(`oracle run`, which writes report.md), then times `oracle report` (Markdown, HTML, plots) on
its results. Rendering is linear in the steps; the figures show whether it stays so.

Writes reports/bench-report.json and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORACLE = [sys.executable, "-m", "oracle.cli"]


def case_text(steps: int) -> str:
    lines = ["id: many-steps", "title: a chain of many steps", "inputs:",
             "  x: {dtype: float32, values: [1.0, 2.0]}", "steps:"]
    previous = "x"
    for i in range(steps):
        lines.append(f"  - y{i} = multiply({previous}, 1.0)")
        previous = f"y{i}"
    return "\n".join(lines) + "\n"


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(ORACLE + args, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"oracle {args[0]} exited {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    steps = parser.parse_args().steps
    with tempfile.TemporaryDirectory() as tmp:
        cases, out = Path(tmp, "cases"), Path(tmp, "out")
        cases.mkdir()
        (cases / "many-steps.yaml").write_text(case_text(steps))
        run_s = timed(["run", str(cases), "--out", str(out), "--columns", "reference,jax"])
        report_s = timed(["report", "--results", str(out / "results.json"), "--out", str(out)])
        size = (out / "report.md").stat().st_size
    figures = {"steps": steps, "run_s": round(run_s, 1), "report_s": round(report_s, 1), "report_md_bytes": size}
    Path(ROOT, "reports").mkdir(exist_ok=True)
    Path(ROOT, "reports", "bench-report.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"a case of {steps:,} steps, reference and jax: oracle run {run_s:.1f} s (report.md {size / 1e6:.1f} MB "
          f"included); oracle report (Markdown, HTML, plots) {report_s:.1f} s")


if __name__ == "__main__":
    main()
