"""Discrete Fourier transforms: fft, ifft, rfft, irfft, their 2-D and n-D forms, hfft/ihfft, the sample
frequencies and the shifts, with `norm` conventions.

The reference computes each transform as the sum that defines it, X[k] = sum_n x[n] exp(-2 pi i k n / N)
(+ for the inverse), with an explicit twiddle matrix, never with an FFT routine; a test checks every
formula against numpy.fft. `norm` scales the forward/inverse pair: backward (1 and 1/N, the default of
NumPy, torch and JAX), ortho (1/sqrt(N) both ways), forward (1/N and 1).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from oracle.ops.spec import REQUIRED, Attr, call, kw, none, op

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


def _ifft2(r: Any, x: Any, norm: str) -> Any:
    if x.ndim < 2:
        raise ValueError(f"ifft2 needs at least 2 dimensions, got {x.ndim}")
    return _dft(r, _dft(r, x, None, -1, norm, True), None, -2, norm, True)


def _ifftn(r: Any, x: Any, norm: str) -> Any:
    out = x
    for axis in range(x.ndim):
        out = _dft(r, out, None, axis, norm, True)
    return out if x.ndim else r.xp.asarray(x).astype(r.xp.complex128)


def _rfftn_axes(r: Any, x: Any, axes: range, norm: str) -> Any:
    """rfft over the last axis, then the full transform over the other axes named (NumPy's order)."""
    out = _rfft(r, x, None, -1, norm)
    for axis in axes:
        out = _dft(r, out, None, axis, norm, False)
    return out


def _rfft2(r: Any, x: Any, norm: str) -> Any:
    if x.ndim < 2:
        raise ValueError(f"rfft2 needs at least 2 dimensions, got {x.ndim}")
    return _rfftn_axes(r, x, range(x.ndim - 2, x.ndim - 1), norm)


def _rfftn(r: Any, x: Any, norm: str) -> Any:
    if x.ndim < 1:
        raise ValueError("rfftn needs at least 1 dimension")
    return _rfftn_axes(r, x, range(x.ndim - 1), norm)


def _irfftn_axes(r: Any, x: Any, axes: range, norm: str) -> Any:
    """The inverse of rfftn: the full inverse over the other axes named first, then irfft over the last."""
    out = x
    for axis in axes:
        out = _dft(r, out, None, axis, norm, True)
    return _irfft(r, out, None, -1, norm)


def _irfft2(r: Any, x: Any, norm: str) -> Any:
    if x.ndim < 2:
        raise ValueError(f"irfft2 needs at least 2 dimensions, got {x.ndim}")
    return _irfftn_axes(r, x, range(x.ndim - 2, x.ndim - 1), norm)


def _irfftn(r: Any, x: Any, norm: str) -> Any:
    if x.ndim < 1:
        raise ValueError("irfftn needs at least 1 dimension")
    return _irfftn_axes(r, x, range(x.ndim - 1), norm)


_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _hfft(r: Any, x: Any, n: int | None, axis: int, norm: str) -> Any:
    """The transform of a Hermitian-symmetric signal given by its first half: a forward transform, so under
    norm=backward it is unscaled; it equals irfft(conj(x)) with the inverse's scaling swapped."""
    return _irfft(r, r.xp.conj(r.xp.asarray(x).astype(r.xp.complex128)), n, axis, _SWAP[norm])


def _ihfft(r: Any, x: Any, n: int | None, axis: int, norm: str) -> Any:
    """The inverse of hfft: conj(rfft(x)) with the scaling swapped (1/N under norm=backward)."""
    return r.xp.conj(_rfft(r, x, n, axis, _SWAP[norm]))


def _freqs(r: Any, n: int, d: float, half: bool) -> Any:
    """Bin centres in cycles per unit of the spacing d: k / (d n), k = 0..n//2 (rfftfreq) or
    0..(n-1)//2 then -(n//2)..-1 (fftfreq)."""
    k = np.arange(n // 2 + 1) if half else np.concatenate([np.arange((n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return r.xp.asarray(k, dtype=r.xp.float64) / (d * n)


def _shift(r: Any, x: Any, axes: Any, inverse: bool) -> Any:
    chosen = range(x.ndim) if axes is None else ([axes] if isinstance(axes, int) else list(axes))
    out = x
    for axis in chosen:
        size = x.shape[axis]
        out = r.xp.roll(out, -(size // 2) if inverse else size // 2, axis=axis)
    return out


SIZE = Attr("int", REQUIRED, low=1, doc="the window length n (the number of samples)")
SPACING = Attr("float", reference=1.0, low=0.0, doc="the sample spacing d; the reference uses 1.0 when unpinned")
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
    op("ifft2", "fft", "x", "the inverse 2-D transform over the last two axes (1/(N1 N2) under norm=backward)",
       _ifft2, attrs={"norm": NORM}, conventions=_KEEP, torch=call("torch.fft.ifft2", norm="norm"),
       tensorflow=call("tf.signal.ifft2d"), jax=call("jnp.fft.ifft2", norm="norm")),
    op("ifftn", "fft", "x", "the inverse n-D transform over every axis", _ifftn, attrs={"norm": NORM},
       conventions=_KEEP, torch=call("torch.fft.ifftn", norm="norm"),
       tensorflow=none("tf.signal has ifft, ifft2d and ifft3d over the innermost axes, no inverse over every axis"),
       jax=call("jnp.fft.ifftn", norm="norm")),
    op("rfft2", "fft", "x", "the 2-D transform of a real signal over the last two axes: rfft over the last axis "
       "(bins 0..N//2), then the full transform over the one before", _rfft2, attrs={"norm": NORM},
       conventions="a complex input raises (TypeError); " + _KEEP, torch=call("torch.fft.rfft2", norm="norm"),
       tensorflow=call("tf.signal.rfft2d"), jax=call("jnp.fft.rfft2", norm="norm")),
    op("irfft2", "fft", "x", "the inverse of rfft2: the full inverse over the second-to-last axis, then irfft over "
       "the last (2*(m-1) samples for m bins)", _irfft2, attrs={"norm": NORM},
       conventions="Hermitian symmetry is assumed along the last axis; the result is float64",
       torch=call("torch.fft.irfft2", norm="norm"), tensorflow=call("tf.signal.irfft2d"),
       jax=call("jnp.fft.irfft2", norm="norm")),
    op("rfftn", "fft", "x", "the n-D transform of a real signal over every axis: rfft over the last, the full "
       "transform over the others", _rfftn, attrs={"norm": NORM},
       conventions="a complex input raises (TypeError); " + _KEEP, torch=call("torch.fft.rfftn", norm="norm"),
       tensorflow=none("tf.signal has rfft, rfft2d and rfft3d over the innermost axes, no transform over every axis"),
       jax=call("jnp.fft.rfftn", norm="norm")),
    op("irfftn", "fft", "x", "the inverse of rfftn over every axis: the full inverse over all but the last, then "
       "irfft over the last", _irfftn, attrs={"norm": NORM},
       conventions="Hermitian symmetry is assumed along the last axis; the result is float64",
       torch=call("torch.fft.irfftn", norm="norm"),
       tensorflow=none("tf.signal has irfft, irfft2d and irfft3d over the innermost axes, no inverse over every axis"),
       jax=call("jnp.fft.irfftn", norm="norm")),
    op("hfft", "fft", "x", "the transform of a Hermitian-symmetric signal given by its first half (m values, "
       "2*(m-1) real outputs unpinned): irfft(conj(x)) times N under norm=backward (a forward transform, unscaled)",
       _hfft, attrs={"n": LENGTH, "axis": AXIS, "norm": NORM},
       conventions="the imaginary parts of x[0] and (even n) x[n/2] are dropped; the result is float64",
       torch=call("torch.fft.hfft", n="n", axis="dim", norm="norm"),
       tensorflow=none("tf.signal has no Hermitian FFT (hfft)"),
       jax=call("jnp.fft.hfft", n="n", axis="axis", norm="norm")),
    op("ihfft", "fft", "x", "the inverse of hfft for a real signal: conj(rfft(x)) / N under norm=backward",
       _ihfft, attrs={"n": LENGTH, "axis": AXIS, "norm": NORM},
       conventions="a complex input raises (TypeError); " + _KEEP,
       torch=call("torch.fft.ihfft", n="n", axis="dim", norm="norm"),
       tensorflow=none("tf.signal has no inverse Hermitian FFT (ihfft)"),
       jax=call("jnp.fft.ihfft", n="n", axis="axis", norm="norm")),
    op("fftfreq", "fft", (), "the sample frequencies of an n-point transform with spacing d: "
       "[0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d n)", lambda r, n, d: _freqs(r, n, d, False),
       attrs={"n": SIZE, "d": SPACING}, conventions="the reference's result is float64",
       torch=call("torch.fft.fftfreq", args=(), n=kw("n", positional=True), d="d"),
       tensorflow=none("tf.signal has no fftfreq (the sample frequencies are left to NumPy)"),
       jax=call("jnp.fft.fftfreq", args=(), n=kw("n", positional=True), d="d")),
    op("rfftfreq", "fft", (), "the sample frequencies of rfft's bins: [0, 1, ..., n//2] / (d n)",
       lambda r, n, d: _freqs(r, n, d, True), attrs={"n": SIZE, "d": SPACING},
       conventions="the reference's result is float64",
       torch=call("torch.fft.rfftfreq", args=(), n=kw("n", positional=True), d="d"),
       tensorflow=none("tf.signal has no rfftfreq (the sample frequencies are left to NumPy)"),
       jax=call("jnp.fft.rfftfreq", args=(), n=kw("n", positional=True), d="d")),
]
