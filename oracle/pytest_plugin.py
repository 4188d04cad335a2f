"""pytest plugin: case files as test items, one per (case, column), checked against the baseline.

`pytest cases/` is the regression suite. Registered through the `pytest11` entry point
(pyproject.toml); without an install, `pytest -p oracle.pytest_plugin cases/`.

Collection is limited to YAML files under the `oracle_cases` ini folders (default `cases`),
so test data elsewhere is never taken for the suite; when that leaves nothing to run, the
collection report says which YAML files were passed over and why.

Only the selected items run: the first item to run executes every selected (case, column)
cell at once (one worker per column, as `oracle run` does), so `pytest cases/ -k "mse and
torch"` costs the torch cells of the mse cases, plus the reference of those whose divergence
is listed (they are judged against it). Under pytest-xdist the items are scheduled per column
(one work unit per column), and a worker runs the selected cells of its column in one batch,
so each framework's worker process starts once per xdist worker. Each item then judges its
own cell with oracle.baseline.judge. An item listed in baselines/expected/<framework>.yaml
is marked xfail: XFAIL while it diverges as listed, XPASS when it agrees with the reference.
`--oracle-update` writes the baseline of the cells that ran, and only of those.
"""

from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from oracle.baseline import Baseline, BaselineError, Item, judge, load_baseline, overrides, write_snapshot
from oracle.baseline import ExpectedDivergence as Listing
from oracle.cases import CaseError, LoadedCase, check_identity, load_file
from oracle.model import CaseRecord, Environment, ResultsDocument
from oracle.runner import FRAMEWORKS

RUN_KEY = pytest.StashKey[dict[str, Any]]()
PASSED_OVER = pytest.StashKey[list[Path]]()  # YAML files outside the oracle_cases folders
Cell = tuple[str, str]  # (case id, column name)
WORKER_BATCHES = pytest.StashKey[list[str]]()  # under xdist, on the controller: what each worker ran


class ChangeFound(AssertionError):
    """An item differs from its baseline (or has none)."""


class ExpectedDivergence(AssertionError):
    """An item diverges from the reference as its expected/<framework>.yaml entry says."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("oracle", "dl-oracle regression baselines")
    group.addoption("--oracle-update", action="store_true", help="rewrite the baseline with this run's outcomes")
    group.addoption("--oracle-baselines", help="baseline folder (default: ini oracle_baselines, or baselines)")
    group.addoption("--oracle-columns", help=f"comma-separated columns (default: {','.join(FRAMEWORKS)})")
    parser.addini("oracle_cases", "folders whose YAML files are oracle case files", type="linelist",
                  default=["cases"])
    parser.addini("oracle_baselines", "baseline folder", default="baselines")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    root = parent.config.rootpath
    folders = [(root / f).resolve() for f in parent.config.getini("oracle_cases")]
    if any(file_path.resolve().is_relative_to(folder) for folder in folders):
        return CaseFile.from_parent(parent, path=file_path)
    parent.config.stash.setdefault(PASSED_OVER, []).append(file_path)
    return None


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    """Why a run on YAML files collected nothing: they are not under the configured case folders."""
    passed_over = config.stash.get(PASSED_OVER, [])
    if items or not passed_over:
        return []
    folders = ", ".join(config.getini("oracle_cases"))
    shown = ", ".join(_relative(p, config.rootpath) for p in passed_over[:3])
    more = f" and {len(passed_over) - 3} more" if len(passed_over) > 3 else ""
    line = (f"oracle: {len(passed_over)} YAML file(s) not collected ({shown}{more}): only files under the "
            f"oracle_cases folders ({folders}, relative to {config.rootpath}) are case files; add the folder to "
            "`oracle_cases` in the pytest ini file to run them")
    return [line]


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember the selected cells (after -k, -m and deselection), so a run executes only those."""
    state = _state(session.config)
    state["selected"] = [(i.loaded.id, i.column) for i in session.items if isinstance(i, CaseItem)]


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under `-n`, one work unit per column: a worker imports each framework (starts its process) once."""
    if config.getvalue("dist") != "load":
        return None  # the user chose a distribution mode; keep it
    from xdist.scheduler import LoadScopeScheduling

    class ColumnScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, name = nodeid.rpartition("::")
            # an item is named `column` or `variant:column` (neither holds a colon): its scope is the column
            return f"oracle column {name.rpartition(':')[2]}" if path.endswith((".yaml", ".yml")) else path

    return ColumnScheduling(config, log)


def _state(config: pytest.Config) -> dict[str, Any]:
    """Per-session: the baseline, the columns, and (after the first item) the run's results."""
    if RUN_KEY not in config.stash:
        folder = Path(config.getoption("oracle_baselines") or config.rootpath / config.getini("oracle_baselines"))
        try:
            baseline: Baseline | str = load_baseline(folder)
        except BaselineError as exc:  # the advice fits the cause: a missing baseline is created, a bad file fixed
            baseline = f"{exc}\n(run pytest with --oracle-update to create it)" if exc.missing else str(exc)
        columns = (config.getoption("oracle_columns") or ",".join(FRAMEWORKS)).split(",")
        config.stash[RUN_KEY] = {"folder": folder, "baseline": baseline, "columns": [c.strip() for c in columns],
                                 "cases": {}, "selected": [], "records": {}, "runs": [],
                                 "identities": {}}
    return config.stash[RUN_KEY]


class CaseFile(pytest.File):
    def collect(self) -> Iterator[CaseItem]:
        state = _state(self.config)
        try:
            found = load_file(self.path)
            for loaded in found:  # as `oracle run`: the id is the file name, and no other file has it
                check_identity(loaded, state["identities"])
        except CaseError as exc:
            raise self.CollectError(str(exc)) from None
        for loaded in found:  # one item per variant and column, grouped under the file
            yield from self._items(loaded)

    def _items(self, loaded: LoadedCase) -> Iterator[CaseItem]:
        state = _state(self.config)
        state["cases"][loaded.id] = loaded
        baseline = state["baseline"]
        for column in state["columns"]:
            name = column if loaded.variant is None else f"{loaded.variant}:{column}"
            item = CaseItem.from_parent(self, name=name, loaded=loaded, column=column)
            listed = _listed(baseline, loaded.id, column)
            if listed is not None and not self.config.getoption("oracle_update"):
                item.add_marker(pytest.mark.xfail(reason=f"{listed.kind}: {listed.reason}",
                                                  raises=ExpectedDivergence, strict=False))
            yield item


class CaseItem(pytest.Item):
    def __init__(self, *, loaded: LoadedCase, column: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded, self.column = loaded, column

    def runtest(self) -> None:
        state = _state(self.config)
        record, environment = _run_cell(self.config, state, (self.loaded.id, self.column))
        if self.config.getoption("oracle_update"):
            return
        from oracle.requirements import unmet

        unmet_lines = unmet(record, {record["id"]: record}, only=self.column)
        if unmet_lines:  # a gate, whatever the baseline says (a listed divergence does not excuse it)
            raise ChangeFound("\n".join(unmet_lines))
        baseline = state["baseline"]
        if not isinstance(baseline, Baseline):
            raise ChangeFound(baseline)
        framework = environment[self.column]["framework"]
        for name, status in (record["columns"][self.column].get("output_status") or {}).items():
            self.user_properties.append((f"output_status.{name}", status["status"]))  # `isolate`: per output
        item = judge(record, self.column, baseline, framework, overrides([self.loaded])[self.loaded.id])
        if item.state == "expected":
            raise ExpectedDivergence(item.explanation)
        if item.failed:
            raise ChangeFound(_message(item))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ChangeFound):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.loaded.id} [{self.column}]"


def _message(item: Item) -> str:
    lines = [f"{item.case} [{item.column}]: {item.state} {item.kind}".rstrip(), f"  what changed: {item.explanation}"]
    if item.seen:
        lines += [f"  seen now:      {item.seen}", f"  baseline says: {item.stored}"]
    lines.append(f"  {item.hint}")
    if item.snippet:
        lines += ["  native reproduction:", *(f"    {line}" for line in item.snippet.splitlines())]
    lines.append("  if the change is intended: pytest --oracle-update (or oracle check --update)")
    return "\n".join(lines)


def _listed(baseline: Baseline | str, case_id: str, column: str) -> Listing | None:
    """The known divergence expected/<framework>.yaml lists for this cell (a column `jax@0.4:cpu` is jax's), or None."""
    if not isinstance(baseline, Baseline) or column == "reference":
        return None
    return baseline.expected.get((column.split("@")[0].split(":")[0], case_id))


def _needs_reference(state: dict[str, Any], cell: Cell) -> bool:
    """A cell listed in expected/<framework>.yaml is judged against the reference, which must run with it."""
    return _listed(state["baseline"], *cell) is not None


def _run_cell(config: pytest.Config, state: dict[str, Any], cell: Cell) -> tuple[CaseRecord, dict[str, Environment]]:
    """The record and environment of the run that answered `cell`; runs a batch of selected cells if needed.

    The batch is every selected cell not run yet, or under xdist those of this cell's column
    (the scheduler gives a worker whole columns), plus the reference cells the batch is judged
    against. Under xdist the first batch that needs the reference runs it for every selected
    listed cell, and later batches reuse those outcomes, so a worker starts the reference once.
    """
    if cell not in state["records"]:
        from oracle.results import execute, parse_columns
        from oracle.session import answered as answered_in

        worker = hasattr(config, "workerinput")
        batch = {c for c in state["selected"] or [cell] if c not in state["records"]
                 and (not worker or c[1] == cell[1])} | {cell}
        listed = {case_id for case_id, column in batch if _needs_reference(state, (case_id, column))}
        if listed and worker:
            listed |= {case_id for case_id, column in state["selected"] if _needs_reference(state, (case_id, column))}
        todo = batch | {(case_id, "reference") for case_id in listed if (case_id, "reference") not in state["records"]}
        names = [c for c in state["columns"] if any(column == c for _, column in todo) or (c == "reference" and listed)]
        wanted = {case_id for case_id, _ in todo} | listed
        cases = [loaded for case_id, loaded in state["cases"].items() if case_id in wanted]
        log_dir = Path(tempfile.mkdtemp(prefix="oracle-logs-"))  # worker stderr, for a crash's post-mortem
        answered = answered_in(state["runs"])  # valid for this process: no fingerprints to check
        results = execute(cases, parse_columns(",".join(names), "cpu"), log_dir, previous=answered, cells=todo,
                          prints={cell: "" for cell in answered.cells} if answered else None)
        state["runs"].append((results, todo))
        by_id = {r["id"]: r for r in results["cases"]}
        for case_id, column in todo:
            state["records"].setdefault((case_id, column), (by_id[case_id], results["environment"]))
    return state["records"][cell]


def _batches(state: dict[str, Any]) -> list[str]:
    """'torch: 12 cells'-style lines, one per column of each batch: each is one start of that column's worker."""
    lines = []
    for _, batch in state["runs"]:
        for column in sorted({column for _, column in batch}):
            lines.append(f"{column}: {sum(1 for _, c in batch if c == column)} cell(s)")
    return lines


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect what each worker ran, for the summary."""
    ran = getattr(node, "workeroutput", {}).get("oracle_batches", [])
    node.config.stash.setdefault(WORKER_BATCHES, []).extend(f"{node.gateway.id}: {line}" for line in ran)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What the oracle ran: the cost of the selection, and (under xdist) one worker start per column and worker."""
    mine: list[str] = _batches(config.stash[RUN_KEY]) if RUN_KEY in config.stash else []
    workers: list[str] = config.stash[WORKER_BATCHES] if WORKER_BATCHES in config.stash else []
    lines = mine + workers
    if lines:
        terminalreporter.write_sep("-", "oracle: cells run per column worker start")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """--oracle-update: write the baseline of the cells that ran (the selected ones), leaving the others alone."""
    if RUN_KEY not in session.config.stash:
        return
    state = session.config.stash[RUN_KEY]
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["oracle_batches"] = _batches(state)
    if not session.config.getoption("oracle_update"):
        return
    folder: Path = state["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    # xdist workers finish at the same time and merge into the same case files: one at a time
    with open(_lock_path(folder), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        selected = set(state["selected"])
        for results, batch in state["runs"]:
            write_snapshot(_only(results, batch & selected), folder, overrides(list(state["cases"].values())))


def _lock_path(folder: Path) -> Path:
    """A lock per baseline folder, outside it: nothing is left behind in the committed folder."""
    import hashlib
    import tempfile

    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"oracle-update-{digest}.lock"


def _only(results: ResultsDocument, cells: set[Cell]) -> ResultsDocument:
    """The results document cut to `cells` (a batch also holds the reference cells run to judge listed items)."""
    records: list[CaseRecord] = [{**r, "columns": {n: o for n, o in r["columns"].items() if (r["id"], n) in cells}}
                                 for r in results["cases"]]
    columns = {column for _, column in cells}
    return {**results, "cases": [r for r in records if r["columns"]],
            "environment": {n: e for n, e in results["environment"].items() if n in columns}}
