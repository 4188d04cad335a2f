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
    Rule("ifft2", "over the last two axes, as np.fft.ifft2", (X3 + 1j * X3[::-1],), np.fft.ifft2, atol=FFT_TOL,
         cite=EXT.format("fft.ifftn")),
    Rule("ifft2", "norm forward: no scaling on the inverse", (X3,), lambda x: np.fft.ifft2(x, norm="forward"),
         {"norm": "forward"}, atol=FFT_TOL),
    Rule("ifft2", "a 1-D input raises", (a(1.0, 2.0),), Raises(ValueError)),
    # by hand: the inverse of an all-ones 2 x 2 spectrum is an impulse at [0, 0] (1/4 of 4)
    Rule("ifft2", "all ones invert to an impulse", (np.ones((2, 2)),), np.array([[1, 0], [0, 0]], complex),
         atol=FFT_TOL),
    Rule("ifftn", "over every axis, as np.fft.ifftn", (X3,), np.fft.ifftn, atol=FFT_TOL, cite=EXT.format("fft.ifftn")),
    Rule("ifftn", "norm ortho, as np.fft.ifftn", (C,), lambda x: np.fft.ifftn(x, norm="ortho"), {"norm": "ortho"},
         atol=FFT_TOL, cite=EXT.format("fft.ifftn")),
    Rule("rfft2", "as np.fft.rfft2 (last axis halved)", (X3,), np.fft.rfft2, atol=FFT_TOL, cite=EXT.format("fft.rfftn")),
    Rule("rfft2", "odd last axis, norm ortho", (rng.normal(size=(4, 5)),), lambda x: np.fft.rfft2(x, norm="ortho"),
         {"norm": "ortho"}, atol=FFT_TOL),
    Rule("rfft2", "a complex input raises", (C,), Raises(TypeError)),
    Rule("irfft2", "as np.fft.irfft2", (np.fft.rfft2(X3),), np.fft.irfft2, atol=FFT_TOL, cite=EXT.format("fft.irfftn")),
    Rule("irfft2", "round trip of rfft2 (even last axis)", (np.fft.rfft2(X3),), X3, atol=FFT_TOL),
    Rule("rfftn", "over every axis, as np.fft.rfftn", (X3,), np.fft.rfftn, atol=FFT_TOL, cite=EXT.format("fft.rfftn")),
    Rule("rfftn", "norm forward, as np.fft.rfftn", (X3,), lambda x: np.fft.rfftn(x, norm="forward"),
         {"norm": "forward"}, atol=FFT_TOL),
    Rule("irfftn", "as np.fft.irfftn", (np.fft.rfftn(X3),), np.fft.irfftn, atol=FFT_TOL, cite=EXT.format("fft.irfftn")),
    Rule("irfftn", "norm ortho, as np.fft.irfftn", (np.fft.rfftn(X3),), lambda x: np.fft.irfftn(x, norm="ortho"),
         {"norm": "ortho"}, atol=FFT_TOL),
    Rule("hfft", "as np.fft.hfft (2 (m - 1) real outputs)", (C,), np.fft.hfft, atol=FFT_TOL, cite=EXT.format("fft.hfft")),
    Rule("hfft", "n = 5, norm forward, as np.fft.hfft", (C,), lambda x: np.fft.hfft(x, 5, norm="forward"),
         {"n": 5, "norm": "forward"}, atol=FFT_TOL, cite=EXT.format("fft.hfft")),
    # by hand: [1, 0, 0] is the first half of an impulse of length 4, whose unscaled transform is all ones
    Rule("hfft", "an impulse's half transforms to all ones", (a(1.0, 0.0, 0.0),), np.ones(4), atol=FFT_TOL),
    Rule("ihfft", "as np.fft.ihfft", (S,), np.fft.ihfft, atol=FFT_TOL, cite=EXT.format("fft.ihfft")),
    Rule("ihfft", "norm ortho, axis 0, as np.fft.ihfft", (S,), lambda x: np.fft.ihfft(x, axis=0, norm="ortho"),
         {"axis": 0, "norm": "ortho"}, atol=FFT_TOL, cite=EXT.format("fft.ihfft")),
    Rule("ihfft", "a complex input raises", (C,), Raises(TypeError)),
    Rule("fftfreq", "even n = 8, as np.fft.fftfreq", (), np.fft.fftfreq(8), {"n": 8}, cite=EXT.format("fft.fftfreq")),
    Rule("fftfreq", "odd n = 5 with d = 0.1, as np.fft.fftfreq", (), np.fft.fftfreq(5, 0.1), {"n": 5, "d": 0.1},
         cite=EXT.format("fft.fftfreq")),
    # by hand: n = 4, d = 1: [0, 1, -2, -1] / 4
    Rule("fftfreq", "n = 4 by hand", (), a(0.0, 0.25, -0.5, -0.25), {"n": 4}),
    Rule("rfftfreq", "even n = 8, as np.fft.rfftfreq", (), np.fft.rfftfreq(8), {"n": 8},
         cite=EXT.format("fft.rfftfreq")),
    Rule("rfftfreq", "odd n = 5 with d = 2, as np.fft.rfftfreq", (), np.fft.rfftfreq(5, 2.0), {"n": 5, "d": 2.0},
         cite=EXT.format("fft.rfftfreq")),
]
