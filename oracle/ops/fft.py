"""Discrete Fourier transforms: fft, ifft, rfft, irfft, fft2, fftn and the shifts, with `norm` conventions.

The reference computes each transform as the sum that defines it, X[k] = sum_n x[n] exp(-2 pi i k n / N)
(+ for the inverse), with an explicit twiddle matrix, never with an FFT routine; a test checks every
formula against numpy.fft. `norm` scales the forward/inverse pair: backward (1 and 1/N, the default of
NumPy, torch and JAX), ortho (1/sqrt(N) both ways), forward (1/N and 1).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from oracle.ops.spec import Attr, call, none, op

NORM = Attr("str", choices=("backward", "ortho", "forward"), reference="backward",
            doc="scaling of the pair; the reference uses backward (no scaling forward, 1/N inverse) when unpinned")
LENGTH = Attr("int", nullable=True, low=1, reference=None,
              doc="the transform length: the input is cut or zero-padded to it; unpinned, the axis length")
AXIS = Attr("int", reference=-1, doc="the axis transformed; the reference uses the last when unpinned")
SHIFT_AXES = Attr("axes", nullable=True, reference=None, doc="axes shifted; the reference shifts all when unpinned")


def _scale(norm: str, size: int, inverse: bool) -> float:
    if norm == "ortho":
        return 1 / math.sqrt(size)
    return 1 / size if (norm == "forward") != inverse else 1.0


def _resize(r: Any, x: Any, size: int) -> Any:
    """The last axis cut, or zero-padded, to `size` (what `n` asks of every transform)."""
    xp, have = r.xp, x.shape[-1]
    if have >= size:
        return x[..., :size]
    return xp.concatenate([x, xp.zeros(x.shape[:-1] + (size - have,), dtype=x.dtype)], axis=-1)


def _dft(r: Any, x: Any, n: int | None, axis: int, norm: str, inverse: bool) -> Any:
    """The defining sum over one axis, complex128 out; the twiddles use (k*j mod N) so they stay exact."""
    xp = r.xp
    moved = xp.moveaxis(xp.asarray(x).astype(xp.complex128), axis, -1)
    size = moved.shape[-1] if n is None else n
    if size < 1:
        raise ValueError(f"an FFT needs a length of at least 1, got {size}")
    moved = _resize(r, moved, size)
    k = np.arange(size)
    sign = 1.0 if inverse else -1.0
    twiddle = np.exp(sign * 2j * np.pi * (np.outer(k, k) % size) / size)  # symmetric
    out = (moved @ xp.asarray(twiddle)) * _scale(norm, size, inverse)
    return xp.moveaxis(out, -1, axis)


def _fft(r: Any, x: Any, n: int | None, axis: int, norm: str) -> Any:
    return _dft(r, x, n, axis, norm, inverse=False)


def _ifft(r: Any, x: Any, n: int | None, axis: int, norm: str) -> Any:
    return _dft(r, x, n, axis, norm, inverse=True)


def _rfft(r: Any, x: Any, n: int | None, axis: int, norm: str) -> Any:
    if r.xp.iscomplexobj(x):
        raise TypeError("rfft: the input must be real")
    full = _dft(r, x, n, axis, norm, inverse=False)
    size = x.shape[axis] if n is None else n
    return r.xp.moveaxis(r.xp.moveaxis(full, axis, -1)[..., : size // 2 + 1], -1, axis)


def _irfft(r: Any, x: Any, n: int | None, axis: int, norm: str) -> Any:
    """The real signal of length n (2*(m-1) unpinned) whose spectrum's first n//2+1 bins are x; the other bins
    are the conjugates (Hermitian symmetry), so the imaginary parts of bin 0 (and of bin n/2 for even n) drop."""
    xp = r.xp
    moved = xp.moveaxis(xp.asarray(x).astype(xp.complex128), axis, -1)
    size = 2 * (moved.shape[-1] - 1) if n is None else n
    if size < 1:
        raise ValueError(f"irfft: invalid output length {size}")
    half = _resize(r, moved, size // 2 + 1)
    tail = xp.conj(half[..., 1: size - size // 2])[..., ::-1]
    full = xp.concatenate([half, tail], axis=-1)
    return xp.moveaxis(xp.real(_dft(r, full, None, -1, norm, inverse=True)), -1, axis)


def _fft2(r: Any, x: Any, norm: str) -> Any:
    if x.ndim < 2:
        raise ValueError(f"fft2 needs at least 2 dimensions, got {x.ndim}")
    return _dft(r, _dft(r, x, None, -1, norm, False), None, -2, norm, False)


def _fftn(r: Any, x: Any, norm: str) -> Any:
    out = x
    for axis in range(x.ndim):
        out = _dft(r, out, None, axis, norm, False)
    return out if x.ndim else r.xp.asarray(x).astype(r.xp.complex128)


def _shift(r: Any, x: Any, axes: Any, inverse: bool) -> Any:
    chosen = range(x.ndim) if axes is None else ([axes] if isinstance(axes, int) else list(axes))
    out = x
    for axis in chosen:
        size = x.shape[axis]
        out = r.xp.roll(out, -(size // 2) if inverse else size // 2, axis=axis)
    return out


_KEEP = "the reference's result is complex128 (real and integer inputs are promoted)"

OPS = [
    op("fft", "fft", "x", "the discrete Fourier transform along `axis`: X[k] = sum_n x[n] exp(-2 pi i k n / N), "
       "scaled by `norm`", _fft, attrs={"n": LENGTH, "axis": AXIS, "norm": NORM}, conventions=_KEEP,
       torch=call("torch.fft.fft", n="n", axis="dim", norm="norm"),
       tensorflow=call("tf.signal.fft"), jax=call("jnp.fft.fft", n="n", axis="axis", norm="norm")),
    op("ifft", "fft", "x", "the inverse transform: x[n] = sum_k X[k] exp(+2 pi i k n / N) / N under norm=backward",
       _ifft, attrs={"n": LENGTH, "axis": AXIS, "norm": NORM}, conventions=_KEEP,
       torch=call("torch.fft.ifft", n="n", axis="dim", norm="norm"),
       tensorflow=call("tf.signal.ifft"), jax=call("jnp.fft.ifft", n="n", axis="axis", norm="norm")),
    op("rfft", "fft", "x", "the transform of a real signal, bins 0..N//2 only (the others are their conjugates)",
       _rfft, attrs={"n": LENGTH, "axis": AXIS, "norm": NORM},
       conventions="a complex input raises (TypeError); " + _KEEP,
       torch=call("torch.fft.rfft", n="n", axis="dim", norm="norm"),
       tensorflow=call("tf.signal.rfft"), jax=call("jnp.fft.rfft", n="n", axis="axis", norm="norm")),
    op("irfft", "fft", "x", "the inverse of rfft: a real signal of length n (2*(m-1) for m bins when unpinned)",
       _irfft, attrs={"n": LENGTH, "axis": AXIS, "norm": NORM},
       conventions="Hermitian symmetry is assumed: the imaginary parts of bin 0 and (even n) bin n/2 are dropped; "
                   "the result is float64",
       torch=call("torch.fft.irfft", n="n", axis="dim", norm="norm"),
       tensorflow=call("tf.signal.irfft"), jax=call("jnp.fft.irfft", n="n", axis="axis", norm="norm")),
    op("fft2", "fft", "x", "the 2-D transform over the last two axes", _fft2, attrs={"norm": NORM},
       conventions=_KEEP, torch=call("torch.fft.fft2", norm="norm"), tensorflow=call("tf.signal.fft2d"),
       jax=call("jnp.fft.fft2", norm="norm")),
    op("fftn", "fft", "x", "the n-D transform over every axis", _fftn, attrs={"norm": NORM}, conventions=_KEEP,
       torch=call("torch.fft.fftn", norm="norm"),
       tensorflow=none("tf.signal has fft, fft2d and fft3d over the innermost axes, no transform over every axis"),
       jax=call("jnp.fft.fftn", norm="norm")),
    op("fftshift", "fft", "x", "the zero-frequency bin moved to the centre: each axis rolled by size//2",
       lambda r, x, axes: _shift(r, x, axes, False), attrs={"axes": SHIFT_AXES},
       torch=call("torch.fft.fftshift", axes="dim"), tensorflow=call("tf.signal.fftshift", axes="axes"),
       jax=call("jnp.fft.fftshift", axes="axes")),
    op("ifftshift", "fft", "x", "the inverse of fftshift: each axis rolled by -(size//2)",
       lambda r, x, axes: _shift(r, x, axes, True), attrs={"axes": SHIFT_AXES},
       torch=call("torch.fft.ifftshift", axes="dim"), tensorflow=call("tf.signal.ifftshift", axes="axes"),
       jax=call("jnp.fft.ifftshift", axes="axes")),
]


