"""Fourier transforms: NumPy's pocketfft (np.fft), and transforms of an impulse and a constant by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import EXT, P, Raises, Rule, S, a, rng

C = S + 1j * P  # a complex sample
X3 = rng.normal(size=(2, 3, 4))
FFT_TOL = 1e-12  # values are O(1) to O(10): a tolerance for the rounding residue at exact zeros

RULES = [
    # by hand: the impulse [1, 0, 0, 0] has every bin 1; a constant [1, 1, 1, 1] has bin 0 = 4 and the rest 0
    Rule("fft", "an impulse transforms to all ones", (a(1.0, 0.0, 0.0, 0.0),), np.ones(4, complex), atol=FFT_TOL,
         cite=EXT.format("fft.fft")),
    Rule("fft", "a constant transforms to N at bin 0", (a(1.0, 1.0, 1.0, 1.0),), np.array([4, 0, 0, 0], complex),
         atol=FFT_TOL, cite=EXT.format("fft.fft")),
    Rule("fft", "along the last axis, as np.fft.fft", (C,), np.fft.fft, atol=FFT_TOL, cite=EXT.format("fft.fft")),
    Rule("fft", "n = 6 zero-pads, axis 0", (C,), lambda x: np.fft.fft(x, 6, axis=0), {"n": 6, "axis": 0}, atol=FFT_TOL,
         cite=EXT.format("fft.fft")),
    Rule("fft", "n = 3 cuts", (S,), lambda x: np.fft.fft(x, 3), {"n": 3}, atol=FFT_TOL, cite=EXT.format("fft.fft")),
    Rule("fft", "norm ortho scales by 1 / sqrt(N)", (S,), lambda x: np.fft.fft(x, norm="ortho"), {"norm": "ortho"},
         atol=FFT_TOL, cite=EXT.format("fft.fft")),
    Rule("fft", "norm forward scales by 1 / N", (S,), lambda x: np.fft.fft(x, norm="forward"), {"norm": "forward"},
         atol=FFT_TOL, cite=EXT.format("fft.fft")),
    Rule("ifft", "as np.fft.ifft: 1 / N under backward", (C,), np.fft.ifft, atol=FFT_TOL, cite=EXT.format("fft.ifft")),
    Rule("ifft", "norm forward: no scaling on the inverse", (C,), lambda x: np.fft.ifft(x, norm="forward"),
         {"norm": "forward"}, atol=FFT_TOL, cite=EXT.format("fft.ifft")),
    Rule("rfft", "bins 0..N//2, as np.fft.rfft (even N)", (S,), np.fft.rfft, atol=FFT_TOL, cite=EXT.format("fft.rfft")),
    Rule("rfft", "odd n = 5 (zero-padded): bins 0..2", (S,), lambda x: np.fft.rfft(x, 5), {"n": 5}, atol=FFT_TOL,
         cite=EXT.format("fft.rfft")),
    Rule("rfft", "a complex input raises", (C,), Raises(TypeError), cite=EXT.format("fft.rfft")),
    Rule("irfft", "length 2 (m - 1), as np.fft.irfft", (np.fft.rfft(S),), np.fft.irfft, atol=FFT_TOL,
         cite=EXT.format("fft.irfft")),
    Rule("irfft", "odd n = 5, as np.fft.irfft", (np.fft.rfft(S, 5),), lambda x: np.fft.irfft(x, 5), {"n": 5},
         atol=FFT_TOL, cite=EXT.format("fft.irfft")),
    Rule("irfft", "the imaginary parts of bin 0 and of bin n/2 are dropped, as np.fft.irfft", (C[:, :3],),
         np.fft.irfft, atol=FFT_TOL, cite=EXT.format("fft.irfft")),
    Rule("fft2", "over the last two axes, as np.fft.fft2", (X3,), np.fft.fft2, atol=FFT_TOL),
    Rule("fft2", "a 1-D input raises", (a(1.0, 2.0),), Raises(ValueError)),
    Rule("fftn", "over every axis, as np.fft.fftn", (X3,), np.fft.fftn, atol=FFT_TOL, cite=EXT.format("fft.fftn")),
    Rule("fftn", "norm ortho, as np.fft.fftn", (C,), lambda x: np.fft.fftn(x, norm="ortho"), {"norm": "ortho"},
         atol=FFT_TOL, cite=EXT.format("fft.fftn")),
    Rule("fftshift", "every axis rolled by size // 2 (odd and even sizes), as np.fft.fftshift",
         (np.arange(15.0).reshape(3, 5),), np.fft.fftshift, cite=EXT.format("fft.fftshift")),
    Rule("fftshift", "only the axes named", (np.arange(12.0).reshape(3, 4),), lambda x: np.fft.fftshift(x, axes=1),
         {"axes": [1]}, cite=EXT.format("fft.fftshift")),
    Rule("ifftshift", "every axis rolled by -(size // 2), as np.fft.ifftshift", (np.arange(15.0).reshape(3, 5),),
         np.fft.ifftshift, cite=EXT.format("fft.ifftshift")),
    # by hand: fftshift of [0, 1, 2, 3, 4] is [3, 4, 0, 1, 2]; ifftshift of that is [0, 1, 2, 3, 4]
    Rule("ifftshift", "undoes fftshift for an odd length", (a(3.0, 4.0, 0.0, 1.0, 2.0),), a(0.0, 1.0, 2.0, 3.0, 4.0),
         cite=EXT.format("fft.ifftshift")),
]
