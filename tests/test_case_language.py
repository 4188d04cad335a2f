"""The case language of issue 12: literal inputs, conversions, variants, gradient options, claims by the
names users see, and ops with several outputs. Each column is checked against the framework called
directly in this process (torch, TensorFlow) or in a subprocess (JAX, whose x64 flag is global)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from test_cases import write

from oracle.cases import CaseError, load_file
from oracle.model import CaseRecord, ColumnOutcome, ResultsDocument
from oracle.outcome import Tensor
from oracle.plan import plan

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases" / "case-language"


@pytest.fixture(scope="module")
def run(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Records by case id from the session's `oracle run` (tests/conftest.py), which holds these cases."""
    return pipeline["_by_id"]


def column(run: dict[str, dict[str, Any]], case_id: str, name: str) -> dict[str, Any]:
    return run[case_id]["columns"][name]


def values(record: dict[str, Any], name: str) -> np.ndarray | None:
    return Tensor.from_results(record["outputs"][name]).values


def array(record: dict[str, Any], name: str) -> np.ndarray:
    """The recorded values of an output that must have some."""
    found = values(record, name)
    assert found is not None, f"{name}: no values recorded"
    return found


def in_jax(code: str) -> Any:
    """Run `code` with JAX's defaults (x64 off) in a fresh interpreter; it assigns `result` (JSON-able)."""
    script = "import json, warnings\nimport numpy as np\nimport jax, jax.numpy as jnp\n" + code + \
        "\nprint(json.dumps(result))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={"JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"})
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 1. literal inputs ---------------------------------------------------------------------------


def test_literals_are_built_by_each_frameworks_constructor(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    cid = "literal-python-scalars"
    torch_rec, tf_rec, jax_rec = (column(run, cid, c) for c in ("torch", "tensorflow", "jax"))
    assert torch_rec["outputs"]["seven"]["dtype"] == str(torch.tensor(7).dtype).removeprefix("torch.")
    assert torch_rec["outputs"]["half"]["dtype"] == str(torch.tensor(0.5).dtype).removeprefix("torch.")
    assert torch_rec["outputs"]["total"]["dtype"] == str((torch.tensor(7) + torch.tensor(0.5)).dtype)[6:]
    assert tf_rec["outputs"]["seven"]["dtype"] == tf.constant(7).dtype.name
    assert tf_rec["outputs"]["wide"]["dtype"] == tf.constant([1.0, float("nan")], dtype=tf.float64).dtype.name
    with pytest.raises(Exception) as raised:
        tf.constant(7) + tf.constant(0.5)
    assert tf_rec["status"] == "error" and tf_rec["error"]["type"].endswith(type(raised.value).__name__)
    assert tf_rec["error"]["public"] == f"tf.errors.{type(raised.value).__name__}"
    native = in_jax("""
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wide = jnp.array([1.0, float("nan")], dtype="float64")
result = {"seven": str(jnp.array(7).dtype), "wide": str(wide.dtype), "warned": [str(w.message) for w in caught],
          "born": str(jax.device_put(np.array([1.0, 2.0])).dtype)}""")
    assert jax_rec["outputs"]["seven"]["dtype"] == native["seven"]
    assert jax_rec["outputs"]["wide"]["dtype"] == native["wide"]
    assert native["warned"] and native["warned"][0] in [w["message"] for w in jax_rec["warnings"]]
    assert jax_rec["notes"]["input_dtypes"]["born"] == native["born"]
    changed = jax_rec["notes"].get("input_dtype_changed", {})
    assert changed.get("born") == (f"float64 -> {native['born']}" if native["born"] != "float64" else None)
    assert "born" not in torch_rec["notes"].get("input_dtype_changed", {})  # torch keeps float64
    assert "seven = torch.tensor(7)" in torch_rec["native_api"]


def test_literal_schema(tmp_path: Path) -> None:
    text = "id: lit\ntitle: t\ninputs:\n  a: {literal: [[1, 2], [3]]}\n  b: {literal: 1.0, dtype: float64}\n" \
           "steps:\n  - y = add(a, b)\n"
    request = plan(load_file(write(tmp_path, text))[0])
    assert request.literals == {"a": {"value": [[1, 2], [3]], "dtype": None}, "b": {"value": 1.0, "dtype": "float64"}}
    assert request.inputs == {}  # ragged literals are allowed: the frameworks decide
    with pytest.raises(CaseError, match="exactly one of `init`, `values` or `literal`"):
        load_file(write(tmp_path, text.replace("{literal: 1.0, dtype: float64}", "{literal: 1.0, values: 1.0}")))
    with pytest.raises(CaseError, match="inputs.b.literal: .*number"):
        load_file(write(tmp_path, text.replace("{literal: 1.0,", "{literal: seven,")))


# --- 2. conversions --------------------------------------------------------------------------------


def test_conversions_record_the_python_type(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    x32 = np.float32(0.1)
    expected = {"torch": (torch.tensor(x32).item(), float(torch.tensor(x32)), torch.tensor([[1.5, 2.0]]).tolist()),
                "tensorflow": (tf.constant(x32).numpy().item(), float(tf.constant(x32)),
                               tf.constant([[1.5, 2.0]]).numpy().tolist())}
    expected["jax"] = tuple(in_jax("x = jnp.array(np.float32(0.1))\n"
                                   "result = [x.item(), float(x), jnp.array([[1.5, 2.0]]).tolist()]"))
    for name, (item, as_float, nested) in expected.items():
        rec = column(run, "conversions-to-python", name)
        assert rec["notes"]["returned"] == {"number": type(item).__name__, "as_float": "float",
                                            "nested": f"list[{type(nested[0][0]).__name__}]"}, name
        assert values(rec, "number") == item and values(rec, "as_float") == as_float, name
        assert values(rec, "nested").tolist() == nested, name  # type: ignore[union-attr]


# --- 3. variants -----------------------------------------------------------------------------------


def test_variants_expand_into_sub_cases_with_their_own_status(run: dict[str, dict[str, Any]]) -> None:
    import torch

    loaded = load_file(CASES / "mse-target-shape-sweep.yaml")
    assert [c.id for c in loaded] == [f"mse-target-shape-sweep[{v}]" for v in
                                      ("same-64x1", "flat-64", "size-1", "wide-64x2", "transposed-1x64")]
    assert {c.base_id for c in loaded} == {"mse-target-shape-sweep"}
    pred = plan(loaded[0]).inputs["pred"]
    for case in loaded:
        target = plan(case).inputs["target"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                torch.nn.MSELoss(reduction="mean")(torch.tensor(pred), torch.tensor(target))
                status = "ok"
            except RuntimeError:
                status = "error"
        rec = column(run, case.id, "torch")
        assert rec["status"] == status, case.id
        assert bool(rec["warnings"]) == bool(caught), case.id
        assert run[case.id]["case"] == "mse-target-shape-sweep" and run[case.id]["variant"] == case.variant
    # one variant raising in a column does not hide the others: each has its own status
    assert column(run, "mse-target-shape-sweep[flat-64]", "jax")["status"] == "error"
    assert column(run, "mse-target-shape-sweep[same-64x1]", "jax")["status"] == "ok"
    assert column(run, "mse-target-shape-sweep[flat-64]", "torch")["status"] == "ok"


def test_variant_product_attrs_grad_and_errors(tmp_path: Path) -> None:
    text = """\
id: sweep
title: t
source: {doc: d, example: 1, claim: base claim}
inputs:
  x: {values: [1.0, 2.0]}
steps:
  - s = sum(x, keepdims=false)
grad: {of: s, wrt: [x]}
variants:
  product:
    - [{name: a, inputs: {x: {values: [3.0]}}}, {name: b, inputs: {x: {init: {fill: 1.0}, shape: [3]}}}]
    - [{name: keep, attrs: {s: {keepdims: true}}, claim: kept}, {name: twice, grad: {calls: 2}}]
"""
    found = load_file(write(tmp_path, text))
    assert [c.id for c in found] == ["sweep[a,keep]", "sweep[a,twice]", "sweep[b,keep]", "sweep[b,twice]"]
    assert found[0].steps[0].attrs == {"keepdims": True} and found[0].case.source.claim == "kept"  # type: ignore
    assert found[1].case.grad.calls == 2 and found[1].case.source.claim == "base claim"  # type: ignore[union-attr]
    assert plan(found[2]).inputs["x"].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(CaseError, match=r"variants\[0\] \(a,keep\).*'nope' is not a step output"):
        load_file(write(tmp_path, text.replace("attrs: {s:", "attrs: {nope:")))


def test_a_variant_replaces_steps_observe_and_example(tmp_path: Path) -> None:
    """A wrong/fixed pair differs in code: the fixed variant's steps, observed outputs and the source's
    example number replace the case's; new values carry their own shape."""
    text = """\
id: pair
title: t
source: {doc: d, example: 3, claim: wrong, expect: {status: error}}
inputs:
  x: {shape: [2, 1], dtype: float32, init: {normal: {seed: 0}}}
steps:
  - y = sum(x)
observe: [y]
variants:
  - {name: wrong}
  - name: fixed
    inputs: {x: {values: [1.0, 2.0, 3.0]}}
    steps:
      - y = sum(x)
      - z = mean(y)
    observe: [y, z]
    example: 4
    claim: fixed
    expect: {status: ok}
"""
    wrong, fixed = load_file(write(tmp_path, text))
    assert [s.op for s in wrong.steps] == ["sum"] and wrong.case.observed() == ["y"]
    assert wrong.case.source.example == 3 and wrong.case.source.claim == "wrong"  # type: ignore[union-attr]
    assert [s.op for s in fixed.steps] == ["sum", "mean"] and fixed.case.observed() == ["y", "z"]
    assert fixed.case.source.example == 4 and fixed.case.source.claim == "fixed"  # type: ignore[union-attr]
    assert fixed.case.source.expect.status == "ok"  # type: ignore[union-attr]
    assert plan(fixed).inputs["x"].shape == (3,)  # the base input's shape [2, 1] went with its old source
    broken = text.replace("      - z = mean(y)", "      - z = nosuchop(y)")
    with pytest.raises(CaseError) as raised:
        load_file(write(tmp_path, broken))
    line = broken.splitlines().index("      - z = nosuchop(y)") + 1
    assert raised.value.line == line and raised.value.field == "variants[1] (fixed): steps[1]", str(raised.value)
    assert "unknown op 'nosuchop'" in raised.value.message


def test_seed_pairs_are_one_file_each_and_every_claim_stays_in_the_ledger(pipeline: dict[str, Any]) -> None:
    """The seed documents' wrong/fixed pairs merged into variant files keep one ledger row per claim."""
    from oracle.report.view import build_view

    merged = {"mse-64x2-output-target-shape": 3, "regressor-manual-loss-backward": 2,
              "regressor-custom-loss-backward": 2, "cross-entropy-seed-predictions": 3,
              "tape-gradient-scalar-or-expanded-target": 2, "cross-entropy-64x3-label-shape": 2,
              "regressor-adam-output-vs-flat-target": 2}
    view = build_view(cast(ResultsDocument, {k: v for k, v in pipeline.items() if not k.startswith("_")}), plots=False)
    groups = {g.id: g for g in view.groups}
    for base, count in merged.items():
        assert groups[base].has_variants and len(groups[base].members) == count, base
        claims = [s["claim"] for c in view.ledger if c.record.get("case") == base and (s := c.record.get("source"))]
        assert len(claims) == count and len(set(claims)) == count, base  # each variant's own claim
    examples = {c.record.get("variant"): s["example"] for c in view.ledger
                if c.record.get("case") == "tape-gradient-scalar-or-expanded-target" and (s := c.record.get("source"))}
    assert examples == {"scalar": 3, "expanded": 4}
    # the training pair: the wrong variant is set beside the fixed one, column by column
    wrong = pipeline["_by_id"]["regressor-adam-output-vs-flat-target[column-output]"]
    assert wrong["contrast"]["case"] == "regressor-adam-output-vs-flat-target[squeezed]"
    assert wrong["contrast"]["columns"]  # a column that trained both ways reports its drift
    assert pipeline["_by_id"]["regressor-adam-output-vs-flat-target[squeezed]"]["contrast"] is None


# --- 4. gradient options ---------------------------------------------------------------------------


def _torch_grads(option: str) -> tuple[str, list[Any]]:
    """What a torch user gets for each option, written as they write it."""
    import torch

    x = torch.tensor([1.0, 2.0], requires_grad=option != "untracked")
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    try:
        p = x * x
        loss = p.sum()
        if option == "unconnected-none":
            return "ok", [g if g is None else g.tolist()
                          for g in torch.autograd.grad(loss, [x, y], allow_unused=True, materialize_grads=False)]
        if option == "unconnected-zero":
            return "ok", [g.tolist() for g in torch.autograd.grad(loss, [x, y], allow_unused=True,
                                                                  materialize_grads=True)]
        if option == "calls-2":
            loss.backward()
            loss.backward()
        elif option == "accumulate":
            loss.backward(retain_graph=True)
            loss.backward()
        elif option == "vjp":
            return "ok", [torch.autograd.grad(p, [x], grad_outputs=torch.tensor([3.0, 4.0]))[0].tolist()]
        elif option == "order-2":
            (first,) = torch.autograd.grad(loss, [x], create_graph=True)
            return "ok", [torch.autograd.grad(first.sum(), [x])[0].tolist()]
        elif option == "integer-input":
            torch.tensor([1, 2], dtype=torch.int32, requires_grad=True)
        else:
            loss.backward()
    except RuntimeError as exc:
        return "error", [type(exc).__name__]
    return "ok", [None if x.grad is None else x.grad.tolist()]


@pytest.mark.parametrize("option", ["unconnected-none", "unconnected-zero", "untracked", "calls-2", "accumulate",
                                    "vjp", "order-2", "integer-input"])
def test_torch_gradient_options(run: dict[str, dict[str, Any]], option: str) -> None:
    status, found = _torch_grads(option)
    rec = column(run, f"gradient-options[{option}]", "torch")
    assert rec["status"] == status
    if status == "error":
        assert rec["error"]["type"] == found[0]
        return
    names = ["grad.x", "grad.y"][: len(found)]
    got = [None if values(rec, n) is None else values(rec, n).tolist() for n in names]  # type: ignore[union-attr]
    assert got == found


def test_tensorflow_and_jax_gradient_options(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf

    x, y = tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(x * x)
    assert tape.gradient(loss, [x, y], unconnected_gradients=tf.UnconnectedGradients.NONE)[1] is None
    assert values(column(run, "gradient-options[unconnected-none]", "tensorflow"), "grad.y") is None
    with pytest.raises(RuntimeError) as twice:
        tape.gradient(loss, [x])
    rec = column(run, "gradient-options[calls-2]", "tensorflow")
    assert rec["status"] == "error" and rec["error"]["message"] == str(twice.value).splitlines()[0]
    k = tf.Variable([1, 2], dtype=tf.int32)
    with tf.GradientTape() as tape:
        loss_k = tf.reduce_sum(k * k)
    assert tape.gradient(loss_k, k) is None
    assert values(column(run, "gradient-options[integer-input]", "tensorflow"), "grad.k") is None
    with tf.GradientTape() as tape:
        p = x * x
    assert array(column(run, "gradient-options[jacobian]", "tensorflow"), "grad.x").tolist() == \
        tape.jacobian(p, x).numpy().tolist()
    for option in ("accumulate", "value-and-grad"):
        assert column(run, f"gradient-options[{option}]", "tensorflow")["status"] == "unsupported"

    native = in_jax("""
f = lambda x: jnp.sum(x * x)
x = jnp.array([1.0, 2.0])
try:
    jax.grad(lambda k: jnp.sum(k * k))(jnp.array([1, 2], dtype=jnp.int32)); integer = "ok"
except TypeError as exc:
    integer = type(exc).__name__
result = {"jacobian": jax.jacobian(lambda x: x * x)(x).tolist(),
          "vjp": jax.vjp(lambda x: x * x, x)[1](jnp.array([3.0, 4.0]))[0].tolist(),
          "order2": jax.grad(lambda x: jnp.sum(jax.grad(f)(x)))(x).tolist(),
          "vg": jax.value_and_grad(f)(x)[1].tolist(), "integer": integer}""")
    jax_col = {o: column(run, f"gradient-options[{o}]", "jax") for o in
               ("jacobian", "vjp", "order-2", "value-and-grad", "integer-input", "untracked", "accumulate")}
    assert values(jax_col["jacobian"], "grad.x").tolist() == native["jacobian"]  # type: ignore[union-attr]
    assert values(jax_col["vjp"], "grad.x").tolist() == native["vjp"]  # type: ignore[union-attr]
    assert values(jax_col["order-2"], "grad.x").tolist() == native["order2"]  # type: ignore[union-attr]
    assert values(jax_col["value-and-grad"], "grad.x").tolist() == native["vg"]  # type: ignore[union-attr]
    assert jax_col["integer-input"]["error"]["type"] == native["integer"]
    assert values(jax_col["untracked"], "grad.x") is None  # outside argnums: no gradient
    assert jax_col["accumulate"]["status"] == "unsupported"


# --- 5. claims by the names users see ---------------------------------------------------------------


def test_add_n_of_an_int_product_and_quotient_as_tensorflow_raises_it(run: dict[str, dict[str, Any]]) -> None:
    """tensorflow/tensorflow#39165, computed here natively: the claim is judged by what TF raises."""
    import tensorflow as tf
    import torch

    from oracle.report.claims import judge_case

    a, b, c, d = (tf.constant(v) for v in (6, 3, 10, 15))
    mul, div = tf.multiply(a, b), tf.math.divide(c, d)
    for variant, total in (("add-n", lambda: tf.math.add_n([mul, div])), ("plus", lambda: mul + div)):
        with pytest.raises(tf.errors.InvalidArgumentError) as raised:
            total()
        case_id = f"add-n-int-product-and-quotient[{variant}]"
        rec = column(run, case_id, "tensorflow")
        assert rec["status"] == "error" and rec["error"]["public"] == "tf.errors.InvalidArgumentError"
        assert rec["error"]["type"].endswith(type(raised.value).__name__)
        assert array(rec, "div").dtype == div.dtype.as_numpy_dtype  # the quotient TF built: float64
        judged = {j.column: j.verdict for j in judge_case(cast(CaseRecord, run[case_id]), cast(dict[str, CaseRecord], run))}
        assert judged["tensorflow"] == "holds"
    for name in ("torch", "jax"):  # neither has add_n: unsupported with the reason, not imitated
        rec = column(run, "add-n-int-product-and-quotient[add-n]", name)
        assert rec["status"] == "unsupported" and "no add_n" in rec["notes"]["unsupported"]
    t = torch.tensor(6) * torch.tensor(3) + torch.tensor(10) / torch.tensor(15)
    rec = column(run, "add-n-int-product-and-quotient[plus]", "torch")
    assert rec["status"] == "ok" and array(rec, "addn").dtype == t.numpy().dtype
    assert np.isclose(array(rec, "addn"), t.numpy())


def test_claims_accept_native_error_names_and_warning_categories() -> None:
    import tensorflow as tf

    from oracle.execute import error_info
    from oracle.report.claims import _checks

    with pytest.raises(tf.errors.InvalidArgumentError) as raised:  # as a TF user catches it
        tf.constant(7) + tf.constant(0.5)
    info = error_info(raised.value)
    assert info.public == "tf.errors.InvalidArgumentError" and info.base == "Exception"
    outcome = cast(ColumnOutcome, {"status": "error", "error": info.__dict__, "outputs": {},
                                   "warnings": [{"category": "UserWarning", "message": "m"}]})
    case = cast(CaseRecord, {})  # the checks of an error and a warning read the outcome only
    for name in ("InvalidArgumentError", "tf.errors.InvalidArgumentError", "Exception"):
        assert all(c.passed for c in _checks(case, "tensorflow", outcome, {"error": name}, {}) if c), name
    assert not any(c.passed for c in _checks(case, "tensorflow", outcome, {"error": "ValueError"}, {}) if c)
    assert all(c.passed for c in _checks(case, "tf", outcome, {"warns": "UserWarning"}, {}) if c)
    assert not any(c.passed for c in _checks(case, "tf", outcome, {"warns": "DeprecationWarning"}, {}) if c)


def test_expect_schema_takes_native_names(tmp_path: Path) -> None:
    text = "id: e\ntitle: t\nsource: {doc: d, example: 1, claim: c, expect: {error: XlaRuntimeError, warns: UserWarning}}" \
           "\ninputs:\n  x: {values: 1.0}\nsteps:\n  - y = exp(x)\n"
    expect = load_file(write(tmp_path, text))[0].case.source.expect  # type: ignore[union-attr]
    assert expect is not None and expect.error == "XlaRuntimeError" and expect.warns == "UserWarning"


# --- 7. several outputs ----------------------------------------------------------------------------


def test_several_outputs_as_each_framework_returns_them(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, 4.0]], np.float32)
    v = np.array([3, 1, 3, 2, 1, 3], np.int32)
    s = np.arange(1.0, 7.0, dtype=np.float32)
    natives = {
        "torch": (torch.topk(torch.tensor(x), k=2), torch.unique(torch.tensor(v), return_inverse=True,
                                                                  return_counts=True), torch.split(torch.tensor(s), 2)),
        "tensorflow": (tf.math.top_k(x, k=2), tf.unique_with_counts(v), tf.split(s, 2)),
    }
    for name, (top, uniq, parts) in natives.items():
        rec = column(run, "several-outputs", name)
        assert rec["status"] == "ok"
        assert values(rec, "values").tolist() == np.asarray(top[0]).tolist()  # type: ignore[union-attr]
        assert values(rec, "indices").tolist() == np.asarray(top[1]).tolist()  # type: ignore[union-attr]
        for i, part in enumerate(("distinct", "inverse", "counts")):
            assert values(rec, part).tolist() == np.asarray(uniq[i]).tolist(), (name, part)  # type: ignore
        assert int(values(rec, "parts.count")) == len(parts)  # type: ignore[arg-type]
        for i, part in enumerate(parts):
            assert values(rec, f"parts.{i}").tolist() == np.asarray(part).tolist()  # type: ignore[union-attr]
        assert rec["notes"]["returned"]["values, indices"].endswith(type(top).__qualname__)
    native = in_jax("""
x = jnp.array([[3.0, 1.0, 2.0], [0.5, 4.0, 4.0]])
q, r = jnp.linalg.qr(jnp.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
result = {"top": [a.tolist() for a in jax.lax.top_k(x, k=2)], "parts": len(jnp.split(jnp.arange(1.0, 7.0), 2)),
          "r": r.tolist()}""")
    rec = column(run, "several-outputs", "jax")
    assert [values(rec, n).tolist() for n in ("values", "indices")] == native["top"]  # type: ignore[union-attr]
    assert int(values(rec, "parts.count")) == native["parts"]  # type: ignore[arg-type]
    np.testing.assert_allclose(values(rec, "r"), native["r"], rtol=1e-6)  # type: ignore[arg-type]


def test_unpacking_is_checked_against_the_declaration(tmp_path: Path) -> None:
    text = "id: u\ntitle: t\ninputs:\n  x: {values: [1.0, 2.0]}\nsteps:\n  - v = top_k(x, k=1)\n"
    with pytest.raises(CaseError, match="top_k gives 2 outputs .values, indices."):
        load_file(write(tmp_path, text))
    with pytest.raises(CaseError, match="name it once"):
        load_file(write(tmp_path, text.replace("v = top_k(x, k=1)", "a, b = exp(x)")))


# --- 6. stateful layers ----------------------------------------------------------------------------


def test_batch_norm_state_after_training_then_inference(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    x = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 0.0], [5.0, 4.0, 3.0], [7.0, 0.0, 2.0]], np.float32)
    bn = torch.nn.BatchNorm1d(3)
    bn.train(True)
    y_train = bn(torch.tensor(x))
    assert bn.running_mean is not None and bn.running_var is not None
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    bn.train(False)
    natives: dict[str, tuple[Any, ...]] = {"torch": (y_train, mean, var, bn(torch.tensor(x)))}
    layer = tf.keras.layers.BatchNormalization()
    y_train = layer(x, training=True)
    mean, var = tf.identity(layer.moving_mean), tf.identity(layer.moving_variance)
    natives["tensorflow"] = (y_train, mean, var, layer(x, training=False))
    natives["jax"] = tuple(np.array(v, np.float32) for v in in_jax("""
from flax import nnx
bn = nnx.BatchNorm(3, rngs=nnx.Rngs(0))
x = jnp.array([[1.0, 2.0, 3.0], [3.0, 6.0, 0.0], [5.0, 4.0, 3.0], [7.0, 0.0, 2.0]])
y_train = bn(x, use_running_average=False)
mean, var = np.asarray(bn.mean), np.asarray(bn.var)
result = [y_train.tolist(), mean.tolist(), var.tolist(), bn(x, use_running_average=True).tolist()]"""))
    for name, expected in natives.items():
        rec = column(run, "batch-norm-train-then-eval", name)
        assert rec["status"] == "ok", name
        for output, want in zip(("y_train", "mean_after", "var_after", "y_eval"), expected):
            want = want.detach().numpy() if isinstance(want, torch.Tensor) else np.asarray(want)
            np.testing.assert_allclose(array(rec, output), want, rtol=1e-6, atol=1e-6, err_msg=f"{name} {output}")
    # the momentum conventions differ: torch moves 10% toward the batch, Keras and Flax 1%
    torch_mean = array(column(run, "batch-norm-train-then-eval", "torch"), "mean_after")
    keras_mean = array(column(run, "batch-norm-train-then-eval", "tensorflow"), "mean_after")
    np.testing.assert_allclose(torch_mean, 10 * keras_mean, rtol=1e-5)


def test_mean_metric_result_after_each_update(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch
    import torchmetrics

    first, second = np.array([1.0, 2.0, 3.0], np.float32), np.array([10.0], np.float32)
    torch_metric = torchmetrics.MeanMetric()
    natives: dict[str, list[float]] = {"torch": []}
    for batch in (first, second):
        torch_metric.update(torch.tensor(batch))
        natives["torch"].append(float(torch_metric.compute()))
    keras_metric = tf.keras.metrics.Mean()
    natives["tensorflow"] = [float((keras_metric.update_state(b), keras_metric.result())[1]) for b in (first, second)]
    natives["jax"] = in_jax("""
from flax import nnx
m = nnx.metrics.Average()
result = []
for batch in ([1.0, 2.0, 3.0], [10.0]):
    m.update(values=jnp.array(batch))
    result.append(float(m.compute()))""")
    for name, expected in natives.items():
        rec = column(run, "mean-metric-two-batches", name)
        assert [float(values(rec, n)) for n in ("after_first", "after_second")] == expected, name  # type: ignore
