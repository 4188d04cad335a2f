"""Linear algebra, round two: NumPy's matrix_power, matrix_rank, kron, cross and lstsq, SciPy's expm, lu,
cho_solve and solve_triangular, NumPy's multi_dot, cond and vander, and values by hand."""

from __future__ import annotations

import numpy as np
import scipy.linalg

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
    Rule("matrix_exp", "as scipy.linalg.expm", (S[:, :3],), scipy.linalg.expm),
    Rule("matrix_exp", "a larger norm (squared back), as scipy.linalg.expm", (2.5 * SQ,), scipy.linalg.expm),
    Rule("matrix_exp", "the zero matrix: the identity", (np.zeros((3, 3)),), np.eye(3)),
    # by hand: a nilpotent [[0, 1], [0, 0]] has exp = I + a = [[1, 1], [0, 1]]; diag(1, -1) gives diag(e, 1/e)
    Rule("matrix_exp", "nilpotent: I + a", (a(0.0, 1.0, 0.0, 0.0).reshape(2, 2),), a(1.0, 1.0, 0.0, 1.0).reshape(2, 2)),
    Rule("matrix_exp", "diagonal: exp of the diagonal", (np.diag(a(1.0, -1.0)),), np.diag(np.exp(a(1.0, -1.0)))),
    # exp(-SQ) has entries that cancel to ~1e-2: the series and SciPy's Pade approximant round apart by ~1e-13
    Rule("matrix_exp", "batched, as scipy.linalg.expm", (np.stack([SQ, -SQ]),), lambda m: np.stack(
        [scipy.linalg.expm(m[0]), scipy.linalg.expm(m[1])]), atol=1e-12),
    Rule("multi_dot", "three matrices, as np.linalg.multi_dot", (S, S.T, S), lambda x, y, z: np.linalg.multi_dot(
        [x, y, z])),
    Rule("multi_dot", "1-D ends: a row and a column vector (a scalar)", (a(1.0, 2.0, 3.0), S, a(1.0, 0.0, -1.0, 2.0)),
         lambda x, y, z: np.linalg.multi_dot([x, y, z])),
    Rule("cholesky_solve", "as scipy.linalg.cho_solve", (np.linalg.cholesky(SQ @ SQ.T), S[:, :2]),
         lambda c, b: scipy.linalg.cho_solve((c, True), b)),
    Rule("cholesky_solve", "the strict upper triangle is not read", (np.linalg.cholesky(SQ @ SQ.T) + np.triu(
        np.ones((3, 3)), 1), S[:, :2]), lambda c, b: scipy.linalg.cho_solve((np.tril(c), True), b)),
    # by hand: L = [[2, 0], [1, 1]], A = L L^T = [[4, 2], [2, 2]]; A [1, 1]^T = [6, 4]
    Rule("cholesky_solve", "by hand: [[4, 2], [2, 2]] x = [6, 4]", (a(2.0, 0.0, 1.0, 1.0).reshape(2, 2),
                                                                     a(6.0, 4.0).reshape(2, 1)),
         a(1.0, 1.0).reshape(2, 1)),
    Rule("triangular_solve", "lower, as scipy.linalg.solve_triangular", (SQ, S[:, :2]),
         lambda m, b: scipy.linalg.solve_triangular(m, b, lower=True), {"lower": True}),
    Rule("triangular_solve", "upper, as scipy.linalg.solve_triangular", (SQ, S[:, :2]),
         lambda m, b: scipy.linalg.solve_triangular(m, b, lower=False), {"lower": False}),
    # by hand: [[2, 0], [1, 4]] x = [2, 9]: x0 = 1, x1 = (9 - 1) / 4 = 2
    Rule("triangular_solve", "by hand, lower", (a(2.0, 7.0, 1.0, 4.0).reshape(2, 2), a(2.0, 9.0).reshape(2, 1)),
         a(1.0, 2.0).reshape(2, 1), {"lower": True}),
    Rule("cond", "p = 2, as np.linalg.cond", (SQ,), np.linalg.cond),
    Rule("cond", "a rectangular matrix, p = 2", (S,), np.linalg.cond),
    Rule("cond", "p = fro, as np.linalg.cond", (SQ,), lambda m: np.linalg.cond(m, "fro"), {"p": "fro"}),
    Rule("cond", "p = 1, as np.linalg.cond", (SQ,), lambda m: np.linalg.cond(m, 1), {"p": 1}),
    Rule("cond", "p = inf, as np.linalg.cond", (SQ,), lambda m: np.linalg.cond(m, np.inf), {"p": "inf"}),
    Rule("cond", "p = -2, as np.linalg.cond", (SQ,), lambda m: np.linalg.cond(m, -2), {"p": -2}),
    Rule("cond", "p = nuc, as np.linalg.cond", (SQ,), lambda m: np.linalg.cond(m, "nuc"), {"p": "nuc"}),
    # by hand: diag(4, 0.5) has condition number 8
    Rule("cond", "diag(4, 0.5): 8", (np.diag(a(4.0, 0.5)),), 8.0),
    Rule("cond", "a singular matrix: inf", (np.diag(a(1.0, 0.0)),), np.inf),
    Rule("cond", "a singular matrix under p = fro: inf, as np.linalg.cond", (np.diag(a(1.0, 0.0)),),
         lambda m: np.linalg.cond(m, "fro"), {"p": "fro"}),
    Rule("vander", "decreasing powers, as np.vander", (a(1.0, 2.0, -3.0, 0.5),), np.vander),
    Rule("vander", "increasing with N = 3, as np.vander", (a(1.0, 2.0, -3.0, 0.5),),
         lambda x: np.vander(x, 3, increasing=True), {"N": 3, "increasing": True}),
    # by hand: 0^0 = 1
    Rule("vander", "0^0 = 1", (a(0.0, 2.0),), a(0.0, 1.0, 2.0, 1.0).reshape(2, 2)),
    Rule("lu", "a square matrix, as scipy.linalg.lu", (SQ,), lambda m: list(scipy.linalg.lu(m))),
    Rule("lu", "a wide matrix, as scipy.linalg.lu", (S,), lambda m: list(scipy.linalg.lu(m))),
    Rule("lu", "a tall matrix, as scipy.linalg.lu", (S.T,), lambda m: list(scipy.linalg.lu(m))),
    # by hand: [[1, 2], [3, 4]] pivots row 1 up: P = [[0, 1], [1, 0]], L = [[1, 0], [1/3, 1]], U = [[3, 4], [0, 2/3]]
    Rule("lu", "by hand: [[1, 2], [3, 4]]", (a(1.0, 2.0, 3.0, 4.0).reshape(2, 2),),
         [a(0.0, 1.0, 1.0, 0.0).reshape(2, 2), a(1.0, 0.0, 1 / 3, 1.0).reshape(2, 2),
          a(3.0, 4.0, 0.0, 2 / 3).reshape(2, 2)]),
]
