"""The upgrade report of `oracle diff-versions`: what changed from one stack to the next, grouped, attributed.

Each case whose outcome differs between two version columns (in the terms of `check`) is one change,
classified by kind (now raises, now computes, error class changed, values, dtype, shape, NaN/Inf,
warnings appeared / disappeared) and credited to the package whose version changed where only one did.
Identical changes (same kind, same behaviour on each side) collapse into one entry with a count. A call
the adapter could not make in one version (the API is absent there: a `binding error`) is not a change of
behaviour and is listed apart. `versions/accepted.yaml` turns a reviewed change into a pass; an accepted
change that no longer happens is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from oracle.baseline import Override, changes
from oracle.model import CaseRecord, ResultsDocument
from oracle.outcome import Outcome

ABSENT = "not in this version of"  # oracle.native's BindingError text for an API a version lacks
KIND_ORDER = ("now raises", "now computes", "error class changed", "shape", "dtype", "NaN/Inf", "values",
              "warning appeared", "warning disappeared", "status")


def stack_label(packages: dict[str, str], framework: str) -> str:
    """'tensorflow 2.20.0 + keras 3.10.0': the packages a column's outcome depends on (numpy aside)."""
    shown = [f"{name} {version}" for name, version in packages.items() if name != "numpy"]
    return " + ".join(shown) or framework


def attribute(before: dict[str, str], after: dict[str, str]) -> str:
    """The package a change is credited to: the one whose version changed; 'a + b' when several did."""
    moved = [name for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name)]
    return " + ".join(moved) if moved else "no package version changed"


def _absent(o: Outcome) -> bool:
    return o.status == "crash" and ABSENT in str(o.notes.get("reason", ""))


def _side(o: Outcome) -> str:
    """How one side behaved, in the words identical changes share: status, error class, warning categories."""
    head = f"raises {o.error.public or o.error.type}" if o.status == "error" and o.error else o.status
    return head + "".join(f", warns {w.category}" for w in o.warnings)


def classify(before: Outcome, after: Outcome, kind: str, clauses: list[str]) -> str:
    if before.status == "ok" and after.status == "error":
        return "now raises"
    if before.status == "error" and after.status == "ok":
        return "now computes"
    if before.status != after.status:
        return "status"
    if before.error and after.error and before.error.type != after.error.type:
        return "error class changed"
    named = {"shape_mismatch": "shape", "dtype_mismatch": "dtype", "nan_inf_mismatch": "NaN/Inf",
             "value_mismatch": "values", "error_kind_mismatch": "error class changed"}
    if kind in named:
        return named[kind]
    return "warning appeared" if any("warning appeared" in c for c in clauses) else "warning disappeared"


@dataclass
class Change:
    kind: str
    cause: str  # the package credited
    before: str  # how the older column behaved
    after: str
    cases: list[str] = field(default_factory=list)
    explanation: str = ""  # the first case's clauses
    snippet: str = ""  # the first case's native reproduction (the same code runs in either version)
    accepted: str = ""  # the accept file's reason, when reviewed


class Accepted(BaseModel):
    """One entry of versions/accepted.yaml: a reviewed change between two columns."""

    model_config = ConfigDict(extra="forbid")
    case: str
    versions: str  # 'OLD -> NEW', the column names as diff-versions prints them
    kind: str
    reason: str


def load_accepted(path: Path) -> list[Accepted]:
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(raw, list):
            raise ValueError(f"{path}: expected a list of entries")
        return [Accepted.model_validate(item) for item in raw]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: {exc}") from None


@dataclass
class Pair:
    """One step of the upgrade: the changes from column `before` to column `after`."""

    before: str
    after: str
    before_label: str
    after_label: str
    changes: list[Change]
    absent: list[dict[str, str]]  # {case, version, reason}: not comparable, the API is absent there
    gone: list[dict[str, str]]  # accepted entries whose change no longer happens
    drift: dict[str, Any]

    @property
    def failing(self) -> list[Change]:
        return [c for c in self.changes if not c.accepted]


def compare(results: ResultsDocument, before: str, after: str, accepted: list[Accepted],
            tolerances: dict[str, Override] | None = None,
            snippet: Callable[[CaseRecord, str], str] = lambda record, framework: "") -> Pair:
    """The changes from `before` to `after`, grouped by kind, cause and behaviour."""
    columns = results.get("provenance", {}).get("columns", {})
    stacks = {name: columns.get(name, {}).get("packages", {}) for name in (before, after)}
    framework = results["environment"][after]["framework"]
    cause = attribute(stacks[before], stacks[after])
    versions = f"{before} -> {after}"
    reviewed = {(a.case, a.kind): a for a in accepted if a.versions == versions}
    groups: dict[tuple[str, str, str], Change] = {}
    absent, seen = [], set()
    for record in results["cases"]:
        if before not in record["columns"] or after not in record["columns"]:
            continue
        a, b = (Outcome.from_results(record["columns"][c]) for c in (before, after))
        if _absent(a) or _absent(b):
            where = before if _absent(a) else after
            absent.append({"case": record["id"], "version": where,
                           "reason": str((a if _absent(a) else b).notes["reason"])})
            continue
        kind, clauses = changes(a, b, (tolerances or {}).get(record["id"], (None, None)), (before, after))
        if not clauses:
            continue
        label = classify(a, b, kind, clauses)
        seen.add((record["id"], label))
        key = (label, _side(a), _side(b))
        change = groups.setdefault(key, Change(label, cause, key[1], key[2], explanation="; ".join(clauses),
                                               snippet=snippet(record, framework)))
        change.cases.append(record["id"])
        ok = reviewed.get((record["id"], label))
        if ok is not None:
            change.accepted = ok.reason
    for change in groups.values():  # a group passes only when every case in it was reviewed
        if change.accepted and not all((c, change.kind) in reviewed for c in change.cases):
            change.accepted = ""
    gone = [{"case": a.case, "kind": a.kind, "reason": a.reason} for a in reviewed.values()
            if (a.case, a.kind) not in seen]
    ordered = sorted(groups.values(), key=lambda c: (KIND_ORDER.index(c.kind), c.cause, -len(c.cases)))
    return Pair(before, after, stack_label(stacks[before], before), stack_label(stacks[after], after), ordered,
                absent, gone, {})


def to_json(pairs: list[Pair]) -> str:
    return json.dumps({"upgrade_version": 1, "pairs": [asdict(p) for p in pairs]}, indent=1) + "\n"


def to_markdown(pairs: list[Pair]) -> str:
    lines = ["# Upgrade report", ""]
    for p in pairs:
        lines += [f"## {p.before_label} -> {p.after_label}", "",
                  f"Columns `{p.before}` -> `{p.after}`: {sum(len(c.cases) for c in p.changes)} case(s) changed in "
                  f"{len(p.changes)} distinct change(s), {len(p.failing)} not accepted; {len(p.absent)} not "
                  "comparable (API absent).", ""]
        for kind in KIND_ORDER:
            group = [c for c in p.changes if c.kind == kind]
            if not group:
                continue
            lines += [f"### {kind} ({sum(len(c.cases) for c in group)})", ""]
            for c in group:
                count = f" x{len(c.cases)}" if len(c.cases) > 1 else ""
                status = f" (accepted: {c.accepted})" if c.accepted else ""
                lines += [f"- **{c.cause}**{count}{status}: {c.before} -> {c.after}; cases: "
                          + ", ".join(f"`{case}`" for case in c.cases), f"  - {c.explanation}"]
                if c.snippet:
                    lines += ["", "  ```python", *(f"  {line}" for line in c.snippet.splitlines()), "  ```", ""]
            lines.append("")
        if p.absent:
            lines += ["### Not comparable: API absent in one version", ""]
            lines += [f"- `{a['case']}`: API absent in {a['version']}: {a['reason']}" for a in p.absent] + [""]
        if p.gone:
            lines += ["### Accepted changes that no longer happen (remove them from the accept file)", ""]
            lines += [f"- `{g['case']}` {g['kind']}: {g['reason']}" for g in p.gone] + [""]
        if p.drift:
            lines += [f"Bit drift within tolerance: {p.drift['count']} of {p.drift['total']} outputs both computed "
                      f"are not bit-identical (max abs difference {p.drift['largest']:.3g}).", ""]
    return "\n".join(lines)


def to_html(pairs: list[Pair]) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(to_markdown(pairs))  # text, not markup
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Upgrade report</title><style>"
            "body{font-family:sans-serif;max-width:1180px;margin:auto;padding:0 20px}pre{overflow-x:auto;"
            "background:#f6f8fa;padding:8px}</style></head><body>\n" + body + "</body></html>\n")


def write(pairs: list[Pair], out: Path) -> list[Path]:
    from oracle.results import write_atomic

    written = []
    for name, text in (("upgrade.json", to_json(pairs)), ("upgrade.md", to_markdown(pairs)),
                       ("upgrade.html", to_html(pairs))):
        write_atomic(out / name, text)
        written.append(out / name)
    return written
