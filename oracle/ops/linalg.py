"""Linear algebra: matrix products and decompositions."""

from __future__ import annotations

from oracle.ops.spec import call, op

OPS = [
    op("matmul", "linalg", "x y", "matrix product x @ y; leading (batch) axes broadcast, 1-D operands are "
       "promoted to a row (left) or column (right) vector and the added axis removed", lambda r, x, y: r.xp.matmul(x, y),
       torch=call("torch.matmul"), tensorflow=call("tf.linalg.matmul"), jax=call("jnp.matmul")),
]
