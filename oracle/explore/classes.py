"""Divergence classes: an example's outcomes reduce to a signature; a scenario becomes a case.

The signature keeps what a reader would call "the same difference" and drops what varies
from one example to the next (values, shapes, messages): the op; per column ok or the
error class, and whether it warned; per column its verdict kind against the reference and
the semantics the reference named for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from oracle.cases import InputSpec
from oracle.diff import _value_differences
from oracle.explore.pool import Row
from oracle.inputs import make_input, shape_of_values
from oracle.ops import OPS
from oracle.request import Request
from oracle.steps import parse_step
from oracle.verdicts import diff_case

EXAMPLE_TIMEOUT_S = 60.0
QUIET = ("agree", "incomparable")  # verdicts against the reference that make no class on their own
WORDS = {"silent_divergence": "computes", "error_kind_mismatch": "error-kind", "warning_only": "warns",
         "shape_mismatch": "shape", "dtype_mismatch": "dtype", "nan_inf_mismatch": "nan-inf",
         "value_mismatch": "values", "hyperparameters_differ": "hyperparameters"}


def key(scenario: dict[str, Any]) -> str:
    """A canonical text of a scenario: the memo key (Hypothesis may draw one scenario twice)."""
    return json.dumps(scenario, sort_keys=True, separators=(",", ":"))


def _literal(value: Any) -> str:
    """An attribute value in step syntax (oracle/steps.py): numbers, words, true/false/null, lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return value if re.fullmatch(r"[A-Za-z_]\w*", value) else json.dumps(value)
    return repr(value)


def outputs(op: str) -> list[str]:
    """The step's output names: `out`, or each output of an op that gives several (`values, indices = top_k(...)`)."""
    spec = OPS[op]
    several = getattr(spec, "outputs", ())  # declared by ops with several outputs, where the registry has them
    return list(several) if several and not getattr(spec, "listed", False) else ["out"]


def step_text(scenario: dict[str, Any]) -> str:
    spec = OPS[scenario["op"]]
    args = [_literal(scenario["scalars"][a.name]) if a.kind == "scalar" else a.name for a in spec.args]
    args += [f"{k}={_literal(v)}" for k, v in scenario["attrs"].items()]
    return f"{', '.join(outputs(scenario['op']))} = {scenario['op']}({', '.join(args)})"


def request(scenario: dict[str, Any], case_id: str = "explore") -> Request:
    """The request every column receives, built without a file (a file is written for classes only)."""
    return Request(case_id=case_id,
                   inputs={n: make_input(InputSpec.model_validate(s)) for n, s in scenario["inputs"].items()},
                   steps=[parse_step(step_text(scenario))], observe=outputs(scenario["op"]),
                   timeout_s=EXAMPLE_TIMEOUT_S)


def _status(outcome: Any) -> str:
    text = f"error {outcome.error.type}" if outcome.status == "error" and outcome.error else outcome.status
    return text + (" warned" if outcome.warnings else "")


def signature(op: str, row: Row) -> dict[str, Any]:
    """{"op", "columns": {name: "ok" | "error ValueError" | ... [+ " warned"]},
    "against_reference": {name: verdict kind [+ " (semantics)"]}}."""
    verdicts, followed, _ = diff_case(row)
    against = {}
    for v in verdicts:
        if "reference" in v.columns:
            other = v.columns[0] if v.columns[1] == "reference" else v.columns[1]
            named = _all_followed(row[other], row["reference"]) if followed.get(other) is not None else []
            against[other] = v.kind + (f" ({'+'.join(named)})" if named else "")
    return {"op": op, "columns": {name: _status(o) for name, o in row.items()}, "against_reference": against}


def _all_followed(outcome: Any, reference: Any) -> list[str]:
    """Every semantics of the reference the outcome matches, not only the first: where two coincide
    ([] against [1] broadcasts and aligns alike) the example cannot tell them apart, and shrinking
    must not end there when the class is "broadcast, not align"."""
    if reference.status == "ok" and not _value_differences(outcome, reference.outputs, (None, None)):
        return ["strict"]
    return [k for k, outputs in reference.interpretations.items()
            if not _value_differences(outcome, outputs, (None, None))]


def departures(sig: dict[str, Any]) -> dict[str, str]:
    """Column -> verdict, for the columns departing from the reference (unsupported or crashed is not a
    departure in semantics), in column order."""
    return {c: k for c, k in sorted(sig["against_reference"].items()) if k.split(" ")[0] not in QUIET}


def interesting(sig: dict[str, Any]) -> bool:
    """A class worth a case: some column departs from the reference in a way the diff can tell."""
    return bool(departures(sig))


def signature_key(sig: dict[str, Any]) -> str:
    return json.dumps(sig, sort_keys=True, separators=(",", ":"))


def slug(sig: dict[str, Any]) -> str:
    """'mse-loss-torch-computes-jax-raises-1a2b3c': the op, the departing columns, a hash of the whole
    signature. It is the case id and the file name, so it is unique across ops."""
    parts = [sig["op"]]
    for name, kind in departures(sig).items():
        word = kind.split(" ")[0]
        if word == "silent_divergence":
            word = "raises" if sig["columns"][name].startswith("error") else "computes"
        else:
            word = WORDS.get(word, word)
        parts.append(f"{name}-{word}")
    digest = hashlib.sha1(signature_key(sig).encode()).hexdigest()[:6]
    return "-".join(parts + [digest]).replace("_", "-").lower()[-100:].lstrip("-.")


def readable(sig: dict[str, Any]) -> str:
    """'mse_loss: torch computes where the reference raises (broadcast) and warns; jax raises another error'."""
    deeds = [f"{c} {_deed(k, sig['columns'][c])}" for c, k in departures(sig).items()]
    return f"{sig['op']}: {'; '.join(deeds) or 'agrees'}"


def _shape_text(spec: dict[str, Any]) -> str:
    if "shape" in spec:
        return f"{spec['shape']} {spec['dtype']}"
    return f"{list(shape_of_values(spec['values']))} {spec['dtype']} (listed values)"


DEEDS = {"silent_divergence": "computes where the reference raises", "error_kind_mismatch": "raises another error",
         "warning_only": "warns", "shape_mismatch": "returns another shape", "dtype_mismatch": "returns another dtype",
         "nan_inf_mismatch": "differs in NaN/Inf", "value_mismatch": "returns other values"}


def _deed(kind: str, status: str) -> str:
    """'raises where the reference computes', 'computes where the reference raises (broadcast)'."""
    word, _, semantics = kind.partition(" ")
    text = "raises where the reference computes" if word == "silent_divergence" and status.startswith("error") \
        else DEEDS.get(word, word)
    return f"{text} {semantics}".strip() + (" and warns" if status.endswith("warned") and word != "warning_only" else "")


def case_data(scenario: dict[str, Any], sig: dict[str, Any], summary: str, seed: int, examples: int,
              ) -> dict[str, Any]:
    """The case file of a class, as data: a readable title, the explanation as description, and provenance."""
    op = scenario["op"]
    spec = OPS[op]
    name = slug(sig)
    inputs = ", ".join(f"{n} {_shape_text(s)}" for n, s in scenario["inputs"].items())
    kinds = sorted({k.split(" ")[0] for k in departures(sig).values()})
    deeds = [f"{c} {_deed(k, sig['columns'][c])}" for c, k in departures(sig).items()]
    title = f"{op} on {inputs or 'scalars'}" + (f" ({', '.join(f'{k}={_literal(v)}' for k, v in scenario['attrs'].items())})"
                                                 if scenario["attrs"] else "")
    title += f": {'; '.join(deeds)}"
    return {
        "id": name,
        "title": title,
        "description": f"Found by `oracle explore` and shrunk while its signature held. {summary}",
        "tags": ["explored", spec.family, *kinds],
        "inputs": scenario["inputs"],
        "steps": [step_text(scenario)],
        "explored": {"seed": seed, "examples": examples, "signature": sig},
    }
