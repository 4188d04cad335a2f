"""pytest plugin: case files as test items, one per (case, column), checked against the baseline.

`pytest cases/` is the regression suite. Registered through the `pytest11` entry point
(pyproject.toml); without an install, `pytest -p oracle.pytest_plugin cases/`.

Collection is limited to YAML files under the `oracle_cases` ini folders (default `cases`),
so test data elsewhere is never taken for the suite. The first item to run executes every
collected case through every column at once (one worker per column, as `oracle run`
does); each item then judges its own (case, column) with oracle.baseline.judge. An item
listed in baselines/expected/<framework>.yaml is marked xfail: XFAIL while it diverges as
listed, XPASS when it agrees with the reference.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from oracle.baseline import Baseline, BaselineError, Item, judge, load_baseline, overrides, write_snapshot
from oracle.cases import CaseError, LoadedCase, load_file
from oracle.runner import FRAMEWORKS

RUN_KEY = pytest.StashKey[dict[str, Any]]()


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
    return None


def _state(config: pytest.Config) -> dict[str, Any]:
    """Per-session: the baseline, the columns, and (after the first item) the run's results."""
    if RUN_KEY not in config.stash:
        folder = Path(config.getoption("oracle_baselines") or config.rootpath / config.getini("oracle_baselines"))
        try:
            baseline: Baseline | str = load_baseline(folder)
        except BaselineError as exc:
            baseline = str(exc)
        columns = (config.getoption("oracle_columns") or ",".join(FRAMEWORKS)).split(",")
        config.stash[RUN_KEY] = {"folder": folder, "baseline": baseline, "columns": [c.strip() for c in columns],
                                 "cases": {}, "results": None}
    return config.stash[RUN_KEY]


class CaseFile(pytest.File):
    def collect(self) -> Iterator[CaseItem]:
        try:
            found = load_file(self.path)
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
            listed = baseline.expected.get((column.split("@")[0].split(":")[0], loaded.id)) \
                if isinstance(baseline, Baseline) and column != "reference" else None
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
        results = _run_once(self.config, state)
        if self.config.getoption("oracle_update"):
            return
        baseline = state["baseline"]
        if not isinstance(baseline, Baseline):
            raise ChangeFound(f"{baseline}\n(run pytest with --oracle-update to create it)")
        record = next(r for r in results["cases"] if r["id"] == self.loaded.id)
        framework = results["environment"][self.column]["framework"]
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


def _run_once(config: pytest.Config, state: dict[str, Any]) -> dict[str, Any]:
    """Every collected case through every requested column, once per session; --oracle-update writes it."""
    if state["results"] is None:
        from oracle.results import execute, parse_columns

        cases = list(state["cases"].values())
        log_dir = Path(tempfile.mkdtemp(prefix="oracle-logs-"))  # worker stderr, for a crash's post-mortem
        state["results"] = execute(cases, parse_columns(",".join(state["columns"]), "cpu"), log_dir)
        if config.getoption("oracle_update"):
            write_snapshot(state["results"], state["folder"])
    return state["results"]
