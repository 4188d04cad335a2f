"""The `oracle` command: run, list, validate, show, schema."""

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
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=errors, transient=True)
    with progress:
        task = progress.add_task(f"{len(cases)} cases x {len(columns)} columns", total=len(cases) * len(columns))
        results = execute(cases, columns, out / "logs",
                          lambda column, case_id, o: progress.update(task, advance=1,
                                                                     description=f"{column}: {case_id}"))
    write_results(out / "results.json", results)
    write_atomic(out / "report.md", render_markdown(results))
    _print_matrix(results)
    console.print(f"wrote {out / 'results.json'} and {out / 'report.md'}")
    return 0


ABBREVIATION = {"agree": "=", "silent_divergence": "silent", "error_kind_mismatch": "err-kind",
                "warning_only": "warn", "shape_mismatch": "shape", "dtype_mismatch": "dtype",
                "nan_inf_mismatch": "nan/inf", "value_mismatch": "values", "incomparable": "n/a",
                "hyperparameters_differ": "hparams"}


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
