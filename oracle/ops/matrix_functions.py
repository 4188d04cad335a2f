"""Linear algebra, round two: matrix powers and ranks, Kronecker and cross products, least squares.

Each reference is written from its definition (repeated products, counted singular values, the
interleaved outer product, the component formula, the SVD's minimum-norm solution), not through
the library routine a column calls.
"""

from __future__ import annotations

from typing import Any

from oracle.ops.spec import REQUIRED, Attr, call, none, op, with_forms


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

# ---- forms: torch.cross (first axis of size 3 when dim is not given) beside torch.linalg.cross; keras.ops
OPS = with_forms(OPS, "torch", "torch", {"cross": call("torch.cross")})
OPS = with_forms(OPS, "tensorflow", "keras.ops", {"cross": call("keras.ops.cross"),
                                                  "matrix_rank": call("keras.ops.matrix_rank"),
                                                  "lstsq": call("keras.ops.lstsq", rcond="rcond")})
