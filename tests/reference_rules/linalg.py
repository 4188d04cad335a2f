"""Linear algebra: NumPy's LAPACK-backed routines."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, S, a

RULES = [
    Rule("matmul", "matmul is NumPy's", (S, S.T), np.matmul),
    Rule("det", "det is NumPy's", (S[:, :3],), np.linalg.det),
    Rule("inv", "inv is NumPy's", (S[:, :3],), np.linalg.inv),
    Rule("solve", "solve is NumPy's", (S[:, :3], S[:, 3]), np.linalg.solve),
    Rule("svd_s", "singular values are NumPy's, descending", (S,), lambda x: np.linalg.svd(x, compute_uv=False)),
    Rule("eigh_values", "eigenvalues of a symmetric matrix are NumPy's, ascending", (S @ S.T,), np.linalg.eigvalsh),
    Rule("cholesky", "cholesky is NumPy's lower factor", (S @ S.T + np.eye(3),), np.linalg.cholesky),
    Rule("trace", "trace is NumPy's", (S[:, :3],), np.trace),
    Rule("outer", "outer is NumPy's", (a(1.0, 2.0), a(3.0, 4.0, 5.0)), np.outer),
    Rule("dot", "dot of vectors is NumPy's", (a(1.0, 2.0, 3.0), a(4.0, 5.0, 6.0)), np.dot),
    Rule("einsum", "einsum is NumPy's", (S, S), lambda x, y: np.einsum("ij,kj->ik", x, y), {"equation": "ij,kj->ik"}),
    Rule("tensordot", "contracts the last two axes by default", (S, S), lambda x, y: np.tensordot(x, y, 2)),
    Rule("slogdet", "log|det| is NumPy's slogdet", (S[:, :3],), lambda m: np.linalg.slogdet(m)[1]),
    Rule("pinv", "pinv is NumPy's", (S,), lambda m: np.linalg.pinv(m, rcond=1e-5)),
    Rule("matrix_norm", "fro by default, as np.linalg.norm", (S,), lambda m: np.linalg.norm(m, "fro")),
    Rule("slogdet_sign", "the sign of det, as np.linalg.slogdet", (S[:, :3],), lambda m: np.linalg.slogdet(m)[0]),
    Rule("slogdet_sign", "a swap of two rows: -1", (a(0.0, 1.0, 1.0, 0.0).reshape(2, 2),), -1.0),
    Rule("slogdet_sign", "a singular matrix: 0", (a(1.0, 2.0, 2.0, 4.0).reshape(2, 2),), 0.0),
    Rule("qr_r", "R of NumPy's reduced QR (LAPACK geqrf signs)", (S.T,), lambda m: np.linalg.qr(m)[1]),
    Rule("qr", "Q and R of NumPy's reduced QR", (S,), lambda m: tuple(np.linalg.qr(m))),
    Rule("qr", "a wide matrix: Q [m, m], R [m, n]", (S.T[:2],), lambda m: tuple(np.linalg.qr(m))),
]
