"""Regression baselines: snapshot what every column does, then check a new run against it.

Layout of a baseline folder (committed, so it must diff well in git):

    environment.json        versions, device, interpreter of each column; the precision below
    cases/<case-id>.json    each column's outcome: status, error, warnings, outputs
    expected/<framework>.yaml   divergences from the reference known and accepted (data)

Floats are rounded to SIGNIFICANT_DIGITS of their dtype: enough that rounding stays at
least 20x below that dtype's comparison tolerance (oracle/diff.py), few enough that a
re-run on another CPU does not rewrite every digit. A snapshot over an existing baseline
rewrites only the cells (case, column) that changed semantically (what a check would
report); a cell within tolerance keeps its stored digits, so `make baseline` on another
CPU leaves the files alone. The recorded platform changes only with a snapshot of every
case the baseline holds, and only when that snapshot rewrites a case (so another machine that
sees the same outcomes leaves environment.json alone too). Keys are sorted; innermost rows
of a tensor stand on one line, wrapped ROW_LINE numbers a line past ROW_WRAP, so that a
1,024-value row gives a readable `git diff`.

A check compares each (case, column) of a fresh results document with the baseline by
semantic difference (oracle.diff), not by text: status, error kind and class, warnings
that appeared or disappeared, shape, dtype, NaN/Inf pattern, values beyond tolerance.
An item listed in expected/<framework>.yaml is judged against the reference instead: it
still diverges as listed (expected, does not fail), it now agrees (fixed, reported, does
not fail), or it diverges another way (changed, fails).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from oracle.cases import LoadedCase
from oracle.diff import KINDS, differences
from oracle.files import write_atomic
from oracle.judgement import against_reference, output_status_text, summarize
from oracle.model import CaseRecord, ColumnOutcome, Environment, ResultsDocument
from oracle.outcome import Outcome
from oracle.runner import PROJECT_ROOT
from oracle.safeio import MAX_BASELINE_BYTES, InputError, inside, is_case_id, read_text_bounded

SNAPSHOT_VERSION = 1
SIGNIFICANT_DIGITS = {"float64": 12, "float32": 8, "float16": 5, "bfloat16": 4}
DEFAULT_DIGITS = 12
ROW_WRAP = 16  # an innermost row longer than this is wrapped ...
ROW_LINE = 8  # ... this many numbers a line (about 140 characters of float64)
ENVIRONMENT = "environment.json"
Override = tuple[float | None, float | None]


# ---- snapshot -------------------------------------------------------------------------------------------------


def _round(values: Any, digits: int) -> Any:
    if isinstance(values, list):
        return [_round(v, digits) for v in values]
    if isinstance(values, float):
        return float(f"{values:.{digits}g}")  # keeps -0.0; "nan"/"inf" stay strings
    return values


def snapshot_outcome(outcome: ColumnOutcome, followed: str | None) -> dict[str, Any]:
    """The part of a results.json outcome that a baseline keeps (no timings, no reference alternatives)."""
    outputs = {name: {**t, "values": _round(t["values"], SIGNIFICANT_DIGITS.get(t["dtype"] or "", DEFAULT_DIGITS))}
               for name, t in outcome["outputs"].items()}
    return {"status": outcome["status"], "framework": outcome["framework"], "version": outcome["version"],
            "device": outcome["device"], "error": outcome["error"], "warnings": outcome["warnings"],
            "outputs": outputs, "native_api": outcome["native_api"],
            **({"output_status": outcome["output_status"]} if outcome.get("output_status") else {}),  # isolate
            "semantics": followed}  # informational: which reference semantics it followed; not compared


def snapshot_case(record: CaseRecord) -> dict[str, Any]:
    return {"id": record["id"], "file": _portable(record["file"]), "steps": record["steps"], "grad": record["grad"],
            **({"file_sha256": record["file_sha256"]} if record.get("file_sha256") else {}),  # to tell an edit apart
            "summary": record["summary"],  # informational, not compared
            "columns": {name: snapshot_outcome(o, record["semantics"].get(name))
                        for name, o in record["columns"].items()}}


def _portable(file: str) -> str:
    """A case file's path relative to the project, so the baseline does not name one checkout."""
    path = Path(file).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else file


def dumps(data: Any, indent: int = 0) -> str:
    """JSON with sorted keys, one key per line, and each innermost list of numbers on one line."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(data, dict) and data:
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in sorted(data.items())]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(data, list) and any(isinstance(v, (dict, list)) for v in data):
        return "[\n" + ",\n".join(f"{inner}{dumps(v, indent + 1)}" for v in data) + f"\n{pad}]"
    if isinstance(data, list) and len(data) > ROW_WRAP:
        lines = [json.dumps(data[i:i + ROW_LINE], allow_nan=False, separators=(", ", ": "))[1:-1]
                 for i in range(0, len(data), ROW_LINE)]
        return "[\n" + ",\n".join(f"{inner}{line}" for line in lines) + f"\n{pad}]"
    return json.dumps(data, allow_nan=False, separators=(", ", ": "))


def write_snapshot(results: ResultsDocument, folder: Path,
                   tolerances: dict[str, Override] | None = None) -> list[Path]:
    """Write (or merge into) a baseline folder: the environment and one file per case; returns the files written.

    A stored cell that the fresh one does not change semantically (`changes`, with the case's
    tolerance override from `tolerances`) is kept as it is; a file whose content would not
    change is not rewritten (and not returned).
    """
    tolerances = tolerances or {}
    env_path = folder / ENVIRONMENT
    old_env_text = _read_if_there(env_path)
    old_env = _parse(env_path, old_env_text, dict) if old_env_text is not None else {}
    stored_ids = {p.stem for p in (folder / "cases").glob("*.json")}
    subset = bool(old_env) and not stored_ids <= {r["id"] for r in results["cases"]}
    written = []
    for record in results["cases"]:
        path = case_path(folder, record["id"])
        new = snapshot_case(record)
        old_text = _read_if_there(path)
        if old_text is not None:  # a run of some columns keeps the other columns' baselines
            old = _parse(path, old_text, dict)
            if "file_sha256" not in old and new.get("file_sha256") == record.get("file_sha256"):
                new.pop("file_sha256", None)  # a baseline recorded before the digest gains it only when rewritten
            override = tolerances.get(record["id"], (None, None))
            new["columns"] = {**old["columns"], **{name: _unless_same(old["columns"].get(name), cell, override)
                                                   for name, cell in new["columns"].items()}}
        if _write_if_changed(path, dumps(new) + "\n", old_text):
            written.append(path)
    keep_platform = "platform" in old_env and (subset or not written)
    environment = {"snapshot_version": SNAPSHOT_VERSION,
                   "platform": old_env["platform"] if keep_platform else results["platform"],
                   "significant_digits": {**SIGNIFICANT_DIGITS, "other floats": DEFAULT_DIGITS},
                   "columns": {**old_env.get("columns", {}), **results["environment"]}}
    if _write_if_changed(env_path, dumps(environment) + "\n", old_env_text):
        written.insert(0, env_path)
    return written


def _unless_same(stored: dict[str, Any] | None, fresh: dict[str, Any], override: Override) -> dict[str, Any]:
    """The stored cell when the fresh one differs only within tolerance (and in nothing recorded beside values)."""
    if stored is None:
        return fresh
    kind, clauses = changes(Outcome.from_results(stored), Outcome.from_results(fresh), override)
    if clauses or kind:
        return fresh
    # same semantics: keep the stored digits, take the fresh metadata (version, native API, ...)
    outputs = {name: {**t, "values": stored["outputs"][name]["values"]} if name in stored["outputs"] else t
               for name, t in fresh["outputs"].items()}
    return {**fresh, "outputs": outputs}


def _read_if_there(path: Path) -> str | None:
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return read_text_bounded(path, MAX_BASELINE_BYTES)
    except InputError as exc:
        raise BaselineError(str(exc)) from None


def _parse(path: Path, text: str, kind: type) -> Any:
    """A baseline file's JSON, of the kind expected; BaselineError (one line) for a truncated or foreign one."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: not valid JSON ({str(exc).splitlines()[0]}); truncated?") from None
    if not isinstance(data, kind):
        raise BaselineError(f"{path}: expected a JSON {'object' if kind is dict else kind.__name__}, "
                            f"got {type(data).__name__}")
    return data


def _write_if_changed(path: Path, text: str, old_text: str | None) -> bool:
    """Write `text` unless the file already holds it (`old_text`: what it held when read, None if absent)."""
    if old_text == text:
        return False
    write_atomic(path, text)
    return True


def case_path(folder: Path, case_id: str) -> Path:
    """Where a case's baseline lives; an id that is not a case id, or a path out of the folder, is refused."""
    if not is_case_id(case_id):
        raise BaselineError(f"{case_id!r} is not a case id; no baseline file is named after it")
    try:
        return inside(folder, f"cases/{case_id}.json")
    except InputError as exc:
        raise BaselineError(str(exc)) from None


# ---- expected divergences ---------------------------------------------------------------------------------------


class ExpectedDivergence(BaseModel):
    """One entry of expected/<framework>.yaml: this framework diverges from the reference on this case."""

    model_config = ConfigDict(extra="forbid")
    case: str
    kind: Literal[KINDS[1:]]  # type: ignore[valid-type]  # any verdict kind but 'agree'
    reason: str


@dataclass
class Baseline:
    folder: Path
    environment: dict[str, Any]
    cases: dict[str, dict[str, Any]]
    expected: dict[tuple[str, str], ExpectedDivergence]  # (framework, case id) -> entry
    expected_files: dict[tuple[str, str], Path] = field(default_factory=dict)


class BaselineError(InputError):
    """A baseline folder or file that cannot be used; one line naming it. `missing`: there is no baseline
    yet (an update creates it)."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def load_expected(folder: Path) -> tuple[dict[tuple[str, str], ExpectedDivergence], dict[tuple[str, str], Path]]:
    entries: dict[tuple[str, str], ExpectedDivergence] = {}
    files: dict[tuple[str, str], Path] = {}
    for path in sorted((folder / "expected").glob("*.yaml")):
        framework = path.stem
        try:
            raw = yaml.safe_load(_read_if_there(path) or "") or []
            if not isinstance(raw, list):
                raise BaselineError(f"{path}: expected a list of entries, got {type(raw).__name__}")
            for i, item in enumerate(raw):  # noqa: B007
                entry = ExpectedDivergence.model_validate(item)
                entries[(framework, entry.case)] = entry
                files[(framework, entry.case)] = path
        except ValidationError as exc:
            first = exc.errors()[0]
            raise BaselineError(f"{path}: entry {i + 1}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
        except yaml.YAMLError as exc:
            raise BaselineError(f"{path}: {exc}") from None
    return entries, files


def load_baseline(folder: Path) -> Baseline:
    env_path = folder / ENVIRONMENT
    if not env_path.exists():
        raise BaselineError(f"no baseline in {folder} (no {ENVIRONMENT}); "
                            f"create one with `oracle snapshot --out {folder}`", missing=True)
    cases = {p.stem: _case_file(p) for p in sorted((folder / "cases").glob("*.json"))}
    expected, files = load_expected(folder)
    environment = _parse(env_path, _read_if_there(env_path) or "", dict)
    stored = environment.get("columns", {})
    if not isinstance(stored, dict) or not all(isinstance(env, dict) for env in stored.values()):
        raise BaselineError(f"{env_path}: columns is not a mapping of column environments")
    return Baseline(folder, environment, cases, expected, files)


def _case_file(path: Path) -> dict[str, Any]:
    """One stored case: its columns must be outcomes a check can compare."""
    from oracle.results_check import ResultsError, check_outcome

    data = _parse(path, _read_if_there(path) or "", dict)
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise BaselineError(f"{path}: columns is missing or not a mapping")
    for name, cell in columns.items():
        try:
            check_outcome({"elapsed_s": 0.0, "notes": {}, "outputs": {}, "warnings": [], "native_api": [], **cell}
                     if isinstance(cell, dict) else cell, f"columns.{name}")
        except ResultsError as exc:
            raise BaselineError(f"{path}: {exc}") from None
    return data


# ---- check ------------------------------------------------------------------------------------------------------

State = Literal["same", "changed", "new", "expected", "fixed", "edited"]
FAILING: tuple[str, ...] = ("changed", "new", "edited")  # edited: the case file changed since its baseline


@dataclass
class Item:
    """The judgement of one (case, column)."""

    case: str
    column: str
    state: State
    explanation: str = ""
    hint: str = ""
    kind: str = ""  # the first difference's kind (oracle.diff KINDS) or the listed divergence kind
    seen: str = ""  # what this run did, in a few words
    stored: str = ""  # what the baseline says
    snippet: str = ""  # native code that reproduces this run's outcome (carried in the results), if it has one

    @property
    def failed(self) -> bool:
        return self.state in FAILING


@dataclass
class CheckReport:
    items: list[Item]
    unused_baselines: list[Path]
    unused_expected: list[str]
    environment_changes: list[str]

    @property
    def exit_code(self) -> int:
        return 1 if any(i.failed for i in self.items) else 0

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)


def changes(before: Outcome, now: Outcome, override: Override = (None, None),
            sides: tuple[str, str] = ("baseline", "now")) -> tuple[str, list[str]]:
    """What changed semantically from `before` to `now`: (first kind, one clause per change); ('', []) if nothing."""
    if before.status != now.status:
        return _status_change(before, now, sides)
    if now.status not in ("ok", "error"):
        return "", []  # both unsupported, both unavailable...: nothing comparable changed
    found = [d for d in differences(before, now, True, override, sides) if d.kind != "warning_only"]
    kind = found[0].kind if found else ""
    clauses = [d.detail for d in found]
    if before.error and now.error and before.error.base == now.error.base and before.error.type != now.error.type:
        clauses.append(f"{sides[1]} raises {now.error.type} instead of {before.error.type} (same base "
                       f"{now.error.base}): {now.error.message}")
        kind = kind or "error_kind_mismatch"
    warned = {w.category: w.message for w in before.warnings}
    warns = {w.category: w.message for w in now.warnings}
    for category in sorted(warns.keys() - warned.keys()):
        clauses.append(f"{sides[1]}: warning appeared: {category}: {warns[category]}")
    for category in sorted(warned.keys() - warns.keys()):
        clauses.append(f"{sides[1]}: warning gone: {category}: {warned[category]}")
    kind = kind or ("warning_only" if clauses else "")
    return kind, clauses


def _status_change(before: Outcome, now: Outcome, sides: tuple[str, str]) -> tuple[str, list[str]]:
    def said(o: Outcome) -> str:
        if o.status == "error" and o.error:
            return f"raised {o.error.type}: {o.error.message}"
        reason = o.notes.get("reason") or o.notes.get("unsupported")
        return f"is {o.status}" + (f" ({reason})" if reason else "")

    kind = "silent_divergence" if {before.status, now.status} == {"ok", "error"} else "incomparable"
    before_text = "computed" if before.status == "ok" else said(before)
    now_text = "computes" if now.status == "ok" else said(now).replace("raised", "raises")
    return kind, [f"status {before.status} -> {now.status}: {sides[0]} {before_text}; {sides[1]} {now_text}"]


def reproduce(record: CaseRecord, column: str, stored: dict[str, Any] | None = None) -> str:
    """A one-line reproduction hint: the oracle command and the native calls behind the steps."""
    outcome = record["columns"][column]
    steps = "; ".join(record["steps"])
    native = ", ".join(outcome["native_api"] or (stored or {}).get("native_api") or []) \
        or f"the calls in adapters/{outcome['framework']}.py"  # an error before any call records none
    return (f"reproduce: oracle show {record['id']} (file {_portable(record['file'])}); "
            f"natively in {column}: {steps} via {native}")


def judge(record: CaseRecord, column: str, baseline: Baseline, framework: str,
          override: Override = (None, None)) -> Item:
    """Judge one (case, column) of a fresh results record against the baseline and the expected divergences."""
    case_id = record["id"]
    now = Outcome.from_results(record["columns"][column])
    stored = baseline.cases.get(case_id, {}).get("columns", {}).get(column)
    hint = reproduce(record, column, stored)
    kind, clauses = changes(Outcome.from_results(stored), now, override) if stored is not None else ("", [])
    # a listed divergence is judged against the reference; without it (`--columns tensorflow`) the column is
    # judged against its baseline like any other
    ran_reference = "reference" in record["columns"]
    listed = baseline.expected.get((framework, case_id)) if column != "reference" and ran_reference else None
    if listed is not None:  # a change since the baseline is told, not failed
        since = f" (changed since the baseline: {'; '.join(clauses)})" if clauses else ""
        verdict = against_reference(record, column)
        if verdict == "agree":
            where = baseline.expected_files[(framework, case_id)]
            return Item(case_id, column, "fixed", f"listed as {listed.kind} ({listed.reason}) but now agrees with "
                        f"the reference: remove it from {where}{since}", hint, listed.kind)
        if verdict == listed.kind:
            return Item(case_id, column, "expected", listed.reason + since, hint, listed.kind)
        return Item(case_id, column, "changed", f"listed as {listed.kind} ({listed.reason}) but the verdict against "
                    f"the reference is now {verdict}{since}", hint, verdict or "")
    if stored is None:
        return Item(case_id, column, "new", f"no baseline for this column in {case_path(baseline.folder, case_id)}; "
                    "record it with `oracle check --update`", hint)
    if not clauses:
        return Item(case_id, column, "same")
    recorded = baseline.cases.get(case_id, {}).get("file_sha256")
    if recorded and record.get("file_sha256") and recorded != record["file_sha256"]:
        # the case, not the framework, moved: one line, no snippet; the update re-records it
        return Item(case_id, column, "edited", f"{_portable(record['file'])} changed since the baseline was "
                    f"recorded ({len(clauses)} difference(s), first: {clauses[0][:120]})", "", kind)
    return Item(case_id, column, "changed", "; ".join(clauses), hint, kind, describe_outcome(record["columns"][column]),
                describe_outcome(stored), native_snippet(record, framework, column))


def native_snippet(record: CaseRecord, framework: str, column: str = "") -> str:
    """The report's reproduction snippet for this column ('' for the reference, an op with no native form, or a
    document older than the snippets it carries): the form sub-column's own, else its framework's."""
    carried = record.get("snippets") or {}
    return carried.get(column) or carried.get(framework) or ""


def describe_outcome(o: Mapping[str, Any]) -> str:
    """'ok, warned UserWarning; loss [] float32 = 0.5; grad.pred [64, 1] float32 (mean ..)' and the like."""

    if o["status"] == "error" and o.get("error"):
        head = f"raised {o['error']['type']}: {o['error']['message']}"
    else:
        head = o["status"]
    head += "".join(f", warned {w['category']}" for w in o.get("warnings", []))
    isolated = [f"{name} {output_status_text(s)}" for name, s in (o.get("output_status") or {}).items()]
    return "; ".join([head, *(f"{name} {summarize(t)}" for name, t in o.get("outputs", {}).items()), *isolated])


def overrides(cases: list[LoadedCase]) -> dict[str, Override]:
    """Each case's tolerance override, so a check uses the same tolerance as the run's diff."""
    return {c.id: ((c.case.tolerance.rtol, c.case.tolerance.atol) if c.case.tolerance else (None, None)) for c in cases}


def check(results: ResultsDocument, baseline: Baseline, cases: list[LoadedCase], whole: bool = True) -> CheckReport:
    """Every (case, column) of `results` against `baseline`; baselines and listings no case uses are reported
    when `whole` (the run held the whole suite: a run of one file leaves the others' baselines alone)."""
    tolerances = overrides(cases)
    envs = results["environment"]
    items = [judge(record, column, baseline, envs[column]["framework"], tolerances.get(record["id"], (None, None)))
             for record in results["cases"] for column in record["columns"]]
    ids = {c.id for c in cases}
    unused = [case_path(baseline.folder, cid) for cid in sorted(baseline.cases) if cid not in ids] if whole else []
    unused_expected = [f"{baseline.expected_files[key]}: {key[1]}" for key in sorted(baseline.expected)
                       if key[1] not in ids] if whole else []
    return CheckReport(items, unused, unused_expected, environment_changes(baseline.environment, envs))


def environment_changes(stored: dict[str, Any], now: dict[str, Environment]) -> list[str]:
    """'torch 2.13.0 -> 2.14.0'-style lines for each column whose version or device moved."""
    lines = []
    for column, env in now.items():
        before = stored.get("columns", {}).get(column)
        if before is None:
            lines.append(f"{column} is not in the baseline environment")
            continue
        for key in ("version", "device"):
            if before.get(key) != env.get(key):
                lines.append(f"{column} {key} {before.get(key) or '?'} -> {env.get(key) or '?'}")
    return lines


def format_report(report: CheckReport, verbose: bool = False, advice: str = "") -> list[str]:
    """The lines `oracle check` prints: changes first, each with its explanation and reproduction hint."""
    lines = [f"environment: {line}" for line in report.environment_changes]
    shown = ("changed", "edited", "new", "fixed", "expected", "same") if verbose else ("changed", "edited", "new",
                                                                                        "fixed")
    for state in shown:
        for item in (i for i in report.items if i.state == state):
            kind = f" {item.kind}" if item.kind else ""
            lines.append(f"{state.upper()}{kind}: {item.case} [{item.column}]: {item.explanation}".rstrip(": "))
            if item.seen:
                lines += [f"    now:      {item.seen}", f"    baseline: {item.stored}"]
            if item.hint and state in ("changed", "new"):
                lines.append(f"    {item.hint}")
            lines += [f"    | {line}" for line in item.snippet.splitlines()]
    lines += [f"unused baseline: {p} (no case with this id)" for p in report.unused_baselines]
    if advice and report.count("edited"):
        lines.append(f"edited cases: check the new outcomes above, then re-record them: {advice}")
    if advice and report.count("changed") + report.count("new"):
        lines.append(f"if the changes are intended: {advice}")
    lines += [f"unused expected divergence: {e} (no case with this id)" for e in report.unused_expected]
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("same", "changed", "edited", "new", "expected", "fixed"))
    lines.append(f"{len(report.items)} items (case x column): {counts}")
    return lines
