"""`oracle explore`: generate scenarios per op, group them by signature, shrink each new class, write cases.

Two passes per op, both driven by Hypothesis with one seed and no example database:

1. Generate. A Hypothesis run whose test never fails only records the scenarios it draws,
   so the sequence does not depend on any framework. They are run in batches through the
   warm workers and each gets a signature (oracle/explore/classes.py).
2. Shrink. For each new interesting signature, the same Hypothesis run again with a test
   that fails on that signature: it replays the same sequence (answers come from the memo of
   pass 1), fails first at the same example, and Hypothesis shrinks it while the signature
   holds. No shrinker of our own.

Everything is a function of (op, seed, examples, framework versions), so one seed writes
the same files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import HypothesisException

from oracle.explore.classes import (
    case_data,
    departures,
    interesting,
    key,
    readable,
    request,
    signature,
    signature_key,
    slug,
)
from oracle.explore.pool import Pool, Row
from oracle.explore.strategies import explorable, scenarios
from oracle.ops import OPS
from oracle.verdicts import diff_case

BATCH = 64  # examples per run_batch message: large enough to amortise a round trip, small enough to report progress
SHRINK_BUDGET = 120  # new (not memoised) examples Hypothesis may run while shrinking one class


class _Target(Exception):
    """The example has the signature being shrunk."""


@dataclass
class ClassFound:
    signature: dict[str, Any]
    slug: str
    count: int
    first: dict[str, Any]
    minimal: dict[str, Any] | None = None
    summary: str = ""
    file: str | None = None  # written case file, relative to the output folder's parent
    known: str | None = None  # a case file elsewhere that already holds this class
    kept: bool = False  # its file existed with other content and was left alone (no --force)


@dataclass
class OpReport:
    op: str
    family: str
    examples: int
    seconds: float
    classes: list[ClassFound] = field(default_factory=list)
    departures: dict[str, int] = field(default_factory=dict)  # column -> examples not agreeing with the reference


def _settings(examples: int, shrink: bool) -> settings:
    return settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                    phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                    report_multiple_bugs=False)


def draw_scenarios(op: str, examples: int, seed: int) -> list[dict[str, Any]]:
    """Pass 1: the scenarios Hypothesis draws for `op` with this seed, in order."""
    drawn: list[dict[str, Any]] = []

    @hypothesis_seed(seed)
    @_settings(examples, shrink=False)
    @given(scenarios(OPS[op]))
    def record(scenario: dict[str, Any]) -> None:
        drawn.append(scenario)

    record()
    return drawn


class Memo:
    """Signatures of scenarios already run (pass 1 fills it; pass 2 adds the shrink candidates)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.rows: dict[str, Row] = {}

    def run(self, batch: list[dict[str, Any]]) -> None:
        todo = list({key(s): s for s in batch if key(s) not in self.rows}.items())
        for i in range(0, len(todo), BATCH):
            chunk = todo[i:i + BATCH]
            for (k, _), row in zip(chunk, self.pool.run([request(s) for _, s in chunk])):
                self.rows[k] = row

    def row(self, scenario: dict[str, Any]) -> Row:
        self.run([scenario])
        return self.rows[key(scenario)]


def shrink(op: str, examples: int, seed: int, target: str, memo: Memo, budget: int = SHRINK_BUDGET,
           ) -> dict[str, Any] | None:
    """Pass 2: the smallest scenario Hypothesis finds whose signature is `target`."""
    spent = 0
    last: list[dict[str, Any]] = []

    @hypothesis_seed(seed)
    @_settings(examples, shrink=True)
    @given(scenarios(OPS[op]))
    def check(scenario: dict[str, Any]) -> None:
        nonlocal spent
        if key(scenario) not in memo.rows:
            if spent >= budget:
                return  # budget spent: keep what was shrunk so far (deterministic: a count, not a clock)
            spent += 1
        if signature_key(signature(op, memo.row(scenario))) == target:
            last.append(scenario)
            raise _Target()

    try:
        check()
    except _Target:
        return last[-1]  # Hypothesis replays the minimal example last
    except HypothesisException:
        return None  # e.g. the replay did not reach the class: the caller keeps the unshrunk example
    return None


def existing_signatures(roots: list[Path], out: Path) -> dict[str, str]:
    """Signatures of explored cases already under `roots` (outside `out`): a class is not written twice."""
    found: dict[str, str] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.yaml")):
            if out in path.resolve().parents:
                continue
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            explored = data.get("explored") if isinstance(data, dict) else None
            if isinstance(explored, dict) and isinstance(explored.get("signature"), dict):
                found[signature_key(explored["signature"])] = str(path)
    return found


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=110, allow_unicode=True)


def explore_op(op: str, pool: Pool, examples: int, seed: int, out: Path | None, known: dict[str, str],
               budget: int = SHRINK_BUDGET, force: bool = False) -> OpReport:
    started = time.monotonic()
    drawn = draw_scenarios(op, examples, seed)
    memo = Memo(pool)
    memo.run(drawn)
    report = OpReport(op, OPS[op].family, len(drawn), 0.0)
    classes: dict[str, ClassFound] = {}
    for scenario in drawn:
        sig = signature(op, memo.rows[key(scenario)])
        for column in departures(sig):
            report.departures[column] = report.departures.get(column, 0) + 1
        if not interesting(sig):
            continue
        k = signature_key(sig)
        if k in classes:
            classes[k].count += 1
        else:
            classes[k] = ClassFound(sig, slug(sig), 1, scenario)
    for k, found in classes.items():
        found.minimal = shrink(op, examples, seed, k, memo, budget) or found.first
        found.summary = diff_case(memo.row(found.minimal))[2]
        found.known = known.get(k)
        if out is not None and found.known is None:
            path = out / op / f"{found.slug}.yaml"
            text = dump(case_data(found.minimal, found.signature, found.summary, seed, examples))
            found.file = f"{op}/{found.slug}.yaml"
            if path.exists() and path.read_text(encoding="utf-8") != text and not force:
                found.kept = True  # a file someone may have committed or edited: only --force replaces it
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    report.classes = list(classes.values())
    report.seconds = time.monotonic() - started
    if out is not None:
        write_atlas_entry(out, report, seed)
    return report


def write_atlas_entry(out: Path, report: OpReport, seed: int) -> None:
    """`DIR/<op>/atlas.json`: what `oracle atlas` renders (no timings: one seed, one file)."""
    entry = {"op": report.op, "family": report.family, "seed": seed, "examples": report.examples,
             "departures": dict(sorted(report.departures.items())),
             "classes": [{"slug": c.slug, "name": readable(c.signature), "count": c.count, "signature": c.signature,
                         "summary": c.summary,
                          "file": c.file, "known": c.known} for c in report.classes]}
    path = out / report.op / "atlas.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entry, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def select_ops(names: list[str], family: str | None) -> list[str]:
    if names:
        unknown = [n for n in names if n not in OPS]
        if unknown:
            raise ValueError(f"unknown op {unknown[0]!r}; see `oracle ops`")
        single = [n for n in names if not explorable(OPS[n])]
        if single:
            raise ValueError(f"{single[0]} takes a built object or no tensor: it needs a multi-step case")
        return names
    if family is not None:
        chosen = [n for n, o in OPS.items() if o.family == family or f"{o.family}es" == family
                  or f"{o.family}s" == family]
        if not chosen:
            raise ValueError(f"no op in family {family!r}")
        return [n for n in chosen if explorable(OPS[n])]
    return [n for n, o in OPS.items() if explorable(o)]


def explore(ops: list[str], pool: Pool, examples: int, seed: int, out: Path | None,
            roots: list[Path] | None = None, budget: int = SHRINK_BUDGET,
            progress: Callable[[OpReport], None] = lambda _: None, force: bool = False,
            starting: Callable[[str], None] = lambda _: None) -> list[OpReport]:
    known = existing_signatures(roots or [], out.resolve() if out is not None else Path("/nonexistent"))
    reports = []
    for op in ops:
        starting(op)
        report = explore_op(op, pool, examples, seed, out, known, budget, force)
        progress(report)
        reports.append(report)
    return reports
