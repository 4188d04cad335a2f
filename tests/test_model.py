"""A real results document holds to oracle/model.py, key by key and type by type.

mypy checks the readers against the model; this checks the writer: what `oracle run` wrote (read back
from results.json) has every required key, no key the model does not declare, and values of the declared
types, down to each tensor. A field added to results.build without the model fails here.
"""

from __future__ import annotations

import types
import typing
from typing import Any, NotRequired, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from oracle.model import CaseRecord, ResultsDocument


def problems(value: Any, kind: Any, where: str) -> list[str]:
    """Where `value` departs from the type `kind` ([] when it conforms); Any accepts everything."""
    origin, args = get_origin(kind), get_args(kind)
    if kind is Any:
        return []
    if origin is NotRequired:
        return problems(value, args[0], where)
    if origin in (Union, types.UnionType):
        each = [problems(value, option, where) for option in args]
        return [] if any(not e for e in each) else [f"{where}: {value!r:.60} is none of {kind}"]
    if kind is type(None):
        return [] if value is None else [f"{where}: {value!r:.60} is not None"]
    if is_typeddict(kind):
        if not isinstance(value, dict):
            return [f"{where}: not a mapping"]
        hints = get_type_hints(kind, include_extras=True)
        required = [key for key, hint in hints.items() if get_origin(hint) is not NotRequired]
        found = [f"{where}.{key}: missing" for key in required if key not in value]
        found += [f"{where}.{key}: not in the model" for key in value if key not in hints]
        return found + [p for key in value.keys() & hints.keys() for p in problems(value[key], hints[key], f"{where}.{key}")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: not a mapping"]
        return [p for k, v in value.items()
                for p in problems(k, args[0], f"{where} key") + problems(v, args[1], f"{where}.{k}")]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [p for i, v in enumerate(value) for p in problems(v, args[0], f"{where}[{i}]")]
    if kind is float:  # JSON writes a whole float as an int only when it is one; bool is no number here
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{where}: not a number"]
    if kind is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: not an int"]
    return [] if isinstance(value, kind) else [f"{where}: {type(value).__name__} is not {kind.__name__}"]


def test_the_checker_finds_what_departs() -> None:
    class Small(typing.TypedDict):
        a: int
        b: NotRequired[list[str] | None]

    assert problems({"a": 1}, Small, "x") == []
    assert problems({"a": 1, "b": None}, Small, "x") == []
    assert problems({"a": True}, Small, "x") == ["x.a: not an int"]
    assert problems({"b": ["s", 2]}, Small, "x") == ["x.a: missing", "x.b: [\'s\', 2] is none of list[str] | None"]
    assert problems({"a": 1, "c": 0}, Small, "x") == ["x.c: not in the model"]


@pytest.mark.usefixtures("pipeline")
def test_a_run_of_the_suite_conforms_to_the_model(pipeline: dict[str, Any]) -> None:
    document = {k: v for k, v in pipeline.items() if not k.startswith("_")}  # the fixture's shortcuts apart
    assert problems(document, ResultsDocument, "results") == []
    assert document["cases"] and all("snippets" in c for c in document["cases"])
    # the model covers what the suite exercises: isolated outputs, custom gradients, variants, snippets
    seen = {key for c in document["cases"] for key in c}
    assert {"isolate", "custom_gradient", "variant", "snippets", "source"} <= seen <= CaseRecord.__annotations__.keys()
