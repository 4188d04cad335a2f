"""The comparator itself: signed zeros, NaN, tolerance edges, comparison order, kinds."""

from __future__ import annotations

import numpy as np
import pytest

from oracle.diff import Difference, classify, compare_arrays, differences, follows, tolerance
from oracle.outcome import ErrorInfo, Outcome, Tensor, WarningInfo
from oracle.verdicts import diff_case

f32 = np.float32


def ok(**outputs: object) -> Outcome:
    return Outcome("ok", outputs={k: Tensor(None if v is None else np.asarray(v)) for k, v in outputs.items()})


def kind_of(found: Difference | None) -> str | None:
    return None if found is None else found.kind


def err(base: str, type_: str | None = None) -> Outcome:
    return Outcome("error", error=ErrorInfo(type_ or base, base, "boom", "step 1"))


def test_signed_zero_differs_and_nan_agrees() -> None:
    assert kind_of(compare_arrays(np.array([-0.0]), np.array([0.0]), 1e-5, 1e-6)) == "value_mismatch"
    assert compare_arrays(np.array([0.0]), np.array([0.0]), 0, 0) is None
    assert compare_arrays(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), 0, 0) is None
    assert compare_arrays(np.array([np.inf]), np.array([np.inf]), 0, 0) is None


def test_nan_inf_patterns() -> None:
    assert kind_of(compare_arrays(np.array([np.nan]), np.array([1.0]), 1, 1)) == "nan_inf_mismatch"
    assert kind_of(compare_arrays(np.array([np.inf]), np.array([-np.inf]), 1, 1)) == "nan_inf_mismatch"
    assert kind_of(compare_arrays(np.array([np.inf]), np.array([np.nan]), 1, 1)) == "nan_inf_mismatch"
    # a huge finite value is not inf, whatever the tolerance
    assert kind_of(compare_arrays(np.array([np.inf]), np.array([f32(3.4e38)]), 1, 1)) == "nan_inf_mismatch"


def test_tolerance_edges() -> None:
    rtol, atol = 1e-5, 0.0
    base = np.array([1.0])
    assert compare_arrays(base, base * (1 + 0.9e-5), rtol, atol) is None
    assert kind_of(compare_arrays(base, base * (1 + 1.1e-5), rtol, atol)) == "value_mismatch"
    assert compare_arrays(np.array([0.0]), np.array([0.9e-6]), 0, 1e-6) is None
    assert kind_of(compare_arrays(np.array([0.0]), np.array([1.1e-6]), 0, 1e-6)) == "value_mismatch"
    found = compare_arrays(np.array([1.0, 2.0]), np.array([1.0, 2.5]), rtol, atol)
    assert found and found.max_abs == pytest.approx(0.5) and found.max_rel == pytest.approx(0.2)


def test_tolerance_per_dtype_and_override() -> None:
    assert tolerance("float32", "float64") == (1e-5, 1e-6)
    assert tolerance("float16", "float32") == (1e-3, 1e-5)
    assert tolerance("int64", "int64") == (0.0, 0.0)
    assert tolerance("float32", "float32", (1e-2, None)) == (1e-2, 1e-6)


def test_status_comparison_comes_first() -> None:
    assert classify(differences(ok(loss=1.0), err("ValueError"))) == "silent_divergence"
    assert classify(differences(err("ValueError"), err("RuntimeError"))) == "error_kind_mismatch"
    assert classify(differences(err("ValueError", "a.ShapeError"), err("ValueError", "b.Mismatch"))) == "agree"
    assert classify(differences(ok(loss=1.0), Outcome("unavailable"))) == "incomparable"
    assert classify(differences(Outcome("crash"), Outcome("crash"))) == "incomparable"


def test_order_shape_then_dtype_then_values_and_warning_only() -> None:
    a, b = ok(x=np.zeros(3, f32)), ok(x=np.zeros(4, np.float64))
    assert classify(differences(a, b)) == "shape_mismatch"
    assert classify(differences(ok(x=np.zeros(3, f32)), ok(x=np.ones(3, np.float64)))) == "dtype_mismatch"
    assert classify(differences(ok(x=np.zeros(3, f32)), ok(x=np.ones(3, np.float64)), check_dtype=False)) \
        == "value_mismatch"
    warned = ok(x=np.zeros(3, f32))
    warned.warnings = [WarningInfo("UserWarning", "careful")]
    assert classify(differences(warned, ok(x=np.zeros(3, f32)))) == "warning_only"
    assert classify(differences(warned, ok(x=np.ones(3, f32)))) == "value_mismatch"
    assert classify(differences(ok(g=None), ok(g=np.zeros(2, f32)))) == "shape_mismatch"
    assert classify(differences(ok(g=None), ok(g=None))) == "agree"


def test_outputs_before_gradients() -> None:
    found = differences(ok(loss=np.float32(1), **{"grad.x": np.zeros(2, f32)}),
                        ok(loss=np.float32(2), **{"grad.x": np.zeros(3, f32)}))
    assert [d.kind for d in found] == ["value_mismatch", "shape_mismatch"]


def test_follows_names_the_matching_interpretation() -> None:
    reference = err("ValueError")
    reference.interpretations = {"broadcast": {"loss": Tensor(np.asarray(2.0))},
                                 "align_ranks": {"loss": Tensor(np.asarray(1.0))}}
    reference.notes = {"interpretation_details": {"align_ranks": "mse_loss: [4,1] with [4] aligned"}}
    assert follows(ok(loss=f32(1.0)), reference) == "align_ranks"
    assert follows(ok(loss=f32(2.0)), reference) == "broadcast"
    assert follows(ok(loss=f32(3.0)), reference) is None
    verdicts, followed, summary = diff_case({"reference": reference, "torch": ok(loss=f32(2.0)),
                                             "tensorflow": ok(loss=f32(1.0)), "jax": err("ValueError")})
    assert followed["jax"] is None and followed["torch"] == "broadcast"
    kinds = {v.columns: v.kind for v in verdicts}
    assert kinds[("reference", "jax")] == "agree"
    assert kinds[("reference", "torch")] == "silent_divergence"
    assert kinds[("torch", "tensorflow")] == "value_mismatch"
    assert "aligned the loss operands' ranks" in summary and "mse_loss: [4,1] with [4] aligned" in summary
    assert "jax raised ValueError" in summary
    assert diff_case({"reference": ok(x=1.0), "jax": ok(x=f32(1.0)), "torch": ok(x=f32(1.0))})[2] \
        == "jax and torch computed what the reference computes"


def test_cross_device_verdict_names_the_setting() -> None:
    cpu, gpu = ok(y=f32(1.0)), ok(y=f32(1.001))
    cpu.framework = gpu.framework = "torch"
    cpu.device, gpu.device = "cpu", "gpu"
    cpu.notes = {"settings": {"allow_tf32_matmul": False, "cudnn_deterministic": False}}
    gpu.notes = {"settings": {"allow_tf32_matmul": True, "cudnn_deterministic": False}}
    verdicts, _, _ = diff_case({"torch:cpu": cpu, "torch:gpu": gpu})
    assert verdicts[0].kind == "value_mismatch"
    assert "allow_tf32_matmul is False in torch:cpu, True in torch:gpu" in verdicts[0].explanation
    gpu.notes = {"settings": dict(cpu.notes["settings"])}
    assert "same settings on both devices" in diff_case({"torch:cpu": cpu, "torch:gpu": gpu})[0][0].explanation
    other = ok(y=f32(1.001))
    other.framework, other.device = "jax", "gpu"
    assert "settings" not in diff_case({"torch:cpu": cpu, "jax:gpu": other})[0][0].explanation


def test_every_verdict_kind_has_a_colour_a_label_and_a_terminal_abbreviation() -> None:
    from oracle.diff import KINDS
    from oracle.report.plots import KIND_COLORS, KIND_LABELS
    from oracle.report.terminal import ABBREVIATION, MEANING

    for kind in KINDS:
        assert kind in KIND_COLORS and kind in KIND_LABELS and kind in ABBREVIATION and kind in MEANING, kind
