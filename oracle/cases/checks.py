"""Checks beyond the schema, against the op registry: steps, claims, model, values, custom rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from oracle.cases.messages import CaseError, dotted, line_for, pydantic_message, suggest
from oracle.cases.schema import FLOAT_DTYPES, MAX_RANK, Case, CustomRule, Expect
from oracle.forms import check_forms
from oracle.inputs import make_input, shape_of_values
from oracle.ops import OPS
from oracle.steps import Ref, Step, StepSyntaxError, parse_step
from oracle.vectorize import vmap_problem


class LoadedCase:
    """A validated case and the file it came from; a variant's id is `base[variant]`."""

    def __init__(self, case: Case, path: Path, steps: list[Step], variant: str | None = None) -> None:
        self.case, self.path, self.steps, self.variant = case, path, steps, variant

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def base_id(self) -> str:
        """The id the file declares (its name); the case id without a variant."""
        return self.case.id.split("[", 1)[0]


def validate(data: dict[str, Any], path: Path, lines: dict[tuple[Any, ...], int],
              variant: str | None = None) -> LoadedCase:
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise pydantic_message(path, exc, lines, data, Case) from None
    _check_values(case, path, lines)
    steps = _check_steps(case, path, lines)
    if case.forms:
        wrong = check_forms(case.forms, steps)
        if wrong is not None:
            raise CaseError(path, line_for(("forms", wrong[0]), lines), f"forms.{wrong[0]}", wrong[1])
    if variant is not None:
        case = case.model_copy(update={"id": f"{case.id}[{variant}]", "title": f"{case.title} [{variant}]"})
    return LoadedCase(case, path, steps, variant)


def _check_steps(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> list[Step]:
    defined = set(case.inputs)
    if case.model is not None:
        _check_model(case, path, lines)
        defined.add(case.model.output)
    steps: list[Step] = []
    for i, text in enumerate(case.steps):
        at = ("steps", i)

        def fail(message: str) -> CaseError:
            return CaseError(path, line_for(at, lines), dotted(at), message)  # noqa: B023

        try:
            step = parse_step(text)
        except StepSyntaxError as exc:
            raise fail(f"{exc} in {text!r}; expected `out = op(arg, ..., key=value)`") from None
        spec = OPS.get(step.op)
        if spec is None:
            raise fail(f"unknown op {step.op!r}{suggest(step.op, OPS)}")
        several = spec.outputs and not spec.listed
        if several and len(step.names) != len(spec.outputs):
            raise fail(f"{step.op} gives {len(spec.outputs)} outputs ({', '.join(spec.outputs)}): write "
                       f"`{', '.join(spec.outputs)} = {step.op}(...)`")
        if not several and step.outs:
            kind = "a list (observed as name.0, name.1, ...)" if spec.listed else "one output"
            raise fail(f"{step.op} gives {kind}: name it once")
        names = spec.arg_names
        if len(step.args) != len(names):
            raise fail(f"{step.op} takes {len(names)} arguments ({', '.join(names)}), got {len(step.args)}")
        for arg in step.args:
            if isinstance(arg, Ref) and arg.name not in defined:
                raise fail(f"{arg.name!r} is not defined before this step{suggest(arg.name, defined)}")
        if step.vmap is not None and (wrong := vmap_problem(step)):
            raise fail(f"vmap({step.op}, ...): {wrong}")
        for key, value in step.attrs.items():
            attr = spec.attrs.get(key)
            if attr is None:
                known = ", ".join(spec.attrs) or "none"
                raise fail(f"{step.op} has no attribute {key!r}{suggest(key, spec.attrs)}; attributes: {known}")
            problem = attr.check(value)
            if problem:
                close = suggest(str(value), attr.choices) if attr.choices and isinstance(value, str) else ""
                raise fail(f"{step.op}: {key} {problem}{close}")
        for key, attr in spec.attrs.items():
            if attr.required and key not in step.attrs:
                raise fail(f"{step.op} needs the attribute {key!r} ({attr.type})")
        for name in step.names:
            if name in case.inputs:
                raise fail(f"step output {name!r} shadows an input")
        defined.update(step.names)
        steps.append(step)
    outputs = {name for s in steps for name in s.names}
    listed = {s.out for s in steps if OPS[s.op].listed}
    if case.grad is not None:
        if case.grad.of not in outputs:
            raise CaseError(path, line_for(("grad", "of"), lines), "grad.of",
                            f"{case.grad.of!r} is not a step output{suggest(case.grad.of, outputs)}")
        for j, name in enumerate(case.grad.wrt):  # an integer or boolean input is allowed: the frameworks decide
            if name not in case.inputs:
                raise CaseError(path, line_for(("grad", "wrt", j), lines), f"grad.wrt[{j}]",
                                f"{name!r} is not an input{suggest(name, case.inputs)}")
        for key, given in (("cotangent", case.grad.cotangent), ("tangent", case.grad.tangent)):
            if given is not None and given not in case.inputs:
                raise CaseError(path, line_for(("grad", key), lines), f"grad.{key}",
                                f"{given!r} is not an input{suggest(given, case.inputs)}")
    for out, rule in (case.custom_gradient or {}).items():
        check_rule(case, out, rule, steps, path, lines)
    if case.train is not None and case.train.loss not in outputs:
        raise CaseError(path, line_for(("train", "loss"), lines), "train.loss",
                        f"{case.train.loss!r} is not a step output{suggest(case.train.loss, outputs)}")
    objects = {s.out for s in steps if OPS[s.op].builds}
    for j, name in enumerate(case.observed() if case.observe is not None else []):
        if name in objects:
            raise CaseError(path, line_for(("observe", j), lines), f"observe[{j}]",
                            f"{name!r} is a layer or metric object; observe its state through ops (running_mean, ...)")
        if name.startswith("grad.") and name not in outputs and name.split(".", 1)[0] not in listed:
            wrt = case.grad.wrt if case.grad else []  # gradients are outputs: observe may name them
            if name[5:] not in wrt:
                known = ", ".join(f"grad.{w}" for w in wrt) or "none (the case has no `grad`)"
                raise CaseError(path, line_for(("observe", j), lines), f"observe[{j}]",
                                f"{name!r} is not a gradient the case takes; gradients: {known}")
        elif name not in outputs and name not in case.inputs and name.split(".", 1)[0] not in listed:
            raise CaseError(path, line_for(("observe", j), lines), f"observe[{j}]",
                            f"{name!r} is not a step output{suggest(name, outputs)}")
    if isinstance(case.isolate, list):
        for j, name in enumerate(case.isolate):
            if name not in outputs:
                raise CaseError(path, line_for(("isolate", j), lines), f"isolate[{j}]",
                                f"{name!r} is not a step output{suggest(name, outputs)}")
    _check_expect(case, path, lines)
    return steps


def _check_expect(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    """Outputs named by a claim's expectation (and by `require`) must be ones the case records."""
    if case.source and case.source.expect:
        _check_named(case, case.source.expect, ("source", "expect"), path, lines)
    if case.require:
        _check_named(case, case.require, ("require",), path, lines)


def _check_named(case: Case, expect: Expect, prefix: tuple[str, ...], path: Path,
                 lines: dict[tuple[Any, ...], int]) -> None:
    recorded = set(case.observed()) | {f"grad.{n}" for n in (case.grad.wrt if case.grad else [])}
    recorded |= {f"{s.out}.{i}" for s in case.parsed_steps() if OPS[s.op].listed for i in range(8)}
    named = [(("shapes", n), n) for n in expect.shapes or {}] + [(("values", n), n) for n in expect.values or {}]
    if expect.compare:
        named.append((("compare", "output"), expect.compare.output))
    for at, name in named:
        if name not in recorded:
            where = prefix + at
            raise CaseError(path, line_for(where, lines), dotted(where),
                            f"{name!r} is not a recorded output{suggest(name, recorded)}; recorded: "
                            f"{', '.join(sorted(recorded))}")


def _check_model(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    """The model's input is a float matrix [batch, features]; explicit weights fit their layer."""
    model = case.model
    assert model is not None
    spec = case.inputs.get(model.input)
    at = ("model", "input")
    if spec is None:
        raise CaseError(path, line_for(at, lines), "model.input",
                        f"{model.input!r} is not an input{suggest(model.input, case.inputs)}")
    if spec.literal is not None:
        raise CaseError(path, line_for(at, lines), "model.input", "a model's input is born in NumPy, not a literal")
    shape = spec.shape if spec.shape is not None else list(shape_of_values(spec.values))
    if len(shape) != 2 or spec.dtype not in FLOAT_DTYPES:
        raise CaseError(path, line_for(at, lines), "model.input",
                        f"{model.input!r} must be a float [batch, features] matrix, got {spec.dtype} {shape}")
    if model.output in case.inputs:
        raise CaseError(path, line_for(("model", "output"), lines), "model.output",
                        f"model output {model.output!r} shadows an input")
    fan_in = shape[1]
    for i, layer in enumerate(model.layers):
        for part, want in (("kernel", [fan_in, layer.units]), ("bias", [layer.units])):
            weight = getattr(layer, part)
            if weight is None or weight.values is None:
                continue
            where = ("model", "layers", i, part, "values")
            try:
                got = list(shape_of_values(weight.values))
            except ValueError as exc:
                raise CaseError(path, line_for(where, lines), dotted(where), str(exc)) from None
            if got != want:
                raise CaseError(path, line_for(where, lines), dotted(where),
                                f"{part} values have shape {got} but layer {i} needs {want}")
        fan_in = layer.units


def _check_values(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    for name, spec in case.inputs.items():
        if spec.values is None:
            continue  # a literal is the frameworks' to build, ragged or not
        at = ("inputs", name, "values")
        try:
            shape = shape_of_values(spec.values)
        except ValueError as exc:
            raise CaseError(path, line_for(at, lines), dotted(at), str(exc)) from None
        if len(shape) > MAX_RANK:
            raise CaseError(path, line_for(at, lines), dotted(at), f"rank {len(shape)} exceeds the limit of {MAX_RANK}")
        if spec.shape is not None and list(shape) != spec.shape:
            raise CaseError(path, line_for(at, lines), dotted(at),
                            f"values have shape {list(shape)} but shape says {spec.shape}")
        try:  # small by construction (the file is at most MAX_FILE_BYTES): build it once to see it fits the dtype
            make_input(spec)
        except (ValueError, OverflowError, TypeError) as exc:
            raise CaseError(path, line_for(at, lines), dotted(at),
                            f"values do not fit {spec.dtype}: {str(exc).splitlines()[0]}") from None


def check_rule(case: Case, out: str, rule: CustomRule, steps: list[Step], path: Path,
                lines: dict[tuple[Any, ...], int]) -> None:
    """A rule names a step output whose arguments are names; its steps use those, the output and the cotangent."""
    def fail(at: tuple[Any, ...], message: str) -> CaseError:
        return CaseError(path, line_for(("custom_gradient", out) + at, lines),
                         ".".join(["custom_gradient", out] + [str(a) for a in at]), message)

    made = [s for s in steps if out in s.names]
    if not made:
        raise fail((), f"{out!r} is not a step output{suggest(out, [n for s in steps for n in s.names])}")
    step = made[0]
    if step.outs or step.vmap or not all(isinstance(a, Ref) for a in step.args):
        raise fail((), "a custom gradient wraps a step with one output whose arguments are names")
    if len(rule.grads) != len(step.args):
        raise fail(("grads",), f"{step.op} takes {len(step.args)} arguments: give one gradient name each")
    known = {a.name for a in step.args if isinstance(a, Ref)} | {out, rule.cotangent}
    for j, text in enumerate(rule.backward):
        try:
            inner = parse_step(text)
        except StepSyntaxError as exc:
            raise fail(("backward", j), f"{exc} in {text!r}") from None
        if inner.op not in OPS:
            raise fail(("backward", j), f"unknown op {inner.op!r}{suggest(inner.op, OPS)}")
        for arg in inner.args:
            if isinstance(arg, Ref) and arg.name not in known:
                raise fail(("backward", j), f"{arg.name!r} is not the step's argument, output, the cotangent or an "
                                            f"earlier backward output{suggest(arg.name, known)}")
        known.update(inner.names)
    for j, name in enumerate(rule.grads):
        if name not in known:
            raise fail(("grads", j), f"{name!r} is not defined by the rule{suggest(name, known)}")
