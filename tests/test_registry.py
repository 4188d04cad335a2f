"""Generic tests over the op registry, OpInfo style: every declaration is walked, none is special-cased.

- every op declares a binding (or an explicit "no native form") for every framework, a reference
  formula, alternatives the reference can name, and at least one case that uses it;
- every binding resolves and fits its callable's signature inside its framework's worker;
- sample inputs per op run through every column without an oracle crash;
- every reference formula gives the same answer under NumPy float64 as in the reference column
  (JAX float64): an independent cross-check of the formulas, as OpInfo's `ref=`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.special

from oracle.cases import load_case, load_cases
from oracle.ops import FRAMEWORKS, OPS, Binding, OpDef, catalogue
from oracle.ops.refctx import R
from oracle.semantics import ALTERNATIVES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SHAPE = (2, 3)


def test_every_op_is_declared_completely() -> None:
    for declared in OPS.values():
        assert declared.reference is not None, f"{declared.name}: no reference formula"
        assert declared.doc, f"{declared.name}: no doc"
        for framework in FRAMEWORKS:
            binding = declared.binding(framework)
            assert isinstance(binding, Binding), f"{declared.name}: {framework} binding missing"
            for leaf in binding.leaves():
                assert leaf.kind != "none" or leaf.reason, f"{declared.name}: {framework} 'none' without a reason"
        for key in declared.alternatives:
            assert key in ALTERNATIVES, f"{declared.name}: alternative {key!r} is not in oracle/semantics.py"
    assert len(catalogue()) == len(OPS)


def test_every_op_has_a_case() -> None:
    used = {step.op for loaded in load_cases([ROOT / "cases"]) for step in loaded.steps}
    missing = sorted(set(OPS) - used)
    assert not missing, f"ops without a case under cases/: {missing}"


def test_docs_ops_is_generated_from_the_registry() -> None:
    from oracle.opslist import DOCS, markdown

    assert DOCS.read_text(encoding="utf-8") == markdown(catalogue()) + "\n", \
        "docs/ops.md is stale: run `.venv/bin/oracle ops --format markdown > docs/ops.md`"


def test_bindings_resolve_and_fit_their_signatures_in_every_worker() -> None:
    from oracle.opslist import framework_defaults

    live = framework_defaults()
    for framework in FRAMEWORKS:
        assert "unavailable" not in live[framework], live[framework]
        assert live[framework]["errors"] == {}, f"{framework} binding errors: {live[framework]['errors']}"
    # the signature defaults the workers report are the frameworks' own, e.g. torch's MSELoss reduction
    assert live["torch"]["defaults"]["mse_loss"]["reduction"] == "reduction='mean'"


# --- sample inputs, derived from the declarations -------------------------------------------

def sample_attr(kind: str, choices: tuple[Any, ...]) -> Any:
    if choices:
        return choices[0]
    return {"int": 1, "axis": 0, "axes": 0, "float": 0.5, "bool": False, "str": "x", "shape": [math.prod(SAMPLE_SHAPE)],
            "ints": [1], "floats": [1.0]}.get(kind)


def sampled(declared: OpDef) -> bool:
    """Ops a one-step sample can call: some input, not a layer builder, nor an op that takes a built layer
    (ops without inputs, such as a default initialiser drawn as statistics, have cases of their own)."""
    return bool(declared.args) and not declared.builds and all(a.kind != "object" for a in declared.args)


def out_names(declared: OpDef) -> list[str]:
    return list(declared.outputs) if declared.outputs and not declared.listed else ["out"]


def sample_case(declared: OpDef) -> dict[str, Any]:
    """A one-step case for `declared`: [2, 3] float inputs by domain, indices in range, required attributes."""
    inputs: dict[str, Any] = {}
    for seed, arg in enumerate(declared.args):
        if arg.kind == "int_tensor" or arg.domain == "index":
            inputs[arg.name] = {"shape": [SAMPLE_SHAPE[0]] if declared.family != "indexing" else [2],
                                "dtype": "int64", "init": {"integers": {"seed": seed, "low": 0, "high": 2}}}
        elif arg.domain in ("probability", "binary", "positive"):
            inputs[arg.name] = {"shape": list(SAMPLE_SHAPE), "init": {"uniform": {"seed": seed, "low": 0.1,
                                                                                    "high": 0.9}}}
        else:
            inputs[arg.name] = {"shape": list(SAMPLE_SHAPE), "init": {"normal": {"seed": seed}}}
    attrs = {name: sample_attr(a.type, a.choices) for name, a in declared.attrs.items() if a.required}
    call = ", ".join(list(inputs) + [f"{k}={v!r}".replace("'", "") if not isinstance(v, str) else f"{k}={v}"
                                     for k, v in attrs.items()])
    return {"id": f"sample-{declared.name.replace('_', '-')}", "title": f"{declared.name} on sample inputs",
            "inputs": inputs, "steps": [f"{', '.join(out_names(declared))} = {declared.name}({call})"]}


def _write_samples(folder: Path) -> list[Path]:
    import yaml

    paths = []
    for declared in filter(sampled, OPS.values()):
        case = sample_case(declared)
        path = folder / f"{case['id']}.yaml"
        path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every op's sample case through every column (one worker per column for all of them)."""
    from oracle.results import execute, parse_columns

    folder = tmp_path_factory.mktemp("samples")
    loaded = [load_case(p) for p in _write_samples(folder)]
    results = execute(loaded, parse_columns(",".join(("reference", *FRAMEWORKS)), "cpu"), folder / "logs")
    return {c["id"]: c for c in results["cases"]}


def test_sample_inputs_run_through_every_column_without_an_oracle_crash(sample_run: dict[str, Any]) -> None:
    crashes = {f"{cid}[{col}]": o["notes"].get("reason") for cid, case in sample_run.items()
               for col, o in case["columns"].items() if o["status"] in ("crash", "timeout")}
    assert not crashes, crashes
    unsupported = {f"{cid}[{col}]": o["notes"].get("unsupported") for cid, case in sample_run.items()
                   for col, o in case["columns"].items() if o["status"] == "unsupported"}
    assert all(reason for reason in unsupported.values()), unsupported  # always with the reason


def _numpy_reference(declared: OpDef, case: dict[str, Any], inputs: dict[str, np.ndarray]) -> Any:
    from oracle.steps import parse_step

    step = parse_step(case["steps"][0])
    attrs = {name: step.attrs.get(name, a.reference_value()) for name, a in declared.attrs.items()}
    values = [inputs[a.name] if hasattr(a, "name") else a for a in step.args]
    r = R(np, scipy.special)
    with np.errstate(all="ignore"):
        return declared.reference(r, *[v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
                                       for v in values],  # type: ignore[misc]
                                  **attrs)


def _wide(values: Any) -> type:
    """complex128 for complex results (fft, complex), float64 otherwise: the imaginary parts are compared too."""
    return np.complex128 if np.iscomplexobj(values) else np.float64


@pytest.mark.parametrize("name", sorted(n for n, d in OPS.items() if sampled(d)))
def test_reference_formula_agrees_under_numpy(sample_run: dict[str, Any], name: str) -> None:
    from oracle.plan import plan

    declared = OPS[name]
    case = sample_case(declared)
    cell = sample_run[case["id"]]["columns"]["reference"]
    inputs = plan(load_case(Path(sample_run[case["id"]]["file"]))).inputs
    try:
        result = _numpy_reference(declared, case, inputs)
        expected = result if declared.outputs else np.asarray(result, dtype=_wide(result))
    except Exception as exc:
        assert cell["status"] in ("error", "unsupported"), f"NumPy raised {exc!r}, the reference computed"
        return
    assert cell["status"] == "ok", f"the reference {cell['status']}: {cell.get('error') or cell['notes']}"
    from oracle.outcome import Tensor

    names = out_names(declared)
    if declared.listed or len(names) > 1:  # several results: compare each
        produced = list(_numpy_reference(declared, case, inputs))
        names = [f"out.{i}" for i in range(len(produced))] if declared.listed else names
    else:
        produced = [expected]
    for name_, want in zip(names, produced):
        got = Tensor.from_results(cell["outputs"][name_]).values
        want = np.asarray(want, dtype=_wide(want))
        assert got is not None and got.shape == want.shape, name_
        np.testing.assert_allclose(got.astype(_wide(got)), want, rtol=1e-9, atol=1e-12, equal_nan=True)
