"""`oracle ops`: the registry as a table, JSON or Markdown (docs/ops.md is generated from it).

With `--defaults`, one worker per framework reports each attribute's own default where the
callable's signature shows one, and any binding that failed its check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from oracle.ops import FAMILIES, FRAMEWORKS, OPS, catalogue

DOCS = Path(__file__).resolve().parent.parent / "docs" / "ops.md"


def framework_defaults() -> dict[str, dict[str, Any]]:
    """framework -> {"defaults": op -> attr -> text, "errors": op -> binding error}, from live workers."""
    from oracle.worker_slot import LOST, Column, WorkerSlot

    found: dict[str, dict[str, Any]] = {}
    with open("/dev/null", "wb") as log:
        for framework in FRAMEWORKS:
            slot = WorkerSlot(Column(framework, framework), log, memory=0)
            try:
                if not slot.start():
                    found[framework] = {"defaults": {}, "errors": {}, "unavailable": slot.env.reason}
                    continue
                answer = slot.exchange({"type": "describe"}, 120.0)
                found[framework] = {"defaults": answer["defaults"], "errors": answer["errors"]}
            except LOST as exc:
                found[framework] = {"defaults": {}, "errors": {}, "unavailable": f"no answer in time ({exc!r})"}
            finally:
                slot.close()
    return found


def _attr_text(name: str, attr: dict[str, Any]) -> str:
    default = attr["default"]
    text = f"{name}={default}" if default != "framework" else f"{name}=framework"
    if default == "framework" and attr["reference"] is not None:
        text += f" (reference {attr['reference']!r})"
    return text


def markdown(rows: list[dict[str, Any]]) -> str:
    """docs/ops.md: every op per family, its arguments, attributes and bindings."""
    lines = ["# Ops", "", "Generated from the registry (`oracle/ops/`) by `oracle ops --format markdown`; "
             "do not edit by hand.", "",
             "An attribute `=framework` is not passed unless the case pins it: each framework's own default "
             "applies, and the reference uses the value in parentheses.", ""]
    counts = {f: sum(r["family"] == f for r in rows) for f in FAMILIES}
    lines += ["| family | ops |", "|---|---|"] + [f"| {f} | {n} |" for f, n in counts.items() if n]
    lines += [f"| all | {len(rows)} |", ""]
    weighted = [r["name"] for r in rows if r["weights"]]
    sampled = [r["name"] for r in rows if r["statistics"]]
    lines += [f"Layers built from canonical weights ({len(weighted)}): {', '.join(weighted)}.", "",
              f"Compared as statistics of a sample ({len(sampled)}): {', '.join(sampled)}.", ""]
    for family in FAMILIES:
        members = [r for r in rows if r["family"] == family]
        if not members:
            continue
        lines += [f"## {family}", "", "| op | args | attributes | torch | tensorflow | jax |", "|---|---|---|---|---|---|"]
        for r in members:
            args = ", ".join(a["name"] for a in r["args"])
            attrs = "<br>".join(_attr_text(n, a) for n, a in r["attrs"].items())
            cells = [_forms_cell(r, fw) for fw in FRAMEWORKS]
            lines.append(f"| `{r['name']}` | {args} | {attrs} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _forms_cell(row: dict[str, Any], framework: str) -> str:
    """One binding as before; several forms each named, the default first: `module (default): ...`."""
    forms = row["forms"][framework]
    if len(forms) < 2:
        return _cell(row["bindings"][framework])
    default = row["default_forms"][framework]
    return "<br>".join(f"{name}{' (default)' if name == default else ''}: {_cell(text)}"
                       for name, text in forms.items())


def _cell(text: str) -> str:
    text = text.replace("|", "\\|")
    return text if text.startswith("no native form") else f"`{text}`"


def family_named(name: str) -> str | None:
    """The family a user means: its name or a plural of it (losses, activations), as explore takes."""
    return next((f for f in FAMILIES if name in (f, f"{f}s", f"{f}es")), None)


def command(family: str | None, fmt: str, defaults: bool) -> int:
    family = family_named(family) or family if family is not None else None
    if family is not None and family not in FAMILIES:
        print(f"oracle ops: unknown family {family!r}; families: {', '.join(FAMILIES)}", file=sys.stderr)
        return 2
    rows = catalogue(family)
    if defaults:
        live = framework_defaults()
        for row in rows:
            row["framework_defaults"] = {fw: live[fw]["defaults"].get(row["name"], {}) for fw in FRAMEWORKS}
            row["binding_errors"] = {fw: "; ".join(text if key == row["name"] else f"{key}: {text}"
                                                   for key, text in live[fw]["errors"].items()
                                                   if key.split("/", 1)[0] == row["name"])
                                     for fw in FRAMEWORKS
                                     if any(k.split("/", 1)[0] == row["name"] for k in live[fw]["errors"])}
    if fmt == "json":
        print(json.dumps(rows, indent=1, default=str))
    elif fmt == "markdown":
        print(markdown(rows))
    else:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=f"{len(rows)} ops (* the default of several forms)", show_lines=False)
        for column in ("op", "family", "attributes", *FRAMEWORKS, "ref"):
            table.add_column(column, overflow="fold")
        for r in rows:
            attrs = ", ".join(_attr_text(n, a) for n, a in r["attrs"].items())
            binds = []
            for fw in FRAMEWORKS:
                forms = r["forms"][fw]
                text = r["bindings"][fw] if len(forms) < 2 else "\n".join(
                    f"{name}{'*' if name == r['default_forms'][fw] else ''}: {t}" for name, t in forms.items())
                if defaults and r["framework_defaults"][fw]:
                    text += " [" + ", ".join(r["framework_defaults"][fw].values()) + "]"
                binds.append(escape(text))
            table.add_row(r["name"], r["family"], escape(attrs), *binds, "yes" if r["reference"] else "no")
        Console(width=200).print(table)
    return 0


__all__ = ["DOCS", "OPS", "command", "framework_defaults", "markdown"]
