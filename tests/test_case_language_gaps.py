"""The case-language gaps of issue 20: infinite and NaN attributes, list arguments, YAML 1.2 floats, a
variant's literal without a dtype, gradient names in `observe`, the variant-name rule, and what
`oracle validate` counts. Native values are computed here, by the frameworks called directly (JAX in a
subprocess: its x64 flag is global)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_case_language import in_jax
from test_cases import write

from oracle.cases import VARIANT_RULE, CaseError, load_case, load_file
from oracle.model import CaseRecord
from oracle.outcome import Tensor
from oracle.steps import parse_step

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases" / "case-language"
RUN = ("attribute-infinities", "split-sizes", "variant-literal-inference")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseRecord]:
    """`oracle run` on this file's cases, as a user runs it; records by case id."""
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("gaps")
    assert main(["run", *(str(CASES / f"{name}.yaml") for name in RUN), "--out", str(out)]) == 0
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def values(record: dict[str, Any], name: str) -> Any:
    return Tensor.from_results(record["outputs"][name]).values


CASE = """id: case
title: t
inputs:
  x: {dtype: float32, values: [1.0, -3.0, 2.0]}
steps:
"""


# --- infinite and NaN attribute values -------------------------------------------------------------


def test_bare_inf_and_nan_are_floats_and_quoted_ones_strings() -> None:
    step = parse_step("y = f(x, a=inf, b=-inf, c=nan, d=.inf, e=-.inf, g=.NaN, h='inf', i=[inf, 1])")
    assert step.attrs["a"] == math.inf and step.attrs["b"] == -math.inf and step.attrs["d"] == math.inf
    assert step.attrs["e"] == -math.inf and math.isnan(step.attrs["c"]) and math.isnan(step.attrs["g"])
    assert step.attrs["h"] == "inf" and step.attrs["i"] == [math.inf, 1]
    # names that start like them stay names; keyword names `nan=` and `posinf=` stay keywords
    assert [getattr(a, "name", None) for a in parse_step("y = f(info, nanx)").args] == ["info", "nanx"]
    assert parse_step("y = nan_to_num(x, nan=0.0, posinf=1.0)").attrs == {"nan": 0.0, "posinf": 1.0}
    # a variant that pins an infinite attribute rewrites the step text; it reads back as a float
    again = parse_step(parse_step("y = clip(x, max=1.0)").with_attrs({"max": -math.inf}).text)
    assert again.attrs["max"] == -math.inf


def test_clip_max_inf_is_accepted(tmp_path: Path) -> None:
    loaded = load_case(write(tmp_path, CASE + "  - y = clip(x, max=inf)\n  - n = norm(x, ord=-.inf)\n"))
    assert loaded.steps[0].attrs == {"max": math.inf} and loaded.steps[1].attrs == {"ord": -math.inf}


def test_norm_ord_inf_reaches_each_framework_as_a_float_infinity(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    x, m = [1.0, -3.0, 2.0], [[1.0, -2.0], [3.0, 4.0]]
    native = {
        "torch": [float(torch.linalg.norm(torch.tensor(v), ord=math.inf)) for v in (x, m)],
        "tensorflow": [float(tf.norm(tf.constant(v), ord=np.inf)) for v in (x, m)],
        "jax": in_jax(f"result = [float(jnp.linalg.norm(jnp.array(v), ord=float('inf'))) for v in ({x}, {m})]"),
    }
    record = run["attribute-infinities[max-norm]"]
    for column, (hi, rows) in native.items():
        got = record["columns"][column]
        assert got["status"] == "ok", (column, got.get("error"))
        assert (float(values(got, "hi")), float(values(got, "rows"))) == (hi, rows), column
        assert any("ord=float('inf')" in api for api in got["native_api"]), got["native_api"]  # runnable text
    assert native["tensorflow"][1] != native["torch"][1]  # the case shows a real difference: tf.norm flattens
    # clip(x, min=-2, max=inf) as torch computes it, and the gradient observed by its name
    capped = torch.clamp(torch.tensor(x), min=-2.0, max=math.inf).tolist()
    assert values(record["columns"]["torch"], "capped").tolist() == capped
    assert "grad.x" in record["columns"]["torch"]["outputs"]


def test_negative_infinity_reaches_tensorflow_which_refuses_it(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf

    with pytest.raises(Exception) as raised:
        tf.norm(tf.constant([1.0, -3.0, 2.0]), ord=-np.inf)
    got = run["attribute-infinities[min-norm]"]["columns"]["tensorflow"]
    assert got["status"] == "error" and got["error"]["type"].endswith(type(raised.value).__name__)
    assert got["error"]["message"] == str(raised.value).splitlines()[0]


# --- lists of integers as arguments ----------------------------------------------------------------


def test_a_list_of_sizes_is_an_argument(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    s = [1.0, 2.0, 3.0, 4.0, 5.0]
    native = {"torch": [list(p.shape) for p in torch.split(torch.tensor(s), [1, 4])],
              "tensorflow": [p.shape.as_list() for p in tf.split(tf.constant(s), [1, 4])],
              "jax": in_jax(f"result = [list(p.shape) for p in jnp.split(jnp.array({s}), [1, 4])]")}
    record = run["split-sizes"]
    for column, shapes in native.items():
        outputs = record["columns"][column]["outputs"]
        assert int(values(record["columns"][column], "parts.count")) == len(shapes), column
        assert [outputs[f"parts.{i}"]["shape"] for i in range(len(shapes))] == shapes, column
    assert [o["shape"] for k, o in record["columns"]["reference"]["outputs"].items() if k != "parts.count"] == [[1], [4]]


# --- YAML 1.2 floats --------------------------------------------------------------------------------


def test_yaml_12_float_syntax_is_a_number(tmp_path: Path) -> None:
    text = CASE.replace("[1.0, -3.0, 2.0]", "[3.0e9, 1e-3, -2.5E+2, .inf]") + "  - y = abs(x)\ntimeout_s: 1e2\n"
    case = load_case(write(tmp_path, text)).case
    assert case.inputs["x"].values == [3.0e9, 1e-3, -250.0, math.inf] and case.timeout_s == 100.0
    shaped = load_case(write(tmp_path, CASE.replace("values: [1.0, -3.0, 2.0]", "shape: [3], init: {fill: 1}")
                             + "  - y = abs(x)\n")).case
    assert shaped.inputs["x"].shape == [3] and isinstance(shaped.inputs["x"].shape[0], int)  # integers stay integers


# --- a variant's literal without a dtype ------------------------------------------------------------


def test_variant_literal_without_dtype_is_inferred_by_each_framework(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    loaded = {c.variant: c for c in load_file(CASES / "variant-literal-inference.yaml")}
    assert loaded["python-ints"].case.inputs["x"].literal_dtype is None
    native = {"torch": str(torch.tensor([1, 2, 3]).dtype).removeprefix("torch."),
              "tensorflow": tf.constant([1, 2, 3]).dtype.name,
              "jax": in_jax("result = str(jnp.array([1, 2, 3]).dtype)")}
    record = run["variant-literal-inference[python-ints]"]
    for column, dtype in native.items():
        assert record["columns"][column]["outputs"]["x"]["dtype"] == dtype, column
    assert {record["columns"][c]["outputs"]["x"]["dtype"] for c in native} != {"float64"}


# --- gradient names in observe ----------------------------------------------------------------------


def test_observe_takes_gradient_names(tmp_path: Path) -> None:
    grad = "  - y = sum(x)\ngrad: {of: y, wrt: [x]}\n"
    assert load_case(write(tmp_path, CASE + grad + "observe: [grad.x]\n")).case.observe == ["grad.x"]
    with pytest.raises(CaseError) as info:
        load_case(write(tmp_path, CASE + grad + "observe: [y, grad.z]\n"))
    assert info.value.field == "observe[1]" and info.value.line == 8 and "gradients: grad.x" in info.value.message
    with pytest.raises(CaseError) as info:
        load_case(write(tmp_path, CASE + "  - y = sum(x)\nobserve: [grad.x]\n"))
    assert "the case has no `grad`" in info.value.message


# --- the variant-name rule, stated ------------------------------------------------------------------


def test_variant_name_rule_is_in_the_message_and_the_readme(tmp_path: Path) -> None:
    with pytest.raises(CaseError) as info:
        load_file(write(tmp_path, CASE + "  - y = abs(x)\nvariants:\n  - name: Big_One\n"))
    assert info.value.line == 8 and info.value.field == "variants[0].name"
    assert "'Big_One'" in info.value.message and VARIANT_RULE in info.value.message
    assert "pattern" not in info.value.message  # the rule in words, not a regular expression
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert VARIANT_RULE.split(" (")[0] in readme


# --- validate counts files and cases apart ----------------------------------------------------------


def test_validate_reports_files_and_cases_separately(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oracle.cli import main

    write(tmp_path, CASE.replace("id: case", "id: plain") + "  - y = abs(x)\n", "plain.yaml")
    write(tmp_path, CASE.replace("id: case", "id: varied") + "  - y = abs(x)\nvariants:\n  - name: a\n  - name: b\n"
          "  - name: c\n", "varied.yaml")
    assert main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == "2 case files valid, holding 4 cases (3 variants of 1 file)".split()


def test_an_expected_infinity_or_nan_is_kept_as_the_case_language_spells_it(tmp_path: Path) -> None:
    """A YAML .inf/.nan in `source.expect` validated, then made `oracle run` fail writing results.json
    (strict JSON has no NaN); it is written "inf"/"-inf"/"nan", the spelling of explicit values."""
    from oracle.cli import main
    from oracle.results import load_results

    case = tmp_path / "case.yaml"  # CASE says id: case
    case.write_text(CASE.replace("[1.0, -3.0, 2.0]", "[0.0, -0.0, .nan]") + "  - y = reciprocal(x)\n"
                    "source: {doc: ieee-754, example: 1, url: 'https://en.wikipedia.org/wiki/IEEE_754', claim: 1/0 is inf,\n"
                    "         expect: {values: {y: [.inf, -.inf, .nan]}}}\n")
    assert load_file(case)[0].case.source.expect.values == {"y": ["inf", "-inf", "nan"]}  # type: ignore[union-attr]
    assert main(["run", str(case), "--columns", "jax", "--out", str(tmp_path / "out")]) == 0
    record = load_results(tmp_path / "out" / "results.json")["cases"][0]
    assert record["source"]["expect"]["values"] == {"y": ["inf", "-inf", "nan"]}  # type: ignore[index]
    got = Tensor.from_results(record["columns"]["jax"]["outputs"]["y"]).values
    # IEEE 754: 1/+0 = +inf, 1/-0 = -inf, 1/NaN = NaN
    assert got is not None and got[0] == math.inf and got[1] == -math.inf and math.isnan(got[2])
