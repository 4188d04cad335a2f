"""The `oracle` command: run, list, validate, show, report, explain, schema; snapshot, check, diff-versions."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from oracle import session
from oracle.cases import CaseError
from oracle.judgement import summarize
from oracle.model import CaseRecord, ErrorRecord, ResultsDocument
from oracle.protocol import MEMORY_ENV
from oracle.report.terminal import STYLE, print_summary, progress
from oracle.results import (
    execute,
    load_results,
    missing_cells,
    parse_columns,
    write_atomic,
)
from oracle.runner import FRAMEWORKS
from oracle.safeio import InputError, printable

DEFAULT_OUT = Path("reports/latest")
console = Console(width=None if sys.stdout.isatty() else 100)  # pipes and CI logs: the width the tables are for
errors = Console(stderr=True, soft_wrap=True)  # one message per line, never wrapped


def _load(paths: list[str]) -> list[Any]:
    try:
        return session.load(paths)
    except CaseError as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
        raise SystemExit(2) from None


# The exit-code contract of `oracle run` (README: "Exit codes").
EXIT_OK = 0  # every cell ran (ok, error or unsupported: all are findings)
EXIT_USAGE = 2  # bad arguments, case files or results file
EXIT_CELLS_FAILED = 3  # some cells crashed, timed out or ran out of memory
EXIT_NOTHING_RAN = 4  # no cell could run: no cases, or every column unavailable or unable to start its worker
EXIT_OUTPUT = 5  # the output folder is unusable: not writable, locked by another run, or a write failed
EXIT_REQUIRE = 6  # every cell ran, and a case's `require` does not hold in some column
FAILED = ("crash", "timeout", "resource_exhausted")
_signals: list[int] = []  # SIGTERM received (Ctrl-C arrives as KeyboardInterrupt)


def _size(text: str) -> int:
    """'4G', '512M', '1073741824' -> bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    text = text.strip().lower().removesuffix("b")
    try:
        size = int(float(text[:-1]) * units[text[-1]]) if text and text[-1] in units else int(text)
    except (ValueError, OverflowError):  # OverflowError: 1e400G is inf bytes
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 512M)") from None
    if size < 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} is negative (0: no cap)")
    return size


def cmd_run(args: argparse.Namespace) -> int:
    if args.worker_memory is not None:
        os.environ[MEMORY_ENV] = str(args.worker_memory)  # the runner passes it to every worker
    cases = _load(args.paths)
    try:
        columns = parse_columns(args.columns, args.device)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        return EXIT_USAGE
    if args.forms == "all":
        from oracle.forms import sweep_columns

        columns = sweep_columns(columns, [c.steps for c in cases])
    if args.compile == "both":
        from oracle.forms import compile_columns

        columns = compile_columns(columns)
    out = Path(args.out)
    problem = session.unwritable(out)
    if problem:
        errors.print(f"[red]error:[/red] cannot write to {escape(str(out))}: {escape(problem)}", highlight=False)
        return EXIT_OUTPUT
    lock = session.lock(out)
    if isinstance(lock, str):
        errors.print(f"[red]error:[/red] {escape(lock)}", highlight=False)
        return EXIT_OUTPUT
    try:
        return _run_locked(args, cases, columns, out)
    finally:
        lock.close()  # releases the lock (the pid stays in the file: harmless, the lock is what counts)


def _run_locked(args: argparse.Namespace, cases: list[Any], columns: list[Any], out: Path) -> int:
    from oracle.journal import JOURNAL

    journal_path = out / JOURNAL
    resumed = session.resume(out, cases, columns, args.resume)
    if resumed.missing:
        errors.print(f"{escape(str(journal_path))} does not exist yet; running everything", highlight=False)
    kept = resumed.kept
    if resumed.stale:
        errors.print(f"{resumed.stale} journaled cells are stale (case file, framework version, device or "
                     f"interpreter changed); running them again", highlight=False)
    stop = threading.Event()
    total = len(cases) * len(columns)
    with progress(errors, len(cases), len(columns), kept) as on_cell:
        results, journal = session.run_journaled(cases, columns, out, resumed, on_cell, stop)
    if journal.failed:
        errors.print(f"[yellow]warning:[/yellow] the journal {escape(str(journal_path))} stopped taking cells "
                     f"({escape(journal.failed)}); a kill now would lose them", highlight=False)
    print_summary(console, results, args.all)  # before writing: a full disk must not cost the user the answer
    try:
        session.write(out, results)
    except OSError as exc:
        ran = sum(1 for case in results["cases"] for _ in case["columns"]) - kept
        if journal.failed:  # the journal lost cells too: say what a resume keeps, not more
            errors.print(f"[red]error:[/red] could not write the results: {escape(printable(str(exc)))}; the journal "
                         f"{escape(str(journal_path))} took only {journal.cells} of the {ran} cells this run finished "
                         f"before it failed ({escape(journal.failed)}): free space or fix permissions, then "
                         f"`oracle run --resume` with the same arguments runs the other {ran - journal.cells} again",
                         highlight=False)
            return EXIT_OUTPUT
        errors.print(f"[red]error:[/red] could not write the results: {escape(printable(str(exc)))}; every "
                     f"finished cell is in {escape(str(journal_path))}: free space or fix permissions, then "
                     f"`oracle run --resume` with the same arguments writes them without running anything again",
                     highlight=False)
        return EXIT_OUTPUT
    _say(f"wrote {out / 'results.json'} (every outcome) and {out / 'report.md'} (the report)")
    _say(f"HTML and plots: oracle report --results {out / 'results.json'}   (make report: for reports/latest)")
    _say(f"  then open {out / 'report.html'} in a browser")
    if not results["complete"]:
        errors.print(f"[yellow]interrupted:[/yellow] {missing_cells(results)} of {total} cells not run; "
                     f"`oracle run --resume` with the same arguments runs only those")
        return 128 + (_signals[-1] if _signals else signal.SIGINT)
    code = run_exit_code(results)
    unmet = _say_unmet(results)
    return EXIT_REQUIRE if unmet and code == EXIT_OK else code


def _say_unmet(results: ResultsDocument) -> list[str]:
    """Print every unmet `require` of the run, one line each; return them."""
    from oracle.requirements import all_unmet

    unmet = all_unmet(results)
    for line in unmet:
        errors.print(f"[red]require not met:[/red] {escape(line)}", highlight=False)
    return unmet


def run_exit_code(results: ResultsDocument) -> int:
    """0 all ran, 3 some cells crashed / timed out / ran out of memory, 4 nothing could run."""
    cells = [cell for case in results["cases"] for cell in case["columns"].values()]
    started = [c for c in cells if c["status"] != "unavailable" and
               not str(c.get("notes", {}).get("reason", "")).startswith("worker did not start")]
    if not started or not any(env["available"] for env in results["environment"].values()):
        return EXIT_NOTHING_RAN
    if any(cell["status"] in FAILED for cell in cells):
        return EXIT_CELLS_FAILED
    return EXIT_OK


def _writable_or_exit(folder: Path, logs: bool = True) -> None:
    """Refuse (one line, exit 5) a folder that cannot take the files before anything runs into it."""
    problem = session.unwritable(folder, logs)
    if problem:
        errors.print(f"[red]error:[/red] cannot write to {escape(printable(str(folder)))}: {escape(problem)}",
                     highlight=False)
        raise SystemExit(EXIT_OUTPUT)


def cmd_list(args: argparse.Namespace) -> int:
    words = [w.lower() for w in args.filter or []]
    rows = []
    for loaded in _load(args.paths):
        case = loaded.case
        source = f"{case.source.doc} #{case.source.example}" if case.source else ""
        row = (case.id, case.title, source, str(loaded.path))
        if all(any(w in text.lower() for text in (*row, *case.tags, *case.steps)) for w in words):
            rows.append(row)
    if not console.is_terminal:  # a pipe gets whole lines, tab-separated: ids are never cut for grep or cut
        try:
            for row in rows:
                sys.stdout.write("\t".join(printable(text).replace("\t", " ") for text in row) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `oracle list | head`: the reader has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    table = Table("id", "title", "source", "file", title=f"{len(rows)} cases")
    table.columns[0].overflow = "fold"
    for row in rows:
        table.add_row(*(escape(printable(text)) for text in row))
    console.print(table)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from oracle.validate import validate_all

    valid, problems = validate_all(args.paths or ["cases"])
    for problem in problems:
        errors.print(f"[red]error:[/red] {escape(printable(problem))}", highlight=False)
    if problems:
        errors.print(f"{len(problems)} problem(s); {valid} case files are valid", highlight=False)
        return 2
    cases = _load(args.paths)
    files = {c.path for c in cases}
    varied = [c for c in cases if c.variant is not None]

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    detail = f" ({count(len(varied), 'variant')} of {count(len({c.path for c in varied}), 'file')})" if varied else ""
    console.print(f"{count(len(files), 'case file')} valid, holding {count(len(cases), 'case')}{detail}")
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
        if record is not None:
            _warn_if_stale(record, path)
    if record is None:
        every = _load(args.paths)
        loaded = [c for c in every if c.id == args.case_id]
        variants = [c.id for c in every if c.base_id == args.case_id and c.variant is not None]
        if not loaded and variants:
            return _show_variants(args.case_id, variants, path)
        if not loaded:
            nearest = difflib.get_close_matches(args.case_id, [c.id for c in every], n=3, cutoff=0.5)
            hint = f"did you mean {' or '.join(repr(n) for n in nearest)}? " if nearest else ""
            errors.print(f"[red]error:[/red] no case with id {escape(repr(args.case_id))} in "
                         f"{escape(', '.join(args.paths))}; {escape(hint)}(`oracle list` lists them)", highlight=False)
            return 2
        errors.print(f"{escape(args.case_id)} is not in {escape(str(path))}; running it now", highlight=False)
        with tempfile.TemporaryDirectory(prefix="oracle-show-logs-") as scratch:  # the results folder may be read-only
            logs = path.parent / "logs" if not session.unwritable(path.parent) else Path(scratch)
            record = execute(loaded, parse_columns(",".join(FRAMEWORKS), "cpu"), logs)["cases"][0]
    console.rule(escape(printable(f"{record['id']}: {record['title']}")))
    console.print(printable(_case_text(record), keep_newlines=True), highlight=False, markup=False)
    _print_record(record)
    return 0


def _case_text(record: CaseRecord) -> str:
    """The case file a record names, only if it is one and holds that case: a results.json may name any file."""
    from oracle.cases import MAX_FILE_BYTES, load_id
    from oracle.safeio import InputError, read_text_bounded

    try:
        load_id(record["file"], record["id"])
        return read_text_bounded(Path(record["file"]), MAX_FILE_BYTES)
    except (CaseError, InputError):
        return ""


def _show_variants(case_id: str, variants: list[str], path: Path) -> int:
    """A file id whose file holds variants: each variant's one-line summary (from the results when there)."""
    known = {c["id"]: c for c in load_results(path)["cases"]} if path.exists() else {}
    console.print(f"{escape(case_id)} holds {len(variants)} variants; show one with `oracle show 'ID'`:",
                  highlight=False)
    for variant in variants:
        summary = known[variant]["summary"] if variant in known else "(not in " + str(path) + ")"
        console.print(f"  {escape(variant)}: {escape(summary)}", highlight=False)
    return 0


def _warn_if_stale(record: CaseRecord, results: Path) -> None:
    """Say so when the case file changed after the run whose results are shown."""
    from oracle.journal import file_digest

    file = Path(record["file"])
    try:
        current = file_digest(file)
    except OSError:
        return
    if record.get("file_sha256") and record["file_sha256"] != current:
        errors.print(f"[yellow]warning:[/yellow] {escape(str(file))} changed after {escape(str(results))} was "
                     f"written; these results are stale (run it again)", highlight=False)


def _print_record(record: CaseRecord) -> None:
    """Each column's outcome side by side, the one-line summary, every verdict explained."""
    table = Table("column", "status", "error / warnings", "outputs", "native API")
    said: dict[str, str] = {}  # a long message repeated in several columns is printed once, then referred to
    for name, o in record["columns"].items():
        error = o["error"]
        problems = [f"{_error_class(error)}: {error['message']}"] if error else []
        problems += [f"{w['category']}: {w['message']}" for w in o["warnings"]]
        problems += [str(o["notes"][k]) for k in ("reason", "unsupported") if k in o["notes"]]
        problems = [_once(text, name, said) for text in dict.fromkeys(problems)]
        outputs = "\n".join(f"{n}: {summarize(t)}" for n, t in o["outputs"].items())
        table.add_row(*(escape(printable(text, keep_newlines=True)) for text in (
            name, o["status"], "\n".join(problems), outputs, "\n".join(o["native_api"]))))
    console.print(table)
    console.print(f"[bold]In one line:[/bold] {escape(printable(_readable(record['summary'], said)))}", highlight=False)
    for v in record["verdicts"]:
        style = STYLE.get(v["kind"], "magenta")
        text = printable(_readable(v["explanation"], said))
        columns, kind = escape(printable(" vs ".join(v["columns"]))), escape(printable(v["kind"]))
        console.print(f"[{style}]{columns}: {kind}[/] {escape(text)}", highlight=False)


def _readable(text: str, said: dict[str, str]) -> str:
    """A verdict's explanation without the long messages the table printed and without the oracle's class paths."""
    for message, column in said.items():
        _, _, body = message.partition(": ")
        if len(body) > LONG // 2:
            text = text.replace(body, f"[{column}'s message above]")
    # the reference's own exception classes are named by the builtin base users know
    return re.sub(r"oracle\.[\w.]+\.\w+ \((\w+)\)", r"\1 (reference semantics)", text)


LONG = 80  # a message longer than this is printed in full once per record


def _once(text: str, column: str, said: dict[str, str]) -> str:
    if len(text) <= LONG:
        return text
    if text in said:
        return f"{text[:40]}... (as in {said[text]})"
    said[text] = column
    return text


def _error_class(error: ErrorRecord) -> str:
    """The class a user would write: the public name; the reference's own classes by their builtin base."""
    if error.get("public"):
        return str(error["public"])
    kind = str(error["type"])
    return f"{error['base']} (reference semantics)" if kind.startswith("oracle.") else kind


def cmd_report(args: argparse.Namespace) -> int:
    from oracle.report.write import write_reports

    path = Path(args.results)
    if not path.exists():
        errors.print(f"[red]error:[/red] {escape(str(path))} does not exist; run `oracle run` first", highlight=False)
        return 2
    out = Path(args.out) if args.out else path.parent
    written = write_reports(load_results(path), out)
    figures = [p for p in written if p.suffix == ".png"]
    _say(f"wrote {out / 'report.html'}, {out / 'report.md'} and {len(figures)} plots in "
         f"{figures[0].parent if figures else out / 'plots'}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from oracle.explain import ExplainError, build_case, load_built, to_yaml

    try:
        loaded = load_built(build_case(args.op, args.input, args.attr, args.grad),
                            Path(args.save) if args.save else None, args.force)
    except (ExplainError, CaseError) as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
        return 2
    try:
        columns = parse_columns(args.columns, args.device)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        return 2
    console.rule(escape(loaded.case.title))
    console.print(to_yaml(loaded.case.model_dump(exclude_none=True, exclude_defaults=True)),
                  highlight=False, markup=False)
    with tempfile.TemporaryDirectory(prefix="oracle-explain-logs-") as logs:
        record = execute([loaded], columns, Path(logs))["cases"][0]
    _print_record(record)
    if args.save:
        console.print(escape(f"saved the case as {args.save}; run it with `oracle run {args.save}`"), highlight=False)
    return 0


def _execute(cases: list[Any], columns: list[Any], out: Path, kind: str = "") -> ResultsDocument:
    """The run behind snapshot, check and diff-versions: a progress bar; results.json and report.md in `out`."""
    _writable_or_exit(out)
    with progress(errors, len(cases), len(columns)) as on_cell:
        results = execute(cases, columns, out / "logs", on_cell)
    if kind:
        results["kind"] = kind  # what made it, so `check --results` can refuse version columns
    session.write(out, results)
    return results


def _columns(args: argparse.Namespace) -> list[Any]:
    try:
        return parse_columns(args.columns, args.device)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise SystemExit(2) from None


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def cmd_snapshot(args: argparse.Namespace) -> int:
    from oracle.baseline import overrides, write_snapshot

    cases = _load(args.paths)
    _writable_or_exit(Path(args.out) / "cases", logs=False)
    results = _execute(cases, _columns(args), Path(args.run_out))
    _say_written(write_snapshot(results, Path(args.out), overrides(cases)), len(results["cases"]), Path(args.out))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Every recorded framework cell re-executed as its report snippet; exit 1 on a cell it does not reproduce."""
    from oracle.verify import verify

    wanted = [c for c in args.columns.split(",") if c] if args.columns else None
    if args.results:
        results = load_results(Path(args.results))
    else:
        args.columns = args.columns or ",".join(FRAMEWORKS)
        results = _execute(_load(args.paths), _columns(args), Path(args.run_out))
    found = verify(results, wanted)
    for key, problems in sorted(found.mismatched.items()):
        errors.print(f"[red]not reproduced[/red] {escape(printable(key))}: {escape(printable('; '.join(problems)))}",
                     highlight=False)
    _say(found.summary())
    return 0 if found.ok else 1


def _say_written(written: list[Path], cases: int, folder: Path) -> None:
    """How many files a snapshot rewrote: those whose cells changed beyond tolerance (or are new)."""
    _say(f"{len(written)} file(s) rewritten in {folder}; the other of the {cases} case baselines are "
         "unchanged (or within tolerance)" if written else
         f"no file rewritten in {folder}: all {cases} cases within tolerance of their baselines")
    for path in written:
        _say(f"  wrote {path}")


def cmd_check(args: argparse.Namespace) -> int:
    from oracle.baseline import BaselineError, check, format_report, load_baseline, overrides, write_snapshot

    cases = _load(args.paths)
    try:
        baseline = load_baseline(Path(args.against))
    except BaselineError as exc:
        if not args.update:
            errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
            return 2
        baseline = None
    if args.results:
        results = load_results(Path(args.results))
        if results.get("kind") == "diff-versions" or any("@" in name for name in results["environment"]):
            errors.print(f"[red]error:[/red] {escape(args.results)} holds a diff-versions run (version columns), "
                         "not a run to check against baselines; run `oracle check` on the cases", highlight=False)
            return 2
        if not results["complete"] and not args.update:
            errors.print(f"[red]error:[/red] {escape(args.results)} is an incomplete run ({missing_cells(results)} "
                         f"cells not run); finish it with `oracle run --resume` first", highlight=False)
            return 1
    else:
        results = _execute(cases, _columns(args), Path(args.run_out))
    whole = not args.paths or any(Path(p).resolve() == Path("cases").resolve() for p in args.paths)
    report = check(results, baseline, cases, whole) if baseline is not None else None
    for line in format_report(report, args.verbose, _update_command(args)) if report else []:
        _say(line)
    for name, reason in _unstarted(results).items():  # the gate fails here: say why, not only in a log
        errors.print(f"[red]error:[/red] column {escape(name)} could not run: {escape(reason)}", highlight=False)
    if args.update:
        _say_written(write_snapshot(results, Path(args.against), overrides(cases)), len(results["cases"]),
                     Path(args.against))
        return 0
    assert report is not None
    unmet = _say_unmet(results)
    return max(report.exit_code, 1) if unmet else report.exit_code


def _update_command(args: argparse.Namespace) -> str:
    """The `oracle check ... --update` that records this check's cells, as the user typed the rest."""
    import shlex

    words = ["oracle", "check", *args.paths]
    if args.against != "baselines":
        words += ["--against", args.against]
    if args.columns != ",".join(FRAMEWORKS):
        words += ["--columns", args.columns]
    if args.results:
        words += ["--results", args.results]
    return " ".join(shlex.quote(w) for w in [*words, "--update"])


def cmd_diff_versions(args: argparse.Namespace) -> int:
    from oracle.baseline import overrides
    from oracle.versions import InterpreterError, check_names, drift, load_config, version_columns

    cases = _load(args.paths)
    try:
        config = load_config(Path(args.config)) if args.config else None
        framework = args.framework or (config.framework if config else "jax")
        pythons = [sys.executable, *(config.pythons if config else []), *args.python]
        columns = version_columns(framework, pythons, args.device)
    except InterpreterError as exc:  # README: a column that cannot run makes diff-versions exit 4
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
        return EXIT_NOTHING_RAN
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
        return 2
    _say("columns: " + ", ".join(f"{c.name} ({c.python})" for c in columns))
    results = _execute(cases, columns, Path(args.out), "diff-versions")
    for line in check_names(results["environment"]):
        _say(f"warning: {line}")
    from oracle.baseline import native_snippet
    from oracle.upgrade import compare, load_accepted, write

    try:
        accepted = load_accepted(Path(args.accepted))
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
        return 2
    pairs = []
    for before, after in zip(columns, columns[1:]):  # each step of the upgrade, oldest first
        pair = compare(results, before.name, after.name, accepted, overrides(cases), native_snippet)
        count, total, largest = drift(results, before.name, after.name)
        pair.drift = {"count": count, "total": total, "largest": largest}
        pairs.append(pair)
        _say(f"{before.name} -> {after.name} ({pair.before_label} -> {pair.after_label}): "
             f"{sum(len(c.cases) for c in pair.changes)} of {len(cases)} "
             f"cases changed ({len(pair.changes)} distinct, {len(pair.failing)} not in {args.accepted}); "
             f"{len(pair.absent)} not comparable (API absent); {count} of {total} outputs drifted by bits")
        for change in pair.changes:
            mark = "accepted" if change.accepted else "CHANGE"
            _say(f"  {mark} {change.kind} [{change.cause}] x{len(change.cases)}: {change.before} -> {change.after}"
                 f" ({', '.join(change.cases[:3])}{', ...' if len(change.cases) > 3 else ''})")
        for gone in pair.gone:
            _say(f"  accepted change no longer happens: {gone['case']} {gone['kind']} (remove it from {args.accepted})")
    written = write(pairs, Path(args.out))
    _say(f"wrote {', '.join(str(p) for p in written)} and {Path(args.out) / 'results.json'}")
    broken = _unstarted(results)
    for name, reason in broken.items():
        errors.print(f"[red]error:[/red] column {escape(name)} could not run: {escape(reason)}", highlight=False)
    if broken:
        return EXIT_NOTHING_RAN
    return 1 if any(p.failing for p in pairs) else 0


def _unstarted(results: ResultsDocument) -> dict[str, str]:
    """Columns that never ran a cell (unavailable, or their worker did not start), with the reason."""
    out = {}
    for name, env in results["environment"].items():
        cells = [c["columns"][name] for c in results["cases"] if name in c["columns"]]
        reasons = {str(c.get("notes", {}).get("reason", "")) for c in cells}
        if not env["available"] or (cells and all(r.startswith("worker did not start") for r in reasons)):
            out[name] = env["reason"] or next(iter(reasons), "")
    return out


def build_parser() -> argparse.ArgumentParser:
    from oracle.provenance import tool_version

    parser = argparse.ArgumentParser(prog="oracle", description="Cross-framework oracle for deep-learning semantics")
    parser.add_argument("--version", action="version", version=f"oracle (dl-oracle) {tool_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run cases through every column, diff, write results and report")
    run.add_argument("paths", nargs="*", help="case files or folders (default: cases)")
    run.add_argument("--columns", default=",".join(FRAMEWORKS), help="comma-separated (default: all)")
    run.add_argument("--device", default="cpu", help="cpu, gpu, or cpu,gpu for a column per device")
    run.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: reports/latest)")
    run.add_argument("--worker-memory", type=_size, metavar="BYTES",
                     help="heap cap per worker, e.g. 4G (0: none; default: ORACLE_WORKER_MEMORY or a fair share of "
                          "the machine); out of memory is reported as resource_exhausted")
    run.add_argument("--all", action="store_true", help="list every case, not only those that diverge")
    run.add_argument("--forms", choices=("default", "all"), default="default",
                     help="all: a sub-column per form (entry point) of each framework, e.g. torch/functional "
                          "beside torch/module (default: each case's `forms:`, else each op's default form)")
    run.add_argument("--compile", choices=("case", "both"), default="case",
                     help="both: each framework column twice, eager and inside its compiler (jax.jit, tf.function, "
                          "torch.compile), e.g. jax/eager beside jax/compiled (default: each case's `compile:`)")
    run.add_argument("--resume", action="store_true",
                     help="keep the cells already in OUT/results.json (e.g. of an interrupted run), run the rest")
    run.set_defaults(func=cmd_run)
    for name, func, text in (("list", cmd_list, "list cases"), ("validate", cmd_validate, "validate case files")):
        p = sub.add_parser(name, help=text)
        p.add_argument("paths", nargs="*")
        p.set_defaults(func=func)
        if name == "list":
            p.add_argument("-k", "--filter", action="append", metavar="TEXT",
                           help="only cases whose id, title, source, file, tag or step contains TEXT (repeatable)")
    show = sub.add_parser("show", help="a case, each column's outcome, the verdicts")
    show.add_argument("case_id")
    show.add_argument("--results", default=str(DEFAULT_OUT / "results.json"))
    show.add_argument("--paths", nargs="*", default=["cases"])
    show.set_defaults(func=cmd_show)
    report = sub.add_parser("report", help="write report.md, report.html and plots/ from a results.json")
    report.add_argument("--results", default=str(DEFAULT_OUT / "results.json"))
    report.add_argument("--out", help="output folder (default: the folder of --results)")
    report.set_defaults(func=cmd_report)
    explain = sub.add_parser("explain", help="run one op on ad-hoc inputs through every column and explain")
    explain.add_argument("op", help="an op of the vocabulary, e.g. mse_loss")
    explain.add_argument("--input", action="append", default=[], metavar="NAME=SHAPE[:DTYPE]",
                         help="one per op argument, in order: pred=64,1 target=64 labels=64:int64")
    explain.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE", help="e.g. reduction=none")
    explain.add_argument("--grad", action="store_true", help="also differentiate the result wrt the float inputs")
    explain.add_argument("--columns", default=",".join(FRAMEWORKS))
    explain.add_argument("--device", default="cpu")
    explain.add_argument("--save", metavar="FILE", help="write the scenario as a case file (not over an existing one)")
    explain.add_argument("--force", action="store_true", help="let --save overwrite an existing file")
    explain.set_defaults(func=cmd_explain)
    schema = sub.add_parser("schema", help="print the JSON Schema of case files")
    schema.add_argument("--out", help="write to this file instead")
    schema.set_defaults(func=cmd_schema)
    ops = sub.add_parser("ops", help="list every op of the registry: arguments, attributes, bindings")
    ops.add_argument("--family", help="only this family")
    ops.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    ops.add_argument("--defaults", action="store_true",
                     help="also ask each framework's worker for its own defaults (starts the workers)")
    ops.set_defaults(func=lambda a: __import__("oracle.opslist", fromlist=["command"]).command(
        a.family, a.format, a.defaults))
    _add_baseline_commands(sub)
    __import__("oracle.explore.command", fromlist=["add_parser"]).add_parser(sub)
    __import__("oracle.atlas", fromlist=["add_parser"]).add_parser(sub)
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
    verify = sub.add_parser("verify", help="re-execute every recorded cell as its report snippet (exit 1 on a mismatch)")
    verify.add_argument("paths", nargs="*", help="case files or folders to run first (default: cases)")
    verify.add_argument("--results", help="verify this results.json instead of running the cases")
    verify.add_argument("--columns", default=None, help="comma-separated (default: every framework column)")
    verify.add_argument("--device", default="cpu", help="cpu (a snippet runs on the CPU)")
    verify.add_argument("--run-out", default="reports/verify", help="where the run goes (default: reports/verify)")
    verify.set_defaults(func=cmd_verify)
    versions = sub.add_parser("diff-versions", help="one framework in this and other interpreters: what changed")
    versions.add_argument("--framework", choices=FRAMEWORKS, help="(default: the config's, or jax)")
    versions.add_argument("--config", metavar="FILE", help="YAML: {framework: jax, pythons: [PATH, ...]}")
    versions.add_argument("--python", action="append", default=[], metavar="PATH",
                          help="another interpreter with another version installed (repeatable)")
    versions.add_argument("paths", nargs="*", help="case files or folders (default: cases)")
    versions.add_argument("--device", default="cpu")
    versions.add_argument("--out", default="reports/versions", help="output folder (default: reports/versions)")
    versions.add_argument("--accepted", default="versions/accepted.yaml", metavar="FILE",
                          help="reviewed changes that pass (default: versions/accepted.yaml)")
    versions.set_defaults(func=cmd_diff_versions)


def main(argv: list[str] | None = None) -> int:
    """The `oracle` program. Given `argv`, it is called from Python (pytest, another program), which owns
    the process's signals: SIGTERM is handled only when main reads the command line itself."""
    args = build_parser().parse_args(argv)

    def terminated(signum: int, frame: Any) -> None:  # SIGTERM ends any command as Ctrl-C does
        _signals.append(signum)
        raise KeyboardInterrupt

    # only the main thread may set handlers, and only the program (`oracle`, `python -m oracle.cli`) should
    in_main = argv is None and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminated) if in_main else None
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        # interrupted outside a run's columns (loading cases, writing files): nothing half-written is kept
        errors.print("[yellow]interrupted[/yellow]")
        return 128 + (_signals[-1] if _signals else signal.SIGINT)
    except InputError as exc:  # a results.json, baseline, atlas or config that cannot be used (ResultsError is one)
        errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
        return EXIT_USAGE
    except OSError as exc:  # a file the command writes (--out, --save, a baseline): read-only, full disk, a folder
        where = f"{exc.filename}: " if exc.filename else ""
        errors.print(f"[red]error:[/red] {escape(printable(where + (exc.strerror or str(exc))))}",
                     highlight=False)
        return EXIT_OUTPUT
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
