"""`oracle explain`: an ad-hoc scenario from the command line, validated as a case file.

`oracle explain mse_loss --input pred=64,1 --input target=64` becomes a one-step case whose
inputs are the op's arguments in order. The case is written as YAML and loaded through
oracle.cases.load_case, so it gets exactly the validation (and messages) of a case file,
and `--save FILE` keeps a file that `oracle run` accepts.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from oracle.cases import _ID, DTYPES, FLOAT_DTYPES, CaseError, LoadedCase, load_case
from oracle.ops import OPS, Arg

_INPUT = re.compile(r"^(?P<name>[A-Za-z_]\w*)=(?P<shape>[0-9,\s]*)(?::(?P<dtype>\w+))?$")


class ExplainError(ValueError):
    """The command line does not describe a valid scenario."""


def parse_input(text: str) -> tuple[str, list[int], str]:
    """'pred=64,1:float64' -> ('pred', [64, 1], 'float64'); 'x=' is a scalar."""
    match = _INPUT.match(text.strip())
    if not match:
        raise ExplainError(f"--input {text!r}: expected NAME=SHAPE[:DTYPE], e.g. pred=64,1 or labels=64:int64")
    dims = [d for d in match["shape"].replace(" ", "").split(",") if d]
    dtype = match["dtype"] or "float32"
    if dtype not in DTYPES:
        raise ExplainError(f"--input {text!r}: dtype must be one of {', '.join(DTYPES)}")
    return match["name"], [int(d) for d in dims], dtype


def seeded_init(arg: Arg, dtype: str, seed: int, classes: int) -> dict[str, Any]:
    """Seeded inputs by the argument's declared domain: normal floats, uniform [0, 1) probabilities,
    positive values in [0.5, 2), integer labels below `classes`."""
    if dtype not in FLOAT_DTYPES:
        if dtype == "bool":
            raise ExplainError("bool inputs need explicit values; write a case file")
        return {"integers": {"seed": seed, "low": 0, "high": max(classes, 1)}}
    if arg.domain in ("probability", "binary"):
        return {"uniform": {"seed": seed, "low": 0.0, "high": 1.0}}
    if arg.domain == "positive":
        return {"uniform": {"seed": seed, "low": 0.5, "high": 2.0}}
    return {"normal": {"seed": seed}}


def build_case(op: str, inputs: list[str], attrs: list[str], grad: bool = False) -> dict[str, Any]:
    """The case file, as data, for one op applied to the given inputs (in the op's argument order)."""
    spec = OPS.get(op)
    if spec is None:
        import difflib

        nearest = difflib.get_close_matches(op, list(OPS), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(nearest)}? " if nearest else ""
        raise ExplainError(f"unknown op {op!r}; {hint}(`oracle ops` lists all {len(OPS)})")
    parsed = [parse_input(text) for text in inputs]
    if len(parsed) != len(spec.args):
        raise ExplainError(f"{op} takes {len(spec.args)} inputs ({', '.join(spec.arg_names)}), got {len(parsed)}")
    classes = parsed[0][1][-1] if parsed and parsed[0][1] else 2  # integer labels index the first input's last axis
    out = "loss" if spec.family == "loss" else "out"
    step = f"{out} = {op}({', '.join(name for name, _, _ in parsed)}"
    step += "".join(f", {a.strip()}" for a in attrs) + ")"
    case: dict[str, Any] = {
        "id": f"explain-{op.replace('_', '-')}",
        "title": f"{op} on " + " and ".join(f"{n} {s} {d}" for n, s, d in parsed),
        "description": "Written by `oracle explain`.",
        "tags": ["explain"],
        "inputs": {name: {"shape": shape, "dtype": dtype, "init": seeded_init(arg, dtype, seed, classes)}
                   for seed, ((name, shape, dtype), arg) in enumerate(zip(parsed, spec.args))},
        "steps": [step],
    }
    if grad:
        wrt = [name for name, _, dtype in parsed if dtype in FLOAT_DTYPES]
        if not wrt:
            raise ExplainError("--grad needs a float input")
        case["grad"] = {"of": out, "wrt": wrt}
    return case


def _on_the_command_line(error: CaseError, case: dict[str, Any]) -> str:
    """The loader's message, pointed at the command-line input it is about."""
    field = error.field
    if field.startswith("inputs."):
        name = field.split(".")[1]
        spec = case["inputs"].get(name, {})
        shape = ",".join(str(d) for d in spec.get("shape", []))
        return f"--input {name}={shape}:{spec.get('dtype', '?')}: {field.removeprefix(f'inputs.{name}.')}: " \
               f"{error.message}"
    if field.startswith("steps"):
        return f"the op and its --attr values ({case['steps'][0]}): {error.message}"
    if field.startswith("grad"):
        return f"--grad: {error.message}"
    return f"{field}: {error.message}" if field else error.message


def to_yaml(case: dict[str, Any]) -> str:
    return yaml.safe_dump(case, sort_keys=False, default_flow_style=None, width=110)


def load_built(case: dict[str, Any], save: Path | None = None, force: bool = False) -> LoadedCase:
    """Validate through the case-file loader; then keep the file at `save` when given (id = its stem).

    An existing `save` file is overwritten only with `force`. A validation error is told in
    terms of the command line (--input, --attr, --grad), not of the temporary file behind it.
    """
    if save is not None and save.exists() and not force:
        raise ExplainError(f"--save {save}: the file exists; add --force to overwrite it")
    if save is not None and re.match(_ID, save.stem):
        case = {**case, "id": save.stem}
    text = to_yaml(case)
    with tempfile.TemporaryDirectory(prefix="oracle-explain-") as folder:
        path = Path(folder) / f"{case['id']}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load_case(path)  # a bad scenario fails here, before anything is saved
        except CaseError as exc:
            raise ExplainError(_on_the_command_line(exc, case)) from None
    if save is None:
        return loaded
    save.parent.mkdir(parents=True, exist_ok=True)
    save.write_text(text, encoding="utf-8")
    return load_case(save)
