"""Custom bindings stay the exception: counted, each with its reason, and only as many as today.

An op's binding is declared (oracle/ops): a call, a method, an `expression` (a list argument, a
subscript, a method on a built object, a layout transpose around a call, a renamed keyword), ...
`custom` names a function in the adapter, for what a declaration cannot say. This walks each
adapter's CUSTOM table and counts the functions behind it (one function bound to several ops, or
to one op in several frameworks as the idioms are, counts once), prints the count, and fails
above the ceiling: a ratchet (issue 25, item 2: 151 functions before the expression kind, 65 after;
the layers merge brought 106, the samplers as expressions and shared helpers 82; each layer op as
data run by one idiom per framework (adapters/layer_spec.py), the initialisers, pools, transposed
convolutions, band parts and torch schedulers as shared idioms parameterised by data, 46; torch's
seeded expressions (initialisers, categorical sample) and its linear schedule on the same data, 44;
flax's conv and nnx attention layers as data, the compiled body-run counts as one idiom, 40; the
layers3 merge's cells, 3-D transposed convolution, batch norm and initialisers on the same data, 40).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any, Callable

import pytest

from oracle.ops import FRAMEWORKS, OPS

CEILING = 40


def _function(bound: Callable[..., Any]) -> Any:
    """The function written in the adapter: through functools.partial and functools.wraps."""
    while True:
        if isinstance(bound, functools.partial):
            bound = bound.func
        elif hasattr(bound, "__wrapped__"):
            bound = bound.__wrapped__
        else:
            return bound


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, Callable[..., Any]]]:
    for name in ("torch", "tensorflow", "jax"):
        pytest.importorskip(name)
    return {fw: importlib.import_module(f"adapters.{fw}").CUSTOM for fw in FRAMEWORKS}


def _written(tables: dict[str, dict[str, Callable[..., Any]]]) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = {}
    for fw, table in tables.items():
        for name, bound in table.items():
            found.setdefault(_function(bound).__code__, []).append(f"{fw}:{name}")
    return found


def test_custom_binding_functions_do_not_grow(tables: dict[str, dict[str, Callable[..., Any]]]) -> None:
    written = _written(tables)
    lines = sorted(f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_name} <- {', '.join(names)}"
                   for code, names in written.items())
    print(f"{len(written)} custom binding functions (ceiling {CEILING}):", *lines, sep="\n  ")
    assert len(written) <= CEILING, f"{len(written)} custom binding functions, above the ceiling {CEILING}"


def test_every_custom_function_says_why_it_is_custom(tables: dict[str, dict[str, Callable[..., Any]]]) -> None:
    """A one-line reason, its docstring's first line: what a declaration cannot express."""
    silent = sorted({f"{fw}:{name}" for fw, table in tables.items() for name, bound in table.items()
                     if not (inspect.getdoc(_function(bound)) or "").strip()})
    assert not silent, f"custom binding functions without a docstring saying why: {silent}"


def test_every_declared_custom_binding_has_its_function_and_no_function_is_unused(
        tables: dict[str, dict[str, Callable[..., Any]]]) -> None:
    declared = {(fw, leaf.target) for d in OPS.values() for fw in FRAMEWORKS for b in d.forms_of(fw).values()
                for leaf in b.leaves() if leaf.kind == "custom"}
    present = {(fw, name) for fw, table in tables.items() for name in table}
    assert not declared - present, sorted(declared - present)
    assert not present - declared, f"adapter functions no declaration names: {sorted(present - declared)}"
