"""The code's layering: no import circle among the project's modules, function-level imports included.

An import inside a function is how a circle is usually kept alive; it counts here as any other. The
report is built from the results document only (oracle/model.py types it): nothing it reaches, directly
or through another module, runs cases, reads case files or writes snippets; results.build carries the
snippets in the document.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("oracle/**/*.py"), *ROOT.glob("adapters/*.py")]:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


@functools.cache  # parsed once for the tests below, which only read it
def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports anywhere in its text (`from pkg import sub` is pkg.sub)."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
                targets = subs if len(subs) == len(node.names) else [node.module, *subs]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    assert circles(import_graph()) == []


def reachable(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen: set[str] = set()
    todo = [t for m in start for t in graph.get(m, ())]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph.get(module, ())
    return seen


def test_reachable_follows_imports_through_other_modules() -> None:
    assert reachable({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a"}}, {"a"}) == {"b", "c"}


# what runs cases, reads case files or builds the results document (snippets included)
BUILDING = {"oracle.execute", "oracle.native", "oracle.cases", "oracle.snippets", "oracle.snippet_grad",
            "oracle.snippet_rule", "oracle.results", "oracle.plan", "oracle.inputs", "oracle.runner", "oracle.worker"}


def test_no_module_pair_imports_each_other() -> None:
    graph = import_graph()
    pairs = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, ())})
    assert pairs == []


def test_the_report_is_built_from_results_only() -> None:
    graph = import_graph()
    report = {m for m in graph if m.startswith("oracle.report")}
    assert report and BUILDING <= graph.keys()  # the names above are modules that exist
    reached = reachable(graph, report) - report
    assert not reached & (BUILDING | {"oracle.baseline"}), sorted(reached & (BUILDING | {"oracle.baseline"}))


def test_the_baseline_does_not_reach_into_the_report_or_the_snippets() -> None:
    reached = reachable(import_graph(), {"oracle.baseline"})
    assert not any(t.startswith("oracle.report") for t in reached), sorted(reached)
    assert not reached & {"oracle.snippets", "oracle.snippet_grad", "oracle.snippet_rule"}
