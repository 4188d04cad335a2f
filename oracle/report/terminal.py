"""What `oracle run` prints: totals that fit one screen, then the cases that diverge.

At hundreds of cases a row per case is a scroll, not a summary: the run prints the count of
cells per verdict kind (with what each abbreviation means), a line per family, and the
table of the cases where some column diverges from the reference (every case with --all).
The table is meant for 100 columns: ids are broken after a hyphen, never mid-word.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oracle.judgement import against_reference, status_text
from oracle.model import CaseRecord, ResultsDocument
from oracle.report.summary import by_family, diverges, family_of, framework_columns, kinds_present

# Cell abbreviation and meaning of each verdict kind against the reference
ABBREVIATION = {"agree": "=", "silent_divergence": "raise/ok", "error_kind_mismatch": "err-kind",
                "warning_only": "warn", "shape_mismatch": "shape", "dtype_mismatch": "dtype",
                "nan_inf_mismatch": "nan/inf", "value_mismatch": "values", "incomparable": "n/a",
                "hyperparameters_differ": "hparams", "not run": "not run", "no reference": "no ref"}
MEANING = {"agree": "agrees with the reference",
           "silent_divergence": "one side raised, the other computed a result (silent divergence)",
           "error_kind_mismatch": "both raised, different exception classes",
           "warning_only": "same results; only the warnings differ",
           "shape_mismatch": "output shapes differ", "dtype_mismatch": "output dtypes differ",
           "nan_inf_mismatch": "NaN/Inf at different elements", "value_mismatch": "values differ beyond tolerance",
           "incomparable": "not comparable: a side is unsupported, unavailable, crashed or timed out",
           "hyperparameters_differ": "training results differ, and so do the optimizer hyperparameters used",
           "not run": "the cell was not run (interrupted run)",
           "no reference": "no reference column to judge the cell against"}
STYLE = {"agree": "green", "warning_only": "yellow", "silent_divergence": "bold red", "incomparable": "dim",
         "not run": "dim", "no reference": "dim"}
ID_WIDTH = 30
MAX_ROWS = 40  # above this many diverging cases, cases whose rows read the same are merged into one row
ROWS_PER_FAMILY = 2  # ... and each family shows its first few rows, the rest counted (--all lists them)
PROGRESS_CELLS, PROGRESS_S = 100, 10.0  # non-TTY: a progress line every this many cells or seconds

OnCell = Callable[[str, str, Any], None]


def break_id(case_id: str, width: int = ID_WIDTH) -> str:
    """The id on lines of at most `width`, broken after a hyphen (a part longer than a line is folded)."""
    lines, line = [], ""
    for part in case_id.replace("-", "-\0").split("\0"):
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = ""
        line += part
        while len(line) > width:
            lines.append(line[:width])
            line = line[width:]
    return "\n".join([*lines, line] if line else lines)


def print_summary(console: Console, results: ResultsDocument, show_all: bool = False) -> None:
    """Totals per verdict kind (the legend), per family, then the diverging cases (all with `show_all`)."""
    columns = framework_columns(results)
    families = by_family(results)
    kinds = kinds_present(families)
    cells = sum(sum(f.kinds.values()) for f in families)
    totals = Table(title=f"{len(results['cases'])} cases x {len(columns)} columns = {cells} cells, "
                   "verdict against the reference", title_justify="left", box=box.SIMPLE_HEAD)
    totals.add_column("verdict", no_wrap=True)
    totals.add_column("cells", justify="right")
    totals.add_column("meaning")
    for kind in kinds:
        n = sum(f.kinds[kind] for f in families)
        totals.add_row(f"[{STYLE.get(kind, 'magenta')}]{ABBREVIATION[kind]}[/]", str(n), MEANING[kind])
    console.print(totals)

    per_family = Table(title="per family (the case file's folder)", title_justify="left", box=box.SIMPLE_HEAD)
    per_family.add_column("family", no_wrap=True)
    per_family.add_column("cases", justify="right")
    per_family.add_column("diverging", justify="right")
    per_family.add_column("cells per verdict")
    for f in families:
        counts = ", ".join(f"{ABBREVIATION[k]} {f.kinds[k]}" for k in kinds if f.kinds[k])
        per_family.add_row(escape(f.family), str(f.cases), str(f.diverging), counts)
    console.print(per_family)

    shown = [r for r in results["cases"] if show_all or diverges(r, columns)]
    hidden = len(results["cases"]) - len(shown)
    if shown:
        console.print(_case_table(shown, columns, show_all))
    if hidden:
        console.print(f"{hidden} cases where every column agrees (or is not comparable) are not listed; "
                      "`oracle run --all` lists them, `oracle show CASE_ID` shows one", style="dim")
    console.print("cell: status (ok, the builtin base class of the exception raised, or unsupported, crash, ...; "
                  "+w: it also warned) then the verdict, abbreviated as in the first table", style="dim")
    for name, env in results["environment"].items():
        if not env["available"]:
            console.print(f"[dim]{escape(name)} unavailable: {escape(str(env['reason']))}[/dim]")


def _case_table(records: list[CaseRecord], columns: list[str], show_all: bool) -> Table:
    """One row per case; beyond MAX_ROWS diverging cases (and without --all), one row per family and pattern,
    at most ROWS_PER_FAMILY per family."""
    merge = not show_all and len(records) > MAX_ROWS
    title = "every case" if show_all else "cases where some column diverges from the reference"
    if merge:
        title += " (cases whose rows read the same are merged; --all lists each)"
    table = Table(title=title + ", by family", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("case", no_wrap=True, max_width=ID_WIDTH)
    table.add_column("reference", no_wrap=True)
    for column in columns:
        table.add_column(column)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for record in sorted(records, key=family_of):  # stable: the run's order within a family
        ref = record["columns"].get("reference")
        row = (status_text(ref) if ref else "not run", *(_cell(record, c) for c in columns))
        key = (family_of(record), row) if merge else (family_of(record), (record["id"], *row))
        groups.setdefault(key, []).append(record["id"])
    family, rows, left = None, 0, 0

    def more_in(name: str | None) -> None:
        if left:
            table.add_row(f"[dim](+{left} more in {escape(str(name))}/; --all lists them)[/]")

    for (name, row), ids in groups.items():
        if name != family:
            more_in(family)
            family, rows, left = name, 0, 0
            table.add_row(f"[bold]{escape(family)}/[/]")
        if merge and rows >= ROWS_PER_FAMILY:
            left += len(ids)
            continue
        rows += 1
        cells = row if merge else row[1:]
        more = f"\n[dim](+{len(ids) - 1} alike)[/]" if len(ids) > 1 else ""
        table.add_row(escape(break_id(ids[0])) + more, *cells)  # a variant id holds [brackets]
    more_in(family)
    return table


def _cell(record: CaseRecord, column: str) -> str:
    if column not in record["columns"]:
        return "[dim]not run[/]"
    kind = against_reference(record, column) or ""
    return f"[{STYLE.get(kind, 'magenta')}]{escape(status_text(record['columns'][column]))} {ABBREVIATION.get(kind, '')}[/]"


@contextmanager
def progress(console: Console, cases: int, columns: int, done: int = 0) -> Iterator[OnCell]:
    """A callback for each answered cell: a live bar on a terminal, else a line every N cells or seconds (CI logs)."""
    total = cases * columns
    if console.is_terminal:
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=console, transient=True)
        with bar:
            task = bar.add_task(f"{cases} cases x {columns} columns", total=total, completed=min(done, total))
            yield lambda column, case_id, _: bar.update(task, advance=1, description=f"{column}: {case_id}")
        return
    start = last_time = time.monotonic()
    count, last_count = done, done

    def on_cell(column: str, case_id: str, _: Any) -> None:
        nonlocal count, last_count, last_time
        count += 1
        now = time.monotonic()
        if count - last_count >= PROGRESS_CELLS or now - last_time >= PROGRESS_S or count == total:
            console.print(f"progress: {count}/{total} cells ({100 * count // max(total, 1)}%), "
                          f"{now - start:.0f} s; last {column}: {case_id}", highlight=False, markup=False)
            last_count, last_time = count, now

    console.print(f"running {cases} cases x {columns} columns = {total} cells", highlight=False)
    yield on_cell
