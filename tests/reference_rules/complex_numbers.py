"""Complex numbers: parts built and read with Python's complex() and NumPy, signed zeros kept."""

from __future__ import annotations

import math

import numpy as np

from reference_rules.common import API, INF, NAN, Rule, a

# the parts by hand: complex(re, im) keeps each part exactly (re + 1j * im would turn -0.0 into 0.0)
Z = np.array([complex(1.0, 2.0), complex(-1.0, -0.0), complex(-1.0, 0.0), complex(0.0, 0.0), complex(-0.0, 0.0),
              complex(INF, NAN)])

RULES = [
    Rule("complex", "re + i im, each part exactly: -0 and inf with NaN kept", (a(1.0, -0.0, INF), a(2.0, -0.0, NAN)),
         np.array([complex(1.0, 2.0), complex(-0.0, -0.0), complex(INF, NAN)]), signed=True),
    Rule("real", "the real part, signed zeros kept", (Z,), np.real, signed=True, cite=API.format("real")),
    Rule("real", "a real input is returned as is", (a(-0.0, 2.0),), a(-0.0, 2.0), signed=True, cite=API.format("real")),
    Rule("imag", "the imaginary part, signed zeros kept", (Z,), np.imag, signed=True, cite=API.format("imag")),
    Rule("imag", "a real input has imaginary part 0 (NumPy)", (a(-1.0, 2.0),), a(0.0, 0.0), cite=API.format("imag")),
    Rule("conj", "re - i im: the sign of a zero imaginary part flips (np.conj)", (Z,), np.conj, signed=True,
         cite=API.format("conj")),
    Rule("conj", "a real input is returned as is", (a(-0.0, 2.0),), a(-0.0, 2.0), signed=True, cite=API.format("conj")),
    Rule("angle", "atan2(im, re): -1 - 0i is -pi, -1 + 0i is pi, 0 is 0 (np.angle)", (Z[:5],), np.angle, signed=True),
    Rule("angle", "a negative real input is pi, not -pi (the range is (-pi, pi]); +-0 as np.angle",
         (a(-2.0, 3.0, -0.0, 0.0),), a(math.pi, 0.0, math.pi, 0.0)),
    Rule("angle", "a real -inf is pi, NaN stays NaN (np.angle)", (a(-INF, INF, NAN),), np.angle),
]
