"""Forms: the named public entry points of an op in one framework (`functional`, `module`, `keras.ops`...).

A case picks a form per framework (`forms: {torch: functional}`): every step whose op has that form
in that framework is called through it, the others through their default. `oracle run --forms all`
turns each framework column into one sub-column per form its cases' ops declare
(`tensorflow/keras.ops` beside `tensorflow/tf.nn`), so the diff compares two entry points of one
framework as it compares two frameworks. The declarations live in oracle/ops (OpDef.forms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from oracle.compiling import SWEEP
from oracle.ops import FRAMEWORKS, OPS
from oracle.runner import Column
from oracle.steps import Step


def forms_available(steps: Iterable[Step], framework: str) -> list[str]:
    """The form names the ops of these steps declare in `framework` (a `none` default is no form), in order."""
    found: dict[str, None] = {}
    for step in steps:
        declared = OPS.get(step.op)
        if declared is None:
            continue
        for name, binding in declared.forms_of(framework).items():
            if binding.kind != "none":
                found[name] = None
    return list(found)


def check_forms(forms: dict[str, str], steps: Sequence[Step]) -> tuple[str, str] | None:
    """(framework, message) for the first choice that no step's op can take, or None."""
    for framework, form in forms.items():
        if framework not in FRAMEWORKS:
            return framework, f"unknown framework {framework!r}; forms are chosen for {', '.join(FRAMEWORKS)}"
        have = forms_available(steps, framework)
        if form not in have:
            import difflib

            close = difflib.get_close_matches(form, have, n=1)
            hint = f", did you mean {close[0]!r}?" if close else ""
            return framework, (f"no step of this case has a {framework} form {form!r}{hint}; "
                               f"forms available: {', '.join(have) or 'none'}")
    return None


def sweep_columns(columns: Sequence[Column], steps_per_case: Iterable[Sequence[Step]]) -> list[Column]:
    """`--forms all`: each framework column whose cases' ops have two or more forms becomes one sub-column
    per form, named `<column>/<form>`; the reference and single-form columns stay as they are."""
    every = [list(s) for s in steps_per_case]
    out: list[Column] = []
    for column in columns:
        names: dict[str, None] = {}
        if column.framework in FRAMEWORKS:
            for steps in every:
                names.update(dict.fromkeys(forms_available(steps, column.framework)))
        if len(names) < 2:
            out.append(column)
            continue
        out += [Column(f"{column.name}/{form}", column.framework, column.device, column.python, form)
                for form in names]
    return out


def compile_columns(columns: Sequence[Column]) -> list[Column]:
    """`--compile both`: each framework column becomes `<column>/eager` and `<column>/compiled`
    (oracle/compiling.py), diffed as two columns; the reference stays as it is (it runs eagerly)."""
    out: list[Column] = []
    for column in columns:
        if column.framework not in FRAMEWORKS:
            out.append(column)
            continue
        out += [Column(f"{column.name}/{how}", column.framework, column.device, column.python, column.form, how)
                for how in SWEEP]
    return out
