"""`make bench`: the oracle against the floor and the naive way, all measured in this one run.

0. a warm-up `oracle run` (untimed): JAX's persistent compilation cache, which the oracle's
   workers use, is filled, and the floor and naive loops below use the same cache, so every
   timed run starts from the same warm cache and the floor is a lower bound.
1. oracle_s: an `oracle run` of every case in cases/ through every column (CPU), fresh workers.
2. floor_s: one process per framework, started together, each running every case through
   its adapter in a plain loop (bench/native_loop.py: no workers, protocol, diff or report);
   the slowest of them. The cases are loaded and planned once, untimed, before the loops
   start (the oracle loads and plans them inside its timed run), so the floor is less work
   than the oracle's in every respect but the compilation cache, which both share.
3. naive_s: one fresh interpreter per case per framework, one after another, as the seed
   documents' snippets are run; on a sample of cases (every framework), scaled to the suite.
4. marginal cost of one more case: from a second cold oracle run of one case, and per
   column from the floor loops.

Writes reports/bench.json and prints the figures. The machine may be shared: the figures
hold relative to each other because they are taken in one run, back to back.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oracle.cases import case_files, load_cases
from oracle.runner import FRAMEWORKS, compile_cache_env

sys.path.insert(0, str(ROOT / "bench"))
from native_loop import write_planned

PY = sys.executable
# the compilation cache as the runner gives it to the oracle's workers (a cache folder the user set wins)
ENV = {**compile_cache_env(), **os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def oracle_run(paths: list[str], out: Path) -> tuple[float, dict[str, Any]]:
    elapsed, _ = timed([PY, "-m", "oracle.cli", "run", *paths, "--out", str(out)])
    return elapsed, json.loads((out / "results.json").read_text())


def floor(requests: Path) -> tuple[float, dict[str, dict[str, Any]]]:
    """Every framework's plain loop over the planned `requests`, started together; the slowest one's wall time."""
    start = time.perf_counter()
    command = [PY, "bench/native_loop.py", "--requests", str(requests), "--framework"]
    procs = {f: subprocess.Popen([*command, f], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True) for f in FRAMEWORKS}
    outputs, walls = {}, {}

    def wait(f: str) -> None:  # one thread each, so each framework's own end time is seen
        outputs[f] = procs[f].communicate()[0]
        walls[f] = time.perf_counter() - start

    threads = [threading.Thread(target=wait, args=(f,)) for f in procs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loops = {}
    for f, proc in procs.items():
        if proc.returncode != 0:
            raise SystemExit(f"native loop for {f} failed ({proc.returncode})")
        loops[f] = {**json.loads(outputs[f].strip().splitlines()[-1]), "wall_s": walls[f]}
    return max(walls.values()), loops


def naive(files: list[Path], sample: int) -> tuple[float, int, dict[str, float]]:
    """A fresh interpreter per (case, framework), one after another, on `sample` cases spread over the suite."""
    step = max(1, len(files) // sample)
    chosen = files[::step][:sample]
    per_framework: dict[str, float] = {}
    for f in FRAMEWORKS:
        per_framework[f] = sum(timed([PY, "bench/native_loop.py", "--framework", f, str(p)])[0] for p in chosen)
    measured = sum(per_framework.values())
    return measured * len(files) / len(chosen), len(chosen), per_framework


def column_seconds(results: dict[str, Any]) -> dict[str, float]:
    """Mean in-worker time per case for each column of an oracle run."""
    out = {}
    for column in results["environment"]:
        cells = [case["columns"][column]["elapsed_s"] for case in results["cases"]]
        out[column] = sum(cells) / len(cells)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="cases")
    parser.add_argument("--naive-sample", type=int, default=4, help="cases run the naive way (default 4)")
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench.json"))
    args = parser.parse_args()
    files = case_files([args.cases])
    n = len(load_cases([args.cases]))
    scratch = Path(tempfile.mkdtemp(prefix="oracle-bench-"))
    load = os.getloadavg()[0]

    print(f"{n} cases x {len(FRAMEWORKS)} columns, {os.cpu_count()} CPUs, load average {load:.1f} at start")
    warm_s, _ = oracle_run([args.cases], scratch / "warm-up")
    print(f"warm-up  {warm_s:7.1f} s  untimed pass: fills the compilation cache every run below uses")
    oracle_s, results = oracle_run([args.cases], scratch / "all")
    print(f"oracle   {oracle_s:7.1f} s  `oracle run` of every case and column, warm cache")
    planned = scratch / "planned.jsonl"
    plan_start = time.perf_counter()
    write_planned([args.cases], planned)
    plan_s = time.perf_counter() - plan_start
    print(f"planning {plan_s:7.1f} s  untimed: every case loaded and planned once for the floor's loops")
    floor_s, loops = floor(planned)
    print(f"floor    {floor_s:7.1f} s  one plain loop per framework, concurrent; the slowest: "
          f"{max(loops, key=lambda f: loops[f]['wall_s'])}")
    naive_s, sampled, naive_by = naive(files, args.naive_sample)
    print(f"naive    {naive_s:7.1f} s  a fresh interpreter per case per framework "
          f"(measured on {sampled} of {n} cases, {sum(naive_by.values()):.1f} s, scaled x{n / sampled:.1f})")
    one_s, _ = oracle_run([str(files[0])], scratch / "one")
    marginal = (oracle_s - one_s) / (n - 1)
    print(f"marginal {marginal:7.2f} s  per case, all columns (oracle of {n} cases vs of 1 case: {one_s:.1f} s)")
    in_worker = column_seconds(results)
    per_column = {f: {"oracle_in_worker_s": in_worker[f], "floor_loop_s": loops[f]["loop_s"] / loops[f]["cases"],
                      "import_s": loops[f]["import_s"]} for f in FRAMEWORKS}
    for f, row in per_column.items():
        print(f"  {f:<11} per case: {row['oracle_in_worker_s']:.3f} s in the oracle's worker, "
              f"{row['floor_loop_s']:.3f} s in the plain loop; import {row['import_s']:.1f} s")
    figures = {
        "warm_up_s": warm_s, "floor_planning_s": plan_s, "oracle_s": oracle_s, "floor_s": floor_s, "naive_s": naive_s,
        "ratio_to_floor": oracle_s / floor_s, "speedup_vs_naive": naive_s / oracle_s,
        "marginal_per_case_s": marginal, "oracle_one_case_s": one_s, "per_column": per_column,
        "floor_loops": loops, "naive_sample_cases": sampled, "naive_measured_s": sum(naive_by.values()),
        "naive_by_framework_s": naive_by, "cases": n, "columns": list(FRAMEWORKS),
        "cpus": os.cpu_count(), "load_average_at_start": load, "load_average_at_end": os.getloadavg()[0],
        "platform": platform.platform(), "python": platform.python_version(),
        "versions": {name: env["version"] for name, env in results["environment"].items()},
    }
    print(f"oracle/floor {figures['ratio_to_floor']:.2f} (target <= 1.1)")
    print(f"naive/oracle {figures['speedup_vs_naive']:.1f}x (target >= 50)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(figures, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
