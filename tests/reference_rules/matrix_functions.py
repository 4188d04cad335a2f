"""Linear algebra, round two: NumPy's matrix_power, matrix_rank, kron, cross and lstsq, and values by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import EXT, Rule, S, a

SQ = S[:, :3] + 3 * np.eye(3)  # well conditioned
# rank 1: the second column is twice the first; lstsq's minimum-norm solution is pinv(A) b
DEFICIENT = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])

RULES = [
    Rule("matrix_power", "n = 3 is NumPy's", (SQ,), lambda m: np.linalg.matrix_power(m, 3), {"n": 3},
         cite=EXT.format("linalg.matrix_power")),
    Rule("matrix_power", "n = 0 is the identity", (SQ,), np.eye(3), {"n": 0}),
    Rule("matrix_power", "n = -2 is the inverse squared (NumPy's)", (SQ,), lambda m: np.linalg.matrix_power(m, -2),
         {"n": -2}),
    # by hand: [[1, 1], [0, 1]]^5 = [[1, 5], [0, 1]]
    Rule("matrix_power", "a shear to the 5th: [[1, 5], [0, 1]]", (a(1.0, 1.0, 0.0, 1.0).reshape(2, 2),),
         a(1.0, 5.0, 0.0, 1.0).reshape(2, 2), {"n": 5}),
    Rule("matrix_rank", "full rank is NumPy's", (S,), lambda m: np.linalg.matrix_rank(m, rtol=1e-5),
         cite=EXT.format("linalg.matrix_rank")),
    Rule("matrix_rank", "a column twice another: rank 1", (DEFICIENT,), 1),
    Rule("matrix_rank", "the zero matrix: rank 0", (np.zeros((2, 3)),), 0),
    Rule("matrix_rank", "batched, as NumPy", (np.stack([DEFICIENT, S[:, :2]]),),
         lambda m: np.linalg.matrix_rank(m, rtol=1e-5)),
    Rule("kron", "2-D is NumPy's", (S[:2, :2], S[1:, 1:]), np.kron),
    # by hand: [1, 2] kron [3, 4, 5] = [3, 4, 5, 6, 8, 10]
    Rule("kron", "vectors by hand", (a(1.0, 2.0), a(3.0, 4.0, 5.0)), a(3.0, 4.0, 5.0, 6.0, 8.0, 10.0)),
    Rule("kron", "ranks 1 and 2: the vector is a row (NumPy)", (a(1.0, -1.0), S[:2, :2]), np.kron),
    Rule("cross", "rows of 3-vectors, as np.cross", (S[:, :3], S[:, 1:]), np.cross, cite=EXT.format("linalg.cross")),
    Rule("cross", "x cross y = z", (a(1.0, 0.0, 0.0), a(0.0, 1.0, 0.0)), a(0.0, 0.0, 1.0)),
    Rule("cross", "a vector with itself: 0", (a(2.0, -3.0, 5.0), a(2.0, -3.0, 5.0)), a(0.0, 0.0, 0.0)),
    Rule("lstsq", "an overdetermined full-rank system, as np.linalg.lstsq", (S.T, S.T[:, :1]),
         lambda m, b: np.linalg.lstsq(m, b, rcond=None)[0], atol=1e-12),
    # by hand: A = c v^T with c = [1, 2, 3], v = [1, 2]; b = A [1, 1] = 3 c; the minimum-norm solution
    # is along v: x = t v with |c|^2 |v|^2 t = c.b = 3 |c|^2, t = 3/5, x = [0.6, 1.2]
    Rule("lstsq", "rank-deficient: the minimum-norm solution", (DEFICIENT, a(3.0, 6.0, 9.0).reshape(3, 1)),
         a(0.6, 1.2).reshape(2, 1)),
    Rule("lstsq", "rank-deficient, as np.linalg.pinv(a) @ b", (DEFICIENT, S[:, :2]),
         lambda m, b: np.linalg.pinv(m) @ b),
]
