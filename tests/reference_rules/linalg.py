"""Linear algebra: NumPy's LAPACK-backed routines."""

from __future__ import annotations

import numpy as np

from reference_rules.common import API, EXT, Rule, S, a

RULES = [
    Rule("matmul", "matmul is NumPy's", (S, S.T), np.matmul, cite=API.format("matmul")),
    Rule("det", "det is NumPy's", (S[:, :3],), np.linalg.det, cite=EXT.format("linalg.det")),
    Rule("inv", "inv is NumPy's", (S[:, :3],), np.linalg.inv, cite=EXT.format("linalg.inv")),
    Rule("solve", "solve is NumPy's", (S[:, :3], S[:, 3]), np.linalg.solve, cite=EXT.format("linalg.solve")),
    Rule("svd_s", "singular values are NumPy's, descending", (S,), lambda x: np.linalg.svd(x, compute_uv=False),
         cite=EXT.format("linalg.svdvals")),
    Rule("eigh_values", "eigenvalues of a symmetric matrix are NumPy's, ascending", (S @ S.T,), np.linalg.eigvalsh,
         cite=EXT.format("linalg.eigvalsh")),
    Rule("cholesky", "cholesky is NumPy's lower factor", (S @ S.T + np.eye(3),), np.linalg.cholesky,
         cite=EXT.format("linalg.cholesky")),
    Rule("trace", "trace is NumPy's", (S[:, :3],), np.trace, cite=EXT.format("linalg.trace")),
    Rule("outer", "outer is NumPy's", (a(1.0, 2.0), a(3.0, 4.0, 5.0)), np.outer, cite=EXT.format("linalg.outer")),
    Rule("dot", "dot of vectors is NumPy's", (a(1.0, 2.0, 3.0), a(4.0, 5.0, 6.0)), np.dot),
    Rule("einsum", "einsum is NumPy's", (S, S), lambda x, y: np.einsum("ij,kj->ik", x, y), {"equation": "ij,kj->ik"}),
    Rule("tensordot", "contracts the last two axes by default", (S, S), lambda x, y: np.tensordot(x, y, 2),
         cite=API.format("tensordot")),
    Rule("slogdet", "log|det| is NumPy's slogdet", (S[:, :3],), lambda m: np.linalg.slogdet(m)[1],
         cite=EXT.format("linalg.slogdet")),
    Rule("pinv", "pinv is NumPy's", (S,), lambda m: np.linalg.pinv(m, rcond=1e-5), cite=EXT.format("linalg.pinv")),
    Rule("matrix_norm", "fro by default, as np.linalg.norm", (S,), lambda m: np.linalg.norm(m, "fro"),
         cite=EXT.format("linalg.matrix_norm")),
    Rule("slogdet_sign", "the sign of det, as np.linalg.slogdet", (S[:, :3],), lambda m: np.linalg.slogdet(m)[0],
         cite=EXT.format("linalg.slogdet")),
    Rule("slogdet_sign", "a swap of two rows: -1", (a(0.0, 1.0, 1.0, 0.0).reshape(2, 2),), -1.0,
         cite=EXT.format("linalg.slogdet")),
    Rule("slogdet_sign", "a singular matrix: 0", (a(1.0, 2.0, 2.0, 4.0).reshape(2, 2),), 0.0,
         cite=EXT.format("linalg.slogdet")),
    Rule("qr_r", "R of NumPy's reduced QR (LAPACK geqrf signs)", (S.T,), lambda m: np.linalg.qr(m)[1]),
    Rule("qr", "Q and R of NumPy's reduced QR", (S,), lambda m: tuple(np.linalg.qr(m)), cite=EXT.format("linalg.qr")),
    Rule("qr", "a wide matrix: Q [m, m], R [m, n]", (S.T[:2],), lambda m: tuple(np.linalg.qr(m)),
         cite=EXT.format("linalg.qr")),
]
