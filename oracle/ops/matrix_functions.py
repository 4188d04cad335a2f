"""Linear algebra, round two: matrix powers and ranks, Kronecker and cross products, least squares; the
matrix exponential, chained products, triangular and Cholesky solves, condition numbers, Vandermonde
matrices and the LU factorization.

Each reference is written from its definition (repeated products, counted singular values, the
interleaved outer product, the component formula, the SVD's minimum-norm solution, the Taylor series
with scaling and squaring, Gaussian elimination with partial pivoting), not through the library
routine a column calls.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from oracle.ops.spec import REQUIRED, Attr, call, expression, kw, none, op, with_forms


def _matrix_power(r: Any, a: Any, n: int) -> Any:
    """a @ a @ ... (n factors) by repeated squaring; n = 0 gives the identity, n < 0 powers the inverse."""
    xp = r.xp
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"matrix_power needs square matrices [..., M, M], got {list(a.shape)}")
    base = xp.linalg.inv(a) if n < 0 else a
    out = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    k = abs(n)
    while k:
        if k & 1:
            out = out @ base
        base = base @ base
        k >>= 1
    return out


def _singular_values(r: Any, a: Any) -> Any:
    return r.xp.linalg.svd(a, compute_uv=False)


def _matrix_rank(r: Any, a: Any, rtol: float) -> Any:
    s = _singular_values(r, a)
    cutoff = rtol * r.xp.max(s, axis=-1, keepdims=True)
    return r.xp.sum(s > cutoff, axis=-1)


def _kron(r: Any, a: Any, b: Any) -> Any:
    """out[i * p + k, j * q + l] = a[i, j] b[k, l], for any rank: the shorter shape is padded with leading 1s."""
    xp = r.xp
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    wide_a = xp.reshape(a, tuple(d for pair in zip(sa, (1,) * nd) for d in pair))
    wide_b = xp.reshape(b, tuple(d for pair in zip((1,) * nd, sb) for d in pair))
    return xp.reshape(wide_a * wide_b, tuple(x * y for x, y in zip(sa, sb)))


def _cross(r: Any, a: Any, b: Any) -> Any:
    """(a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0) along the last axis, which must hold 3 components."""
    xp = r.xp
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise ValueError(f"cross needs 3 components on the last axis, got {list(a.shape)} and {list(b.shape)}")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return xp.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


def _lstsq(r: Any, a: Any, b: Any, rcond: float) -> Any:
    """The minimum-norm x minimising |a x - b|: V diag(1/s) U^T b over the singular values above rcond * s_max."""
    xp = r.xp
    if b.ndim != a.ndim:
        raise ValueError(f"lstsq takes b as [..., M, K] beside a [..., M, N], got {list(a.shape)} and {list(b.shape)}")
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    keep = s > rcond * xp.max(s, axis=-1, keepdims=True)
    s_inv = xp.where(keep, 1.0 / xp.where(keep, s, 1.0), 0.0)
    return xp.swapaxes(vh, -1, -2) @ (s_inv[..., :, None] * (xp.swapaxes(u, -1, -2) @ b))


RCOND = ("singular values at or below rcond * s_max count as zero; the reference uses 1e-5 when unpinned "
         "(its stated choice, above float32 rounding); torch and JAX default to eps * max(M, N) of the dtype")

OPS = [
    op("matrix_power", "linalg", "a", "a multiplied by itself n times (batched over leading axes); n = 0 is the "
       "identity, a negative n powers the inverse", _matrix_power, attrs={"n": Attr("int", REQUIRED)},
       conventions="a singular matrix with a negative n has no inverse: the reference gives LAPACK's inf/nan",
       torch=call("torch.linalg.matrix_power", n="n"),
       tensorflow=none("neither tf.linalg, tf.math nor keras.ops has a matrix power; users loop tf.linalg.matmul"),
       jax=call("jnp.linalg.matrix_power", n="n")),
    op("matrix_rank", "linalg", "a", "the number of singular values above rtol * s_max (batched over leading axes)",
       _matrix_rank, attrs={"rtol": Attr("float", reference=1e-5, low=0.0, doc=RCOND)},
       conventions="an integer count; the zero matrix has rank 0",
       torch=call("torch.linalg.matrix_rank", rtol="rtol"),
       tensorflow=call("tf.linalg.matrix_rank"),  # its `tol` is absolute: a relative rtol has no spelling there
       jax=call("jnp.linalg.matrix_rank", rtol="rtol")),
    op("kron", "linalg", "a b", "the Kronecker product: out[i p + k, j q + l] = a[i, j] b[k, l] (any rank, the "
       "shorter shape padded with leading 1s)", _kron,
       torch=call("torch.kron"), tensorflow=call("keras.ops.kron"), jax=call("jnp.kron")),
    op("cross", "linalg", "a b", "the cross product of 3-vectors along the LAST axis (leading axes broadcast); "
       "torch.cross without dim uses the first axis of size 3 instead", _cross,
       torch=call("torch.linalg.cross"), tensorflow=call("tf.linalg.cross"), jax=call("jnp.cross")),
    op("lstsq", "linalg", "a b", "the least-squares solution x of a x = b, a [..., M, N], b [..., M, K]: the "
       "minimum-norm one where a is rank-deficient", _lstsq,
       attrs={"rcond": Attr("float", reference=1e-5, low=0.0, doc=RCOND)},
       conventions="rank-deficient a: the minimum-norm solution (pseudo-inverse); tf.linalg.lstsq's default "
                   "fast=True solves the normal equations by Cholesky instead, which needs full column rank",
       torch=call("torch.linalg.lstsq", rcond="rcond", pick="solution"),
       tensorflow=call("tf.linalg.lstsq"),
       jax=call("jnp.linalg.lstsq", rcond="rcond", pick=0)),
]


def _square(name: str, a: Any) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} needs square matrices [..., M, M], got {list(a.shape)}")


def _matrix_exp(r: Any, a: Any) -> Any:
    """exp(a) = sum_k a^k / k!: a scaled by 2^-s to a 1-norm at most 1/2, 24 Taylor terms, squared s times
    (s from a's values, outside the differentiated computation)."""
    xp = r.xp
    _square("matrix_exp", a)
    norm = float(np.max(np.sum(np.abs(_values(r, a)), axis=-2))) if a.size else 0.0
    s = max(0, math.ceil(math.log2(norm)) + 1) if norm > 0 and math.isfinite(norm) else 0
    x = a / 2.0 ** s
    term = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    out = term
    for k in range(1, 25):
        term = (term @ x) / k
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


def _values(r: Any, a: Any) -> Any:
    """a's values as NumPy, also while it is differentiated (for choices such as a scaling or a pivot row)."""
    return r.concrete(r.stop_gradient(a))


def _multi_dot(r: Any, a: Any, b: Any, c: Any) -> Any:
    """a @ b @ c, left to right; a 1-D first operand is a row vector and a 1-D last one a column vector."""
    return r.xp.matmul(r.xp.matmul(a, b), c)


def _cholesky_solve(r: Any, factor: Any, b: Any) -> Any:
    """x with (L L^T) x = b, L the lower triangle of `factor` (the strict upper part is not read):
    L y = b, then L^T x = y."""
    xp = r.xp
    low = xp.tril(factor)
    return xp.linalg.solve(xp.swapaxes(low, -1, -2), xp.linalg.solve(low, b))


def _triangular_solve(r: Any, a: Any, b: Any, lower: bool) -> Any:
    """x with T x = b, T the lower (or upper) triangle of a; the other triangle is not read."""
    xp = r.xp
    _square("triangular_solve", a)
    return xp.linalg.solve(xp.tril(a) if lower else xp.triu(a), b)


def _induced(xp: Any, a: Any, p: Any) -> Any:
    if p == "fro":
        return xp.sqrt(xp.sum(a * a, axis=(-2, -1)))
    if p in (1, -1):
        sums = xp.sum(xp.abs(a), axis=-2)
        return xp.max(sums, axis=-1) if p == 1 else xp.min(sums, axis=-1)
    if p in ("inf", "-inf"):
        sums = xp.sum(xp.abs(a), axis=-1)
        return xp.max(sums, axis=-1) if p == "inf" else xp.min(sums, axis=-1)
    if p == "nuc":
        return xp.sum(xp.linalg.svd(a, compute_uv=False), axis=-1)
    raise ValueError(f"cond: unknown p {p!r}")


def _cond(r: Any, a: Any, p: Any) -> Any:
    """|a|_p |a^-1|_p; for p = 2 (-2) the ratio of the largest to the smallest singular value (its inverse)."""
    xp = r.xp
    if p in (2, -2, None):
        s = _singular_values(r, a)
        ratio = xp.max(s, axis=-1) / xp.min(s, axis=-1)
        return ratio if p != -2 else 1.0 / ratio
    _square("cond", a)
    out = _induced(xp, a, p) * _induced(xp, xp.linalg.inv(a), p)
    # a singular matrix: its inverse is inf/NaN, the condition number infinite (NumPy's rule: NaN from a NaN-free
    # input is inf)
    return xp.where(xp.isnan(out) & ~xp.any(xp.isnan(a), axis=(-2, -1)), xp.inf, out)


def _vander(r: Any, x: Any, N: int | None, increasing: bool) -> Any:  # noqa: N803 (the keyword torch and NumPy take)
    """Columns x^(N-1), ..., x, 1 (or 1, x, ..., x^(N-1) increasing); N = len(x) unpinned; 0^0 = 1."""
    xp = r.xp
    if x.ndim != 1:
        raise ValueError(f"vander takes a 1-D input, got {list(x.shape)}")
    cols = x.shape[0] if N is None else N
    powers = range(cols) if increasing else range(cols - 1, -1, -1)
    return xp.stack([x ** k if k else xp.ones_like(x) for k in powers], axis=-1) if cols else \
        xp.zeros((x.shape[0], 0), dtype=x.dtype)


def _lu(r: Any, a: Any) -> Any:
    """a = P L U by Gaussian elimination with partial pivoting: at step j the row with the largest |value| in
    column j (the first such row on a tie, as LAPACK's getrf) is swapped up; L unit lower [M, K], U upper
    [K, N], K = min(M, N). A zero pivot column is skipped (no elimination)."""
    xp = r.xp
    if a.ndim != 2:
        raise ValueError(f"the reference's lu takes one matrix [M, N], got {list(a.shape)}")
    m, n = a.shape
    k = min(m, n)
    rows = [a[i] for i in range(m)]
    mult: list[list[Any]] = [[] for _ in range(m)]
    perm = list(range(m))
    for j in range(k):
        column = np.abs(np.array([float(_values(r, rows[i][j])) for i in range(j, m)]))
        p = j + int(np.argmax(column))
        rows[j], rows[p] = rows[p], rows[j]
        mult[j], mult[p] = mult[p], mult[j]
        perm[j], perm[p] = perm[p], perm[j]
        pivot_zero = float(_values(r, rows[j][j])) == 0.0
        for i in range(j + 1, m):
            f = xp.zeros((), dtype=a.dtype) if pivot_zero else rows[i][j] / rows[j][j]
            mult[i].append(f)
            rows[i] = rows[i] - f * rows[j]
    one, zero = xp.ones((), dtype=a.dtype), xp.zeros((), dtype=a.dtype)
    low = xp.stack([xp.stack([mult[i][c] if c < i else one if c == i else zero for c in range(k)])
                    for i in range(m)])
    up = xp.triu(xp.stack(rows[:k]))
    perm_matrix = np.zeros((m, m))
    perm_matrix[perm, np.arange(m)] = 1.0
    return xp.asarray(perm_matrix, dtype=a.dtype), low, up


COND_P = Attr("any", reference=2, doc="2 | -2 | fro | nuc | 1 | -1 | inf | -inf; the reference takes 2 when unpinned")
INFINITE = {"inf": float("inf"), "-inf": float("-inf")}

OPS += [
    op("matrix_exp", "linalg", "a", "the matrix exponential sum_k a^k / k! (batched over leading axes)", _matrix_exp,
       conventions="the series is summed after scaling a to a 1-norm of at most 1/2, then squared back",
       torch=call("torch.linalg.matrix_exp"), tensorflow=call("tf.linalg.expm"), jax=call("jax.scipy.linalg.expm")),
    op("multi_dot", "linalg", "a b c", "the chained product a @ b @ c of three matrices (the library may pick the "
       "cheapest association; the value is the same up to rounding); a 1-D first operand is a row vector, a 1-D "
       "last operand a column vector", _multi_dot,
       torch=expression("torch.linalg.multi_dot([a, b, c])"),
       tensorflow=none("neither tf.linalg nor keras.ops has a chained product (multi_dot); users nest tf.linalg.matmul"),
       jax=expression("jnp.linalg.multi_dot([a, b, c])")),
    op("cholesky_solve", "linalg", "factor b", "x with (L L^T) x = b given the lower Cholesky factor L of the "
       "matrix (the strictly upper part of `factor` is not read); b is [..., M, K]", _cholesky_solve,
       torch=call("torch.cholesky_solve", args=("b", "factor")), tensorflow=call("tf.linalg.cholesky_solve"),
       jax=expression("jax.scipy.linalg.cho_solve((factor, True), b)")),
    op("triangular_solve", "linalg", "a b", "x with T x = b, T the lower triangle of a (`lower` true) or its upper "
       "triangle; the other triangle is not read; b is [..., M, K]", _triangular_solve,
       attrs={"lower": Attr("bool", reference=True,
                            doc="which triangle holds the system; the reference reads the lower one when unpinned. "
                                "torch.linalg.solve_triangular requires `upper`; tf.linalg.triangular_solve "
                                "defaults to lower=True, jax.scipy.linalg.solve_triangular to lower=False")},
       conventions="a zero on the diagonal makes the system singular: the reference gives LAPACK's inf/nan",
       torch=call("torch.linalg.solve_triangular", lower=kw("upper", {True: False, False: True})),
       tensorflow=call("tf.linalg.triangular_solve", lower="lower"),
       jax=call("jax.scipy.linalg.solve_triangular", lower="lower")),
    op("cond", "linalg", "a", "the condition number |a|_p |a^-1|_p; for p = 2 the ratio s_max / s_min of the "
       "singular values (any shape), for the other norms square matrices only", _cond, attrs={"p": COND_P},
       conventions="a singular matrix has an infinite condition number (s_min = 0, or a NaN from the inverse of a "
                   "NaN-free input, gives inf)",
       torch=call("torch.linalg.cond", p=kw("p", INFINITE)),
       tensorflow=none("neither tf.linalg nor keras.ops has a condition number"),
       jax=call("jnp.linalg.cond", p=kw("p", INFINITE))),
    op("vander", "linalg", "x", "the Vandermonde matrix of a vector: columns x^(N-1), ..., x, 1 (decreasing powers; "
       "1, x, ..., x^(N-1) with `increasing`), N = len(x) unless pinned", _vander,
       attrs={"N": Attr("int", nullable=True, low=0, reference=None, doc="the number of columns; len(x) unpinned"),
              "increasing": Attr("bool", reference=False, doc="the reference's powers decrease when unpinned")},
       conventions="0^0 = 1 (the column of ones)",
       torch=call("torch.vander", N="N", increasing="increasing"),
       tensorflow=none("neither tf.math, tf.linalg nor keras.ops has a Vandermonde matrix"),
       jax=call("jnp.vander", N="N", increasing="increasing")),
    op("lu", "linalg", "a", "the LU factorization with partial pivoting a = P L U, unpacked as `p, l, u = lu(a)`: P a "
       "permutation matrix, L unit lower triangular [M, K], U upper triangular [K, N], K = min(M, N). "
       "tf.linalg.lu returns the packed factors and a permutation vector instead", _lu, outputs=("p", "l", "u"),
       conventions="the pivot is the largest |value| of the column (the first on a tie, LAPACK getrf's choice); "
                   "the factors are unique given that choice",
       torch=call("torch.linalg.lu"),
       tensorflow=none("tf.linalg.lu returns the packed L\\U matrix and a permutation vector (no P, L, U); "
                       "keras.ops.lu_factor returns the same packed form"),
       jax=call("jax.scipy.linalg.lu")),
]


# ---- forms: torch.cross (first axis of size 3 when dim is not given) beside torch.linalg.cross; keras.ops
OPS = with_forms(OPS, "torch", "torch", {"cross": call("torch.cross")})
OPS = with_forms(OPS, "tensorflow", "keras.ops", {"cross": call("keras.ops.cross"),
                                                  "matrix_rank": call("keras.ops.matrix_rank"),
                                                  "lstsq": call("keras.ops.lstsq", rcond="rcond")})
