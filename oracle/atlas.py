"""`oracle atlas`: the divergence classes exploration found, per op, and how often each framework departs.

Reads the `<op>/atlas.json` files `oracle explore` writes beside its cases and renders Markdown:
per op, each class with its count, how the frameworks split, and a link to its minimal case;
then a family x framework table of the share of examples where a column departs from the reference.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from oracle.safeio import MAX_ATLAS_BYTES, InputError, read_text_bounded


def add_parser(sub: Any) -> None:
    p = sub.add_parser("atlas", help="divergence classes found by `oracle explore`, per op and per family")
    p.add_argument("folder", nargs="?", default="reports/explore", help="explore's output (default: reports/explore)")
    p.add_argument("--out", help="write Markdown (or HTML, for a .html name) to this file (default: print it, "
                   "rendered at a terminal)")
    p.set_defaults(func=command)


def load(folder: Path) -> list[dict[str, Any]]:
    """Every atlas.json under `folder`, each checked to hold what render reads; InputError (one line) if not."""
    entries = []
    for path in sorted(folder.glob("*/atlas.json")):
        try:
            entry = json.loads(read_text_bounded(path, MAX_ATLAS_BYTES))
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{path}: not valid JSON ({str(exc).splitlines()[0]}); truncated?") from None
        _check(entry, path)
        entries.append(entry)
    return entries


def _check(entry: Any, path: Path) -> None:
    """The fields render uses, with their types: explore writes them; a hand-edited or torn file may not."""
    kinds: dict[str, Any] = {"op": str, "family": str, "examples": int, "seed": (int, str, type(None)),
             "departures": dict,
             "classes": list}
    if not isinstance(entry, dict):
        raise InputError(f"{path}: not an atlas (a JSON object)")
    for key, kind in kinds.items():
        if key not in entry or not isinstance(entry[key], kind) or isinstance(entry[key], bool):
            raise InputError(f"{path}: field {key!r} is missing or of the wrong type")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in entry["departures"].values()):
        raise InputError(f"{path}: departures must map columns to counts")
    for i, c in enumerate(entry["classes"]):
        if not (isinstance(c, dict) and isinstance(c.get("count"), int) and isinstance(c.get("slug"), str)
                and isinstance(c.get("signature"), dict) and isinstance(c["signature"].get("columns", {}), dict)
                and isinstance(c["signature"].get("against_reference", {}), dict)
                and isinstance(c.get("file") or "", str)):
            raise InputError(f"{path}: classes[{i}] is not a divergence class")


def _split(signature: dict[str, Any]) -> str:
    """'torch: ok warned, silent_divergence (broadcast); jax: error ValueError, agree'."""
    against = signature.get("against_reference", {})
    parts = []
    for column, status in signature.get("columns", {}).items():
        verdict = against.get(column)
        parts.append(f"{column}: {status}" + (f", {verdict}" if verdict else ""))
    return "; ".join(parts)


def render(entries: list[dict[str, Any]], link_base: str = "") -> str:
    lines = ["# Exploration atlas", ""]
    if not entries:
        return "\n".join(lines + ["Nothing explored yet: run `oracle explore`.", ""])
    lines += ["## How often each framework departs from the reference", "",
              ("Share of explored examples whose verdict against the reference is neither `agree` nor `incomparable` "
               "(unsupported, crashed) (family x column)."), ""]
    # every op of a family counts in each column's denominator, whether or not it departed there
    examples: dict[str, int] = {}
    departed: dict[str, dict[str, int]] = {}
    columns: list[str] = []
    for e in entries:
        examples[e["family"]] = examples.get(e["family"], 0) + e["examples"]
        fam = departed.setdefault(e["family"], {})
        for column, count in e["departures"].items():
            if column not in columns:
                columns.append(column)
            fam[column] = fam.get(column, 0) + count
    lines.append("| family | " + " | ".join(columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for family, total in sorted(examples.items()):
        counts = [departed[family].get(c, 0) for c in columns]
        cells = [f"{n / total:.0%} ({n}/{total})" if total else "" for n in counts]
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    for e in entries:
        lines += ["", f"## {e['op']} ({e['family']}; {e['examples']} examples, seed {e['seed']})", ""]
        if not e["classes"]:
            lines.append("No divergence class.")
            continue
        lines += ["| examples | class | how the columns split | minimal case |", "|---|---|---|---|"]
        for c in sorted(e["classes"], key=lambda c: -c["count"]):
            where = f"[{c['file']}]({link_base}{c['file']})" if c.get("file") else f"already in `{c.get('known')}`"
            name = c.get("name") or c["slug"]  # atlas files written before readable names carry the slug only
            lines.append(f"| {c['count']} | {name} | {_split(c['signature'])} | {where} |")
    return "\n".join(lines) + "\n"


def command(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    text = render(load(folder), "" if args.out is None else _relative(folder, Path(args.out)))
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(to_html(text) if out.suffix in (".html", ".htm") else text, encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console()
    if console.is_terminal:  # read at a terminal: rendered; piped: the Markdown itself
        console.print(Markdown(text))
    else:
        print(text, end="")
    return 0


def to_html(markdown: str) -> str:
    """The atlas as a standalone HTML page (markdown-it, which rich already brings)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Exploration atlas</title><style>"
            "body{font-family:sans-serif;max-width:1400px;margin:auto}table{border-collapse:collapse;display:block;"
            "overflow-x:auto}td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>\n"
            f"{body}</body></html>\n")


def _relative(folder: Path, out: Path) -> str:
    """Links in a Markdown file written elsewhere point back into the explore folder."""
    try:
        import os

        return os.path.relpath(folder.resolve(), out.resolve().parent) + "/"
    except ValueError:
        return str(folder.resolve()) + "/"
