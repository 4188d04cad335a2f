"""The `oracle` command: run, list, validate, show, schema; snapshot, check, diff-versions (baselines)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oracle.cases import CaseError, load_cases
from oracle.report import render_markdown
from oracle.report.markdown import summarize, verdict_against_reference
from oracle.results import execute, load_results, parse_columns, write_atomic, write_results
from oracle.runner import FRAMEWORKS

DEFAULT_OUT = Path("reports/latest")
STYLE = {"agree": "green", "warning_only": "yellow", "silent_divergence": "bold red", "incomparable": "dim"}

console = Console(width=None if sys.stdout.isatty() else 150)  # pipes and CI logs get a wide table
errors = Console(stderr=True, soft_wrap=True)  # one message per line, never wrapped


def _load(paths: list[str]) -> list[Any]:
    try:
        return load_cases(paths or ["cases"])
    except CaseError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise SystemExit(2) from None


def cmd_run(args: argparse.Namespace) -> int:
    cases = _load(args.paths)
    try:
        columns = parse_columns(args.columns, args.device)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        return 2
    out = Path(args.out)
    results = _execute(cases, columns, out)
    _print_matrix(results)
    console.print(f"wrote {out / 'results.json'} and {out / 'report.md'}")
    return 0


def _execute(cases: list[Any], columns: list[Any], out: Path) -> dict[str, Any]:
    """Run with a progress bar; write results.json and report.md into `out`."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=errors, transient=True)
    with progress:
        task = progress.add_task(f"{len(cases)} cases x {len(columns)} columns", total=len(cases) * len(columns))
        results = execute(cases, columns, out / "logs",
                          lambda column, case_id, o: progress.update(task, advance=1,
                                                                     description=f"{column}: {case_id}"))
    write_results(out / "results.json", results)
    write_atomic(out / "report.md", render_markdown(results))
    return results


ABBREVIATION = {"agree": "=", "silent_divergence": "silent", "error_kind_mismatch": "err-kind",
                "warning_only": "warn", "shape_mismatch": "shape", "dtype_mismatch": "dtype",
                "nan_inf_mismatch": "nan/inf", "value_mismatch": "values", "incomparable": "n/a"}


def _status(o: dict[str, Any]) -> str:
    text = o["status"] if o["status"] != "error" else o["error"]["base"]
    return text + ("+w" if o["warnings"] else "")


def _print_matrix(results: dict[str, Any]) -> None:
    columns = [c for c in results["environment"] if c != "reference"]
    table = Table(title="status (+w: warned) and verdict against the reference", title_justify="left")
    table.add_column("case", overflow="fold")
    table.add_column("reference")
    for column in columns:
        table.add_column(column)
    for case in results["cases"]:
        cells = []
        for column in columns:
            kind = verdict_against_reference(case, column) or ""
            cells.append(f"[{STYLE.get(kind, 'magenta')}]{_status(case['columns'][column])} "
                         f"{ABBREVIATION.get(kind, '')}[/]")
        table.add_row(case["id"], _status(case["columns"]["reference"]) if "reference" in case["columns"] else "-",
                      *cells)
    console.print(table)
    console.print("= agrees; silent: one raised, the other computed; err-kind: different exceptions; "
                  "values/shape/dtype/nan/inf: first difference found; n/a: not comparable", style="dim")
    for name, env in results["environment"].items():
        if not env["available"]:
            console.print(f"[dim]{name} unavailable: {env['reason']}[/dim]")


def cmd_list(args: argparse.Namespace) -> int:
    table = Table("id", "title", "source", "file")
    for loaded in _load(args.paths):
        case = loaded.case
        source = f"{case.source.doc} #{case.source.example}" if case.source else ""
        table.add_row(case.id, case.title, source, str(loaded.path))
    console.print(table)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    cases = _load(args.paths)
    console.print(f"{len(cases)} case files are valid")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from oracle.cases import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out:
        write_atomic(Path(args.out), text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    path = Path(args.results)
    record = None
    if path.exists():
        record = next((c for c in load_results(path)["cases"] if c["id"] == args.case_id), None)
    if record is None:
        loaded = [c for c in _load(args.paths) if c.id == args.case_id]
        if not loaded:
            errors.print(f"[red]error:[/red] no case with id {args.case_id!r} (see `oracle list`)")
            return 2
        errors.print(f"{args.case_id} is not in {path}; running it now")
        record = execute(loaded, parse_columns(",".join(FRAMEWORKS), "cpu"), path.parent / "logs")["cases"][0]
    console.rule(f"{record['id']}: {record['title']}")
    console.print(Path(record["file"]).read_text(encoding="utf-8") if Path(record["file"]).exists() else "",
                  highlight=False, markup=False)
    table = Table("column", "status", "error / warnings", "outputs", "native API")
    for name, o in record["columns"].items():
        problems = [f"{o['error']['type']}: {o['error']['message']}"] if o.get("error") else []
        problems += [f"{w['category']}: {w['message']}" for w in o["warnings"]]
        problems += [str(o["notes"][k]) for k in ("reason", "unsupported") if k in o["notes"]]
        outputs = "\n".join(f"{n}: {summarize(t)}" for n, t in o["outputs"].items())
        table.add_row(name, o["status"], "\n".join(problems), outputs, "\n".join(o["native_api"]))
    console.print(table)
    console.print(f"[bold]In one line:[/bold] {record['summary']}", highlight=False)
    for v in record["verdicts"]:
        style = STYLE.get(v["kind"], "magenta")
        console.print(f"[{style}]{' vs '.join(v['columns'])}: {v['kind']}[/] {v['explanation']}", highlight=False)
    return 0


def _columns(args: argparse.Namespace) -> list[Any]:
    try:
        return parse_columns(args.columns, args.device)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise SystemExit(2) from None


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def cmd_snapshot(args: argparse.Namespace) -> int:
    from oracle.baseline import write_snapshot

    results = _execute(_load(args.paths), _columns(args), Path(args.run_out))
    written = write_snapshot(results, Path(args.out))
    _say(f"wrote {len(written) - 1} case baselines and {written[0]}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from oracle.baseline import BaselineError, check, format_report, load_baseline, write_snapshot

    cases = _load(args.paths)
    try:
        baseline = load_baseline(Path(args.against))
    except BaselineError as exc:
        if not args.update:
            errors.print(f"[red]error:[/red] {exc}", highlight=False)
            return 2
        baseline = None
    if args.results:
        results = load_results(Path(args.results))
    else:
        results = _execute(cases, _columns(args), Path(args.run_out))
    report = check(results, baseline, cases) if baseline is not None else None
    for line in format_report(report, args.verbose) if report else []:
        _say(line)
    if args.update:
        written = write_snapshot(results, Path(args.against))
        _say(f"updated: wrote {len(written) - 1} case baselines and {written[0]}")
        return 0
    assert report is not None
    return report.exit_code


def cmd_diff_versions(args: argparse.Namespace) -> int:
    from oracle.baseline import overrides
    from oracle.versions import check_names, compare_columns, drift, load_config, version_columns

    cases = _load(args.paths)
    try:
        config = load_config(Path(args.config)) if args.config else None
        framework = args.framework or (config.framework if config else "jax")
        pythons = [sys.executable, *(config.pythons if config else []), *args.python]
        columns = version_columns(framework, pythons, args.device)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        return 2
    _say("columns: " + ", ".join(f"{c.name} ({c.python})" for c in columns))
    results = _execute(cases, columns, Path(args.out))
    for line in check_names(results["environment"]):
        _say(f"warning: {line}")
    first = columns[0].name
    for other in columns[1:]:
        found = compare_columns(results, first, other.name, overrides(cases))
        _say(f"{first} -> {other.name}: {len(found)} of {len(cases)} cases differ")
        for change in found:
            _say(f"  {change.case}: {change.kind}: {change.explanation}")
        count, total, largest = drift(results, first, other.name)
        _say(f"  bits: {count} of {total} outputs both computed are not bit-identical (max abs difference "
             f"{largest:.3g}); those beyond tolerance are listed above")
    _say(f"wrote {Path(args.out) / 'results.json'} and {Path(args.out) / 'report.md'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oracle", description="Cross-framework oracle for deep-learning semantics")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run cases through every column, diff, write results and report")
    run.add_argument("paths", nargs="*", help="case files or folders (default: cases)")
    run.add_argument("--columns", default=",".join(FRAMEWORKS), help="comma-separated (default: all)")
    run.add_argument("--device", default="cpu", help="cpu, gpu, or cpu,gpu for a column per device")
    run.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: reports/latest)")
    run.set_defaults(func=cmd_run)
    for name, func, text in (("list", cmd_list, "list cases"), ("validate", cmd_validate, "validate case files")):
        p = sub.add_parser(name, help=text)
        p.add_argument("paths", nargs="*")
        p.set_defaults(func=func)
    show = sub.add_parser("show", help="a case, each column's outcome, the verdicts")
    show.add_argument("case_id")
    show.add_argument("--results", default=str(DEFAULT_OUT / "results.json"))
    show.add_argument("--paths", nargs="*", default=["cases"])
    show.set_defaults(func=cmd_show)
    schema = sub.add_parser("schema", help="print the JSON Schema of case files")
    schema.add_argument("--out", help="write to this file instead")
    schema.set_defaults(func=cmd_schema)
    _add_baseline_commands(sub)
    return parser


def _add_baseline_commands(sub: Any) -> None:
    snapshot = sub.add_parser("snapshot", help="run the cases and record every column's outcomes as a baseline")
    check = sub.add_parser("check", help="run the cases and list semantic changes against a baseline (exit 1 on one)")
    for p, out in ((snapshot, "reports/snapshot"), (check, "reports/check")):
        p.add_argument("paths", nargs="*", help="case files or folders (default: cases)")
        p.add_argument("--columns", default=",".join(FRAMEWORKS), help="comma-separated (default: all)")
        p.add_argument("--device", default="cpu", help="cpu, gpu, or cpu,gpu")
        p.add_argument("--run-out", default=out, help=f"where the run's results and logs go (default: {out})")
    snapshot.add_argument("--out", default="baselines", help="baseline folder (default: baselines)")
    snapshot.set_defaults(func=cmd_snapshot)
    check.add_argument("--against", default="baselines", help="baseline folder (default: baselines)")
    check.add_argument("--results", help="check this results.json instead of running the cases")
    check.add_argument("--update", action="store_true", help="rewrite the baseline with this run's outcomes")
    check.add_argument("-v", "--verbose", action="store_true", help="also list unchanged and expected items")
    check.set_defaults(func=cmd_check)
    versions = sub.add_parser("diff-versions", help="one framework in this and other interpreters: what changed")
    versions.add_argument("--framework", choices=FRAMEWORKS, help="(default: the config's, or jax)")
    versions.add_argument("--config", metavar="FILE", help="YAML: {framework: jax, pythons: [PATH, ...]}")
    versions.add_argument("--python", action="append", default=[], metavar="PATH",
                          help="another interpreter with another version installed (repeatable)")
    versions.add_argument("paths", nargs="*", help="case files or folders (default: cases)")
    versions.add_argument("--device", default="cpu")
    versions.add_argument("--out", default="reports/versions", help="output folder (default: reports/versions)")
    versions.set_defaults(func=cmd_diff_versions)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
