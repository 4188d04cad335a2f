"""Variants: one case file, several cases (`case-id[variant]`), each the base case with changes applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oracle.cases.messages import CaseError, line_for, suggest
from oracle.cases.schema import Product, Variant
from oracle.steps import parse_step


def variant_line(exc: CaseError, i: int, changes: list[Variant], lines: dict[tuple[Any, ...], int]) -> int | None:
    """An error in steps or observe a variant replaced points at the variant's line, not the base case's."""
    key, _, index = exc.field.partition("[")
    if key.startswith("forms.") and any(key.split(".", 1)[1] in c.forms for c in changes):
        return line_for(("variants", i, "forms", key.split(".", 1)[1]), lines)
    if not any(getattr(c, key, None) is not None for c in changes if key in ("steps", "observe")):
        return exc.line
    at = ("variants", i, key) + ((int(index.split("]")[0]),) if index[:1].isdigit() else ())
    return line_for(at, lines)


def variant_list(variants: list[Variant] | Product) -> list[tuple[str, list[Variant]]]:
    import itertools

    if isinstance(variants, Product):
        return [(",".join(v.name for v in combo), list(combo)) for combo in itertools.product(*variants.product)]
    return [(v.name, [v]) for v in variants]


def apply_variant(data: dict[str, Any], changes: list[Variant], path: Path,
                   lines: dict[tuple[Any, ...], int]) -> dict[str, Any]:
    """The case file's data with a variant's changes applied, ready to validate as one case."""
    import copy

    out = copy.deepcopy({k: v for k, v in data.items() if k != "variants"})  # not the others: n copies of n variants
    for change in changes:
        for name, fields in change.inputs.items():
            if name not in out["inputs"]:
                raise CaseError(path, line_for(("variants",), lines), "inputs",
                                f"{name!r} is not an input{suggest(name, out['inputs'])}")
            spec = out["inputs"][name]
            if {"init", "values", "literal"} & fields.keys():  # a new source replaces the old one
                for key in ("init", "values", "literal"):
                    spec.pop(key, None)
                if {"values", "literal"} & fields.keys() and "shape" not in fields:
                    spec.pop("shape", None)  # explicit values carry their own shape
                if "literal" in fields and "dtype" not in fields:
                    spec.pop("dtype", None)  # a literal without a dtype is each framework's to infer
            spec.update(fields)
        if change.steps is not None:
            out["steps"] = list(change.steps)
        if change.observe is not None:
            out["observe"] = [o if isinstance(o, str) else o.model_dump() for o in change.observe]
        if change.forms:
            out["forms"] = {**(out.get("forms") or {}), **change.forms}
        if change.compile is not None:
            out["compile"] = change.compile
        if change.custom_gradient is not None:
            out["custom_gradient"] = change.custom_gradient
        if change.contrast_with is not None:
            out["contrast_with"] = change.contrast_with
        for target, attrs in change.attrs.items():
            steps = [parse_step(t) if isinstance(t, str) else None for t in out["steps"]]
            at = [i for i, s in enumerate(steps) if s is not None and target in s.names]
            if not at:
                raise CaseError(path, line_for(("variants",), lines), "attrs", f"{target!r} is not a step output")
            step = steps[at[0]]
            assert step is not None
            out["steps"][at[0]] = step.with_attrs(attrs).text
        if change.grad:
            if not isinstance(out.get("grad"), dict):
                raise CaseError(path, line_for(("variants",), lines), "grad", "the case has no `grad` to change")
            out["grad"].update(change.grad)
        if (change.claim or change.expect or change.example) and isinstance(out.get("source"), dict):
            if change.claim:
                out["source"]["claim"] = change.claim
            if change.expect:
                out["source"]["expect"] = change.expect.model_dump(exclude_none=True)
            if change.example:
                out["source"]["example"] = change.example
    return out
