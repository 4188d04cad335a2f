"""Complex dtypes end to end and the FFT family (issue 20): reference formulas against numpy.fft, complex outputs
through results.json, and the diff's part-by-part comparison (-0.0j, NaN+NaNj, complex64 tolerance)."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pytest
import scipy.special

from oracle.diff import compare_arrays, tolerance
from oracle.model import CaseRecord
from oracle.ops import OPS
from oracle.ops.refctx import R
from oracle.outcome import Tensor

NP = R(np, scipy.special)
RNG = np.random.default_rng(0)
SIGNALS = {"real": RNG.normal(size=(3, 6)), "complex": RNG.normal(size=(3, 6)) + 1j * RNG.normal(size=(3, 6)),
           "integer": RNG.integers(-5, 5, size=(3, 5))}


def reference(name: str, *args: Any, **attrs: Any) -> Any:
    declared = OPS[name]
    full = {k: attrs.get(k, a.reference_value()) for k, a in declared.attrs.items()}
    assert declared.reference is not None
    return declared.reference(NP, *args, **full)


Norm = Literal["backward", "ortho", "forward"]


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("kind", sorted(SIGNALS))
def test_fft_formulas_agree_with_numpy_fft(kind: str, norm: Norm) -> None:
    x: Any = SIGNALS[kind]
    for name, native in (("fft", np.fft.fft), ("ifft", np.fft.ifft)):
        for n, axis in ((None, -1), (4, -1), (9, 0)):
            np.testing.assert_allclose(reference(name, x, n=n, axis=axis, norm=norm),
                                       native(x, n=n, axis=axis, norm=norm), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(reference("fft2", x, norm=norm), np.fft.fft2(x, norm=norm), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(reference("fftn", x, norm=norm), np.fft.fftn(x, norm=norm), rtol=1e-12, atol=1e-12)
    if kind != "complex":
        for n, axis in ((None, -1), (5, -1), (8, 0)):
            np.testing.assert_allclose(reference("rfft", x, n=n, axis=axis, norm=norm),
                                       np.fft.rfft(x, n=n, axis=axis, norm=norm), rtol=1e-12, atol=1e-12)
    else:
        with pytest.raises(TypeError):
            reference("rfft", x)
    spectrum: Any = SIGNALS["complex"]
    for n, axis in ((None, -1), (7, -1), (10, -1), (4, 0)):
        np.testing.assert_allclose(reference("irfft", spectrum, n=n, axis=axis, norm=norm),
                                   np.fft.irfft(spectrum, n=n, axis=axis, norm=norm), rtol=1e-12, atol=1e-12)


def test_shifts_agree_with_numpy_fft() -> None:
    x = np.arange(30.0).reshape(5, 6)
    for axes in (None, 0, [1], [0, 1]):
        assert np.array_equal(reference("fftshift", x, axes=axes), np.fft.fftshift(x, axes=axes))
        assert np.array_equal(reference("ifftshift", x, axes=axes), np.fft.ifftshift(x, axes=axes))


def test_complex_parts_are_kept_exactly() -> None:
    re, im = np.array([-0.0, 1.0, math.inf, 0.0, math.nan]), np.array([-0.0, math.inf, 1.0, -0.0, 1.0])
    z = reference("complex", re, im)
    assert z.dtype == np.complex128
    assert np.array_equal(np.signbit(z.real), np.signbit(re)) and np.array_equal(np.signbit(z.imag), np.signbit(im))
    assert np.array_equal(z.real, re, equal_nan=True) and np.array_equal(z.imag, im, equal_nan=True)
    with np.errstate(invalid="ignore"):
        assert math.isnan((re + 1j * im)[1].real)  # the multiplication it avoids gives NaN there
    w = np.array([3 + 4j, -1 - 0j, -1 + 0j, 0j])
    assert np.allclose(reference("abs", w), np.abs(w)) and np.array_equal(reference("angle", w), np.angle(w))
    assert np.array_equal(reference("conj", w), np.conj(w)) and np.array_equal(reference("real", w), w.real)
    assert np.array_equal(reference("imag", w), w.imag)


def test_complex_outputs_survive_results_json() -> None:
    z = np.array([1 - 0j, complex(-0.0, -0.0), complex(math.nan, math.nan), complex(math.inf, -1)], dtype=np.complex64)
    back = Tensor.from_results(Tensor(z).to_results()).values
    assert back is not None and back.dtype == np.complex64
    assert np.array_equal(np.signbit(back.real), np.signbit(z.real)) and np.array_equal(np.signbit(back.imag),
                                                                                           np.signbit(z.imag))
    assert np.array_equal(back, z, equal_nan=True)
    assert Tensor(z).has_nan and Tensor(z).has_inf and not Tensor(z[:2]).has_nan


def test_diff_compares_complex_parts_with_their_own_tolerance() -> None:
    zero = np.array([1 + 0.0j], dtype=np.complex64)
    negative_zero = np.array([complex(1.0, -0.0)], dtype=np.complex64)
    found = compare_arrays(zero, negative_zero, *tolerance("complex64", "complex64"))
    assert found is not None and found.kind == "value_mismatch" and found.detail.startswith("imaginary part: signed")
    nan = np.array([complex(math.nan, math.nan)], dtype=np.complex128)
    assert compare_arrays(nan, nan.copy(), *tolerance("complex128", "complex128")) is None  # NaN+NaNj agrees
    half_nan = np.array([complex(math.nan, 0.0)], dtype=np.complex128)
    found = compare_arrays(nan, half_nan, 0.0, 0.0)
    assert found is not None and found.kind == "nan_inf_mismatch" and found.detail.startswith("imaginary part")
    # complex64 carries float32 parts: float32's tolerance, not float64's
    assert tolerance("complex64", "complex128") == tolerance("float32", "float64")
    close = np.array([1 + 1j], dtype=np.complex64) * np.float32(1 + 1e-7)
    assert compare_arrays(close, np.array([1 + 1j], dtype=np.complex128), *tolerance("complex64", "complex128")) is None
    assert compare_arrays(close, np.array([1 + 1j]), 1e-10, 1e-12) is not None


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseRecord]:
    from pathlib import Path

    from oracle.cli import main
    from oracle.results import load_results

    root = Path(__file__).resolve().parent.parent / "cases"
    out = tmp_path_factory.mktemp("complex")
    files = [root / "complex" / "complex-from-parts.yaml", root / "fft" / "fft-real-input.yaml",
             root / "complex" / "complex-gradient-convention.yaml"]
    assert main(["run", *map(str, files), "--out", str(out)]) == 0
    return {c["id"]: c for c in load_results(out / "results.json")["cases"]}


def test_complex_values_reach_results_as_each_framework_built_them(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    re = np.array([-1.0, -1.0, 3.0, math.inf], dtype=np.float32)
    im = np.array([-0.0, 0.0, 4.0, 1.0], dtype=np.float32)
    tz = torch.complex(torch.from_numpy(re), torch.from_numpy(im))
    fz = tf.complex(tf.constant(re), tf.constant(im))
    natives = {"torch": {"z": tz.numpy(), "phase": torch.angle(tz).numpy(), "flipped": torch.conj(tz).resolve_conj()
                         .numpy()},
               "tensorflow": {"z": fz.numpy(), "phase": tf.math.angle(fz).numpy(), "flipped": tf.math.conj(fz).numpy()}}
    for column, native in natives.items():
        got = run["complex-from-parts"]["columns"][column]
        assert got["status"] == "ok", column
        for name, want in native.items():
            values = Tensor.from_results(got["outputs"][name]).values
            assert values is not None and values.dtype == want.dtype, (column, name)
            assert np.array_equal(values, want, equal_nan=True), (column, name)
            assert np.array_equal(np.signbit(np.imag(values)), np.signbit(np.imag(want))), (column, name)
    assert run["complex-from-parts"]["columns"]["reference"]["outputs"]["z"]["dtype"] == "complex128"


def test_a_real_signal_into_each_fft(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch

    x = np.array([1.0, 2.0, 0.5, -1.0, 0.0, 3.0, -2.0, 1.5], dtype=np.float32)
    with pytest.raises(Exception) as raised:
        tf.signal.fft(tf.constant(x))
    got = run["fft-real-input[float32]"]["columns"]
    tf_status = got["tensorflow"]["output_status"]["spectrum"]
    assert tf_status["error"]["type"].endswith(type(raised.value).__name__)
    half = Tensor.from_results(got["tensorflow"]["outputs"]["half"]).values
    assert half is not None and np.array_equal(half, tf.signal.rfft(tf.constant(x)).numpy())
    spectrum = Tensor.from_results(got["torch"]["outputs"]["spectrum"]).values
    assert spectrum is not None and np.array_equal(spectrum, torch.fft.fft(torch.from_numpy(x)).numpy())
    integers = run["fft-real-input[int32]"]["columns"]  # an integer signal: torch promotes it, tf.signal.rfft refuses
    ints = torch.tensor([1, 2, 0, -1, 0, 3, -2, 1], dtype=torch.int32)
    assert integers["torch"]["outputs"]["spectrum"]["dtype"] == str(torch.fft.fft(ints).dtype).removeprefix("torch.")
    with pytest.raises(Exception) as refused:
        tf.signal.rfft(tf.constant(ints.numpy()))
    assert integers["tensorflow"]["output_status"]["half"]["error"]["type"].endswith(type(refused.value).__name__)


def test_complex_gradients_follow_each_frameworks_conjugation_convention(run: dict[str, dict[str, Any]]) -> None:
    import tensorflow as tf
    import torch
    from test_case_language import in_jax

    w = np.array([1 + 2j, 3 - 1j], dtype=np.complex64)
    z = torch.zeros(2, dtype=torch.complex64, requires_grad=True)
    (torch.abs(z + torch.from_numpy(w)) ** 2).sum().backward()
    assert z.grad is not None
    tz = tf.Variable(np.zeros(2, dtype=np.complex64))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.abs(tz + w) ** 2)
    natives = {"torch": z.grad.numpy(), "tensorflow": tape.gradient(loss, tz).numpy(),
               "jax": np.array([complex(*p) for p in in_jax(
                   "g = jax.grad(lambda z: jnp.sum(jnp.abs(z + jnp.array([1+2j, 3-1j], dtype=jnp.complex64)) ** 2))("
                   "jnp.zeros(2, dtype=jnp.complex64))\nresult = [[float(v.real), float(v.imag)] for v in g]")])}
    columns = run["complex-gradient-convention"]["columns"]
    for column, want in natives.items():
        got = Tensor.from_results(columns[column]["outputs"]["grad.z"]).values
        assert got is not None and np.allclose(got, want, rtol=1e-6), (column, got, want)
    assert np.allclose(natives["jax"], np.conj(natives["torch"]))  # the two conventions the case shows
    reference = Tensor.from_results(columns["reference"]["outputs"]["grad.z"]).values
    assert reference is not None and np.allclose(reference, 2 * w)  # df/dre + i df/dim of |z + w|^2 at z = 0
