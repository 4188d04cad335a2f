"""Linear algebra: matrix products, solves and decompositions.

Decompositions whose factors are unique only up to signs (QR, SVD, eigh) are compared
through invariants: R of QR (LAPACK's Householder convention, whose diagonal signs may
differ between libraries), singular values, eigenvalues. `svd` and `eigh` return their
factors as each framework returns them (order included: tf.linalg.svd gives s, u, v); a case
compares what no sign flip changes, |u|, |v| and the reconstruction u diag(s) vh.
"""

from __future__ import annotations

from oracle.ops.spec import REQUIRED, Attr, call, expression, fix, functions, kw, methods, op, with_forms


def _dot(r, x, y):  # type: ignore[no-untyped-def]
    return r.xp.dot(x, y)


def _tensordot(r, x, y, axes):  # type: ignore[no-untyped-def]
    return r.xp.tensordot(x, y, axes=axes if isinstance(axes, int) else tuple(tuple(a) for a in axes))


def _trace(r, x):  # type: ignore[no-untyped-def]
    return r.xp.trace(x, axis1=-2, axis2=-1)


def _lower_mirrored(xp, a):  # type: ignore[no-untyped-def]
    """The symmetric matrix LAPACK reads with UPLO='L': a's lower triangle, mirrored above the diagonal."""
    return xp.tril(a) + xp.swapaxes(xp.tril(a, -1), -1, -2)


def _cholesky(r, a):  # type: ignore[no-untyped-def]
    # the lower triangle of a (the strictly upper part is not read); NaN where a is not positive definite
    xp = r.xp
    sym = _lower_mirrored(xp, a)
    try:
        return xp.linalg.cholesky(sym)
    except Exception:  # NumPy raises LinAlgError where LAPACK's potrf fails; jnp returns this NaN factor itself
        if sym.ndim < 2 or sym.shape[-1] != sym.shape[-2]:
            raise
        return xp.tril(xp.full(sym.shape, float("nan")))


def _eigvalsh(r, a):  # type: ignore[no-untyped-def]
    return r.xp.linalg.eigvalsh(_lower_mirrored(r.xp, a))


def _svd(r, a, full_matrices):  # type: ignore[no-untyped-def]
    return tuple(r.xp.linalg.svd(a, full_matrices=full_matrices))


def _eigh(r, a):  # type: ignore[no-untyped-def]
    return tuple(r.xp.linalg.eigh(_lower_mirrored(r.xp, a)))


def _pinv(r, a, rtol):  # type: ignore[no-untyped-def]
    xp = r.xp
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    cutoff = rtol * xp.max(s, axis=-1, keepdims=True)
    s_inv = xp.where(s > cutoff, 1.0 / xp.where(s > cutoff, s, 1.0), 0.0)
    return xp.swapaxes(vh, -1, -2) @ (s_inv[..., :, None] * xp.swapaxes(u, -1, -2))


def _matrix_norm(r, x, ord):  # type: ignore[no-untyped-def]
    xp = r.xp
    if ord == "fro":
        return xp.sqrt(xp.sum(x * x, axis=(-2, -1)))
    if ord == "nuc":
        return xp.sum(xp.linalg.svd(x, compute_uv=False), axis=-1)
    if ord == 2:
        return xp.max(xp.linalg.svd(x, compute_uv=False), axis=-1)
    if ord == 1:
        return xp.max(xp.sum(xp.abs(x), axis=-2), axis=-1)
    if ord == "inf":
        return xp.max(xp.sum(xp.abs(x), axis=-1), axis=-1)
    raise ValueError(f"matrix_norm: unknown ord {ord!r}")


NORM_ORD = Attr("any", reference="fro", doc="fro | nuc | 1 | 2 | inf; the reference takes fro when unpinned")
INF = float("inf")
INNER = fix(1, "tf.tensordot has no default axes; 1 contracts the vectors (an inner product)")
OUTER = fix(0, "tf.tensordot has no default axes; 0 is the outer product")
VALUES_ONLY = fix(False, "the op is the singular values only")
MATRIX_AXES = fix([-2, -1], "a matrix norm over the last two axes; tf.linalg.norm's default is a "
                            "vector norm over all elements")

OPS = [
    op("matmul", "linalg", "x y", "matrix product x @ y; leading (batch) axes broadcast, 1-D operands are "
       "promoted to a row (left) or column (right) vector and the added axis removed", lambda r, x, y: r.xp.matmul(x, y),
       torch=call("torch.matmul"), tensorflow=call("tf.linalg.matmul"), jax=call("jnp.matmul")),
    op("dot", "linalg", "x y", "NumPy's dot: 1-D x 1-D inner product, 2-D matrix product, N-D contracts the last "
       "axis of x with the second-to-last of y. torch.dot takes 1-D only; TensorFlow's closest public form is "
       "tf.tensordot(x, y, axes=1), which contracts the last axis of x with the FIRST of y", _dot,
       torch=call("torch.dot"), tensorflow=call("tf.tensordot", fixed={"axes": INNER}), jax=call("jnp.dot")),
    op("outer", "linalg", "x y", "outer product of two vectors x[i] y[j] (NumPy flattens N-D operands first)",
       lambda r, x, y: r.xp.outer(x, y),
       torch=call("torch.outer"), tensorflow=call("tf.tensordot", fixed={"axes": OUTER}), jax=call("jnp.outer")),
    op("einsum", "linalg", "x y", "Einstein summation of two operands under `equation` (required)",
       lambda r, x, y, equation: r.xp.einsum(equation, x, y), attrs={"equation": Attr("str", REQUIRED)},
       torch=expression("torch.einsum(equation, x, y)"),
       tensorflow=expression("tf.einsum(equation, x, y)"),
       jax=expression("jnp.einsum(equation, x, y)")),
    op("tensordot", "linalg", "x y", "tensordot over `axes` (an integer: the last axes of x with the first of y; "
       "or a pair of axis lists); the reference contracts 2 axes when unpinned (NumPy's default)", _tensordot,
       attrs={"axes": Attr("any", reference=2, doc="int or [[x axes], [y axes]]")},
       torch=call("torch.tensordot", axes="dims"), tensorflow=call("tf.tensordot", axes="axes"),
       jax=call("jnp.tensordot", axes="axes")),
    op("inv", "linalg", "a", "matrix inverse (batched over leading axes); a singular matrix has none: the reference "
       "returns LAPACK's inf/nan from the float64 factorisation", lambda r, a: r.xp.linalg.inv(a),
       torch=call("torch.linalg.inv"), tensorflow=call("tf.linalg.inv"), jax=call("jnp.linalg.inv")),
    op("det", "linalg", "a", "determinant (batched)", lambda r, a: r.xp.linalg.det(a),
       torch=call("torch.linalg.det"), tensorflow=call("tf.linalg.det"), jax=call("jnp.linalg.det")),
    op("slogdet", "linalg", "a", "log |det a| (the logabsdet output of slogdet; -inf for a singular matrix)",
       lambda r, a: r.xp.linalg.slogdet(a)[1],
       torch=call("torch.linalg.slogdet", pick="logabsdet"), tensorflow=call("tf.linalg.slogdet", pick=1),
       jax=call("jnp.linalg.slogdet", pick="logabsdet")),
    op("slogdet_sign", "linalg", "a", "the sign of det a (the sign output of slogdet; 0 for a singular matrix)",
       lambda r, a: r.xp.linalg.slogdet(a)[0],
       torch=call("torch.linalg.slogdet", pick="sign"), tensorflow=call("tf.linalg.slogdet", pick=0),
       jax=call("jnp.linalg.slogdet", pick="sign")),
    op("solve", "linalg", "a b", "x with a @ x = b; b is [..., M, K], or (NumPy >= 2 and torch) a vector [M] "
       "solved as a column", lambda r, a, b: r.xp.linalg.solve(a, b),
       torch=call("torch.linalg.solve"), tensorflow=call("tf.linalg.solve"), jax=call("jnp.linalg.solve")),
    op("cholesky", "linalg", "a", "lower Cholesky factor L with L L^T = a, reading the lower triangle of a only; "
       "where a is not positive definite the factor is NaN (its lower triangle), without an error", _cholesky,
       conventions="reads the lower triangle only: a non-symmetric input is treated as its lower triangle mirrored",
       torch=call("torch.linalg.cholesky"), tensorflow=call("tf.linalg.cholesky"), jax=call("jnp.linalg.cholesky")),
    op("qr_r", "linalg", "a", "R of the reduced QR decomposition (Householder; R's diagonal signs are a convention, "
       "LAPACK's geqrf here)", lambda r, a: r.xp.linalg.qr(a)[1],
       torch=call("torch.linalg.qr", pick="R"), tensorflow=call("tf.linalg.qr", pick=1),
       jax=call("jnp.linalg.qr", pick=1)),
    op("svd_s", "linalg", "a", "singular values, descending (the invariant part of the SVD)",
       lambda r, a: r.xp.linalg.svd(a, compute_uv=False),
       torch=call("torch.linalg.svdvals"), tensorflow=call("tf.linalg.svd", fixed={"compute_uv": VALUES_ONLY}),
       jax=call("jnp.linalg.svdvals")),
    op("eigh_values", "linalg", "a", "eigenvalues (ascending) of the symmetric matrix given by a's lower triangle",
       _eigvalsh, conventions="reads the lower triangle only (LAPACK's UPLO='L'); jnp.linalg.eigvalsh symmetrizes "
       "(a + a^T) / 2 first by default",
       torch=call("torch.linalg.eigvalsh"), tensorflow=call("tf.linalg.eigvalsh"), jax=call("jnp.linalg.eigvalsh")),
    op("svd", "linalg", "a", "the singular value decomposition a = u diag(s) vh, unpacked as `u, s, vh = svd(a)`: "
       "s descending; with full_matrices u is [M, M] and vh [N, N], else [M, K] and [K, N] (K = min(M, N)). "
       "tf.linalg.svd returns (s, u, v) with v not transposed, so the same unpacking gives other names to its "
       "factors; torch.linalg.svd and jnp.linalg.svd return (U, S, Vh)", _svd,
       attrs={"full_matrices": Attr("bool", reference=True, doc="the reference computes full matrices when unpinned "
                                                                 "(NumPy's meaning); tf.linalg.svd's default is False")},
       conventions="a pair of singular vectors is unique only up to a common sign (and a subspace where singular "
                   "values repeat): the reference's signs are LAPACK gesdd's, so compare |u|, |vh| or u diag(s) vh",
       outputs=("u", "s", "vh"),
       torch=call("torch.linalg.svd", full_matrices="full_matrices"),
       tensorflow=call("tf.linalg.svd", full_matrices="full_matrices"),
       jax=call("jnp.linalg.svd", full_matrices="full_matrices")),
    op("eigh", "linalg", "a", "eigenvalues (ascending) and eigenvectors (columns) of the symmetric matrix given by "
       "a's lower triangle, unpacked as `w, v = eigh(a)`", _eigh,
       conventions="reads the lower triangle only (LAPACK's UPLO='L'; jnp.linalg.eigh symmetrizes (a + a^T) / 2 by "
                   "default); an eigenvector is unique only up to sign (and a subspace where eigenvalues repeat): "
                   "the reference's signs are LAPACK syevd's, so compare |v| or v diag(w) v^T",
       outputs=("eigenvalues", "eigenvectors"),
       torch=call("torch.linalg.eigh"), tensorflow=call("tf.linalg.eigh"), jax=call("jnp.linalg.eigh")),
    op("pinv", "linalg", "a", "Moore-Penrose pseudo-inverse through the SVD; singular values at or below "
       "rtol * s_max are dropped. The reference uses rtol = 1e-5 when unpinned (its stated choice); each framework "
       "has its own default cutoff (torch: max(m, n) * eps of the dtype; TF and JAX: 10 * max(m, n) * eps)", _pinv,
       attrs={"rtol": Attr("float", reference=1e-5, low=0.0)},
       torch=call("torch.linalg.pinv", rtol="rtol"), tensorflow=call("tf.linalg.pinv", rtol="rcond"),
       jax=call("jnp.linalg.pinv", rtol="rtol")),
    op("matrix_norm", "linalg", "x", "matrix norm over the last two axes: fro, nuc, 1 (max column sum), "
       "2 (largest singular value), inf (max row sum)", _matrix_norm, attrs={"ord": NORM_ORD},
       conventions="fro is sqrt(sum x^2): its gradient at the zero matrix is 0/0 = NaN under jax.grad",
       torch=call("torch.linalg.matrix_norm", ord=kw("ord", {"inf": INF})),
       tensorflow=call("tf.linalg.norm", fixed={"axis": MATRIX_AXES}, ord=kw("ord", {"inf": INF})),
       jax=call("jnp.linalg.matrix_norm", ord=kw("ord", {"inf": INF}))),
    op("trace", "linalg", "x", "sum of the diagonal over the LAST two axes (batched, as tf.linalg.trace); "
       "torch.trace takes 2-D only and jnp.trace sums the FIRST two axes by default", _trace,
       torch=call("torch.trace"), tensorflow=call("tf.linalg.trace"), jax=call("jnp.trace")),
]


# ---- forms: the tensor method beside the function (`torch.matmul(a, b)` / `a.matmul(b)`), keras.ops beside tf
OPS = with_forms(OPS, "torch", "method", methods(OPS, "torch", "matmul dot outer trace"))
OPS = with_forms(OPS, "jax", "method", methods(OPS, "jax", "dot trace"))
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(
    OPS, "tensorflow", "keras.ops", "matmul inv det solve cholesky pinv trace"))
