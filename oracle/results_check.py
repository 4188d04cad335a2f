"""The shape of a results.json, checked field by field before any command reads it.

`report`, `check`, `show` and `snapshot` index into the document freely; a document that
passes here cannot make them raise KeyError or TypeError. The first field that is wrong is
named in one line (ResultsError), with its place: `cases[3].columns.torch.warnings[0]`.
"""

from __future__ import annotations

import keyword
from typing import Any

from pydantic import BaseModel, ValidationError

from oracle.cases import DTYPES, Grad, Require, Source
from oracle.ops import OPS
from oracle.outcome import STATUSES, Outcome
from oracle.safeio import InputError, is_case_id
from oracle.semantics import ALTERNATIVES
from oracle.steps import Ref, parse_step


class ResultsError(InputError):
    """A results.json that cannot be used: unreadable, truncated, foreign or of another version. One line."""


_NUMBER = (int, float)
_OUTCOME = {"status": str, "framework": str, "version": str, "device": str, "warnings": list, "outputs": dict,
            "native_api": list, "elapsed_s": _NUMBER, "notes": dict, "error": (dict, type(None))}
_CASE = {"title": str, "file": str, "steps": list, "inputs": dict, "summary": str, "verdicts": list,
         "columns": dict, "semantics": dict, "grad": (dict, type(None))}
_ENV = {"framework": str, "device": str, "available": bool, "reason": str, "settings": dict}


def _fields(data: Any, kinds: dict[str, Any], where: str) -> None:
    if not isinstance(data, dict):
        raise ResultsError(f"{where} is not a mapping")
    for key, kind in kinds.items():
        if key not in data or isinstance(data[key], bool) and kind == _NUMBER or not isinstance(data[key], kind):
            raise ResultsError(f"{where}.{key} is missing or of the wrong type")


def _strings(values: Any, where: str) -> None:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ResultsError(f"{where} is not a list of strings")


def check_outcome(data: Any, where: str) -> None:
    _fields(data, _OUTCOME, where)
    if data["status"] not in STATUSES:
        raise ResultsError(f"{where}.status {data['status']!r} is not one of {', '.join(STATUSES)}")
    _strings(data["native_api"], f"{where}.native_api")
    if data.get("error") is not None:
        _fields(data["error"], {"type": str, "base": str, "message": str}, f"{where}.error")
    for i, w in enumerate(data["warnings"]):
        _fields(w, {"category": str, "message": str}, f"{where}.warnings[{i}]")
    for name, t in data["outputs"].items():
        _fields(t, {"nan": bool, "inf": bool}, f"{where}.outputs.{name}")
        if not {"shape", "dtype", "values"} <= t.keys():  # written even for a None tensor (Tensor.to_results)
            raise ResultsError(f"{where}.outputs.{name}: shape, dtype or values is missing")
        if t["shape"] is not None and (not isinstance(t["dtype"], str) or not isinstance(t["shape"], list)
                                       or not all(isinstance(d, int) and d >= 0 for d in t["shape"])):
            raise ResultsError(f"{where}.outputs.{name}: shape or dtype is not a tensor's")
    for key in ("reason", "unsupported"):
        if key in data["notes"] and not isinstance(data["notes"][key], str):
            raise ResultsError(f"{where}.notes.{key} is not a string")
    try:
        Outcome.from_results(data)  # the values must fit their shape and dtype
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ResultsError(f"{where} is not an outcome: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                           ) from None


def _program(case: dict[str, Any], where: str) -> None:
    """The steps parse, name registry ops, and use only inputs and earlier outputs: the report writes them out
    as snippets and would otherwise meet a name nothing defines."""
    if case.get("training"):  # a training case's steps also read the model's output (`pred`)
        return
    defined = set(case["inputs"])
    for j, text in enumerate(case["steps"]):
        try:
            step = parse_step(text)
        except ValueError as exc:
            raise ResultsError(f"{where}.steps[{j}] is not a step: {exc}") from None
        if step.op not in OPS:
            raise ResultsError(f"{where}.steps[{j}] calls {step.op!r}, which is not an op of the registry")
        unknown = [a.name for a in step.args if isinstance(a, Ref) and a.name not in defined]
        if unknown:
            raise ResultsError(f"{where}.steps[{j}] uses {unknown[0]!r}, which no input or earlier step defines")
        defined.update(step.names)


def _declared(model: type[BaseModel], data: Any, where: str) -> None:
    """`data` (None, or a part of a case carried into the results) as the case language's model declares it."""
    if data is None:
        return
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ResultsError(f"{where}.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _input(name: str, spec: Any, where: str) -> None:
    """An input as plan.py wrote it. Its name, dtype, initialiser and seed are written into snippets as code
    (`oracle verify --results` runs them): each must be what the case language allows, not any text."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ResultsError(f"{where}: {name!r} is not an input name (a Python identifier)")
    if not isinstance(spec, dict) or spec.get("dtype", 0) not in (*DTYPES, None):
        raise ResultsError(f"{where}.{name} is not a mapping with one of the dtypes {', '.join(DTYPES)}")
    init = spec.get("init")
    if init in (None, "values", "literal"):
        return
    kind, params = next(iter(init.items())) if isinstance(init, dict) and len(init) == 1 else ("", None)
    seeded = isinstance(params, dict) and isinstance(params.get("seed"), int) and not isinstance(params["seed"], bool)
    if not (kind == "fill" or kind in ("normal", "uniform", "integers") and seeded):
        raise ResultsError(f"{where}.{name}.init is not 'values', 'literal', fill or a seeded normal, uniform or "
                           "integers")


def check_document(data: dict[str, Any]) -> None:
    """Raise ResultsError naming the first field a command could not use."""
    if not isinstance(data.get("platform"), str):
        raise ResultsError("field 'platform' is missing or not a str")
    for name, columns in data["missing"].items():
        _strings(columns, f"missing.{name}")
    for name, env in data["environment"].items():
        _fields(env, _ENV, f"environment.{name}")
    for i, case in enumerate(data["cases"]):
        where = f"cases[{i}]"
        _fields(case, _CASE, where)
        if not is_case_id(case.get("id")):
            raise ResultsError(f"{where}.id {case.get('id')!r} is not a case id (lower-case letters, digits, . _ -)")
        _strings(case["steps"], f"{where}.steps")
        if not case["steps"]:
            raise ResultsError(f"{where}.steps is empty: a case has at least one step")
        if "\x00" in case["file"]:  # a path the OS refuses with ValueError, not OSError
            raise ResultsError(f"{where}.file holds a NUL character")
        _program(case, where)
        _declared(Source, case.get("source"), f"{where}.source")  # the claims ledger reads its `expect`
        _declared(Require, case.get("require"), f"{where}.require")
        _declared(Grad, case["grad"], f"{where}.grad")
        for name, key in case["semantics"].items():
            if key is not None and (not isinstance(key, str) or key and not set(key.split("+")) <= ALTERNATIVES.keys()):
                raise ResultsError(f"{where}.semantics.{name} is not a semantics the reference names")
        for name, spec in case["inputs"].items():
            _input(name, spec, f"{where}.inputs")
        snippets = case.get("snippets", {})  # shown as text by the report, never run (verify writes its own)
        if not isinstance(snippets, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in snippets.items()):
            raise ResultsError(f"{where}.snippets is not a mapping of column names to code")
        for j, v in enumerate(case["verdicts"]):
            _fields(v, {"columns": list, "kind": str, "explanation": str}, f"{where}.verdicts[{j}]")
            _strings(v["columns"], f"{where}.verdicts[{j}].columns")
        for name, outcome in case["columns"].items():
            if name not in data["environment"]:
                raise ResultsError(f"{where}.columns.{name} has no entry in environment")
            check_outcome(outcome, f"{where}.columns.{name}")
