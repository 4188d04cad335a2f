"""Complex numbers: building them from parts and taking them apart (abs is in elementwise).

Complex inputs are born in NumPy (dtype complex64/complex128, real values) or built here with
`complex(re, im)`; outputs are recorded as complex and compared part by part (oracle/diff.py).
"""

from __future__ import annotations

from typing import Any

from oracle.ops.spec import call, op


def _complex(r: Any, re: Any, im: Any) -> Any:
    if r.xp.iscomplexobj(re) or r.xp.iscomplexobj(im) or r.is_integer(re) or r.is_integer(im):
        raise TypeError("complex: both parts must be real floating tensors")
    if re.dtype != im.dtype:
        raise TypeError(f"complex: parts of different dtypes {re.dtype} and {im.dtype}")
    return r.complex(re, im)


def _angle(r: Any, z: Any) -> Any:
    xp = r.xp
    # a real x is x + 0i, imaginary part +0 (not z * 0.0, which is -0 for negative z, giving -pi, and NaN at inf)
    return xp.arctan2(xp.imag(z), xp.real(z)) if xp.iscomplexobj(z) else xp.arctan2(xp.zeros_like(z), z)


OPS = [
    op("complex", "complex", "re im", "re + i*im from two real tensors of one dtype (float32 -> complex64, "
       "float64 -> complex128)", _complex,
       conventions="parts of different dtypes or complex parts raise",
       torch=call("torch.complex"), tensorflow=call("tf.complex"), jax=call("jax.lax.complex")),
    op("real", "complex", "z", "the real part (a real input is returned as is)",
       lambda r, z: r.xp.real(z), torch=call("torch.real"), tensorflow=call("tf.math.real"), jax=call("jnp.real")),
    op("imag", "complex", "z", "the imaginary part (zeros for a real input in NumPy; torch.imag raises on a real "
       "tensor)", lambda r, z: r.xp.imag(z),
       torch=call("torch.imag"), tensorflow=call("tf.math.imag"), jax=call("jnp.imag")),
    op("conj", "complex", "z", "the complex conjugate re - i*im (a real input is returned as is)",
       lambda r, z: r.xp.conj(z),
       conventions="the sign of a zero imaginary part flips: conj(1+0j) = 1-0j",
       torch=call("torch.conj"), tensorflow=call("tf.math.conj"), jax=call("jnp.conj")),
    op("angle", "complex", "z", "the argument atan2(im, re) in (-pi, pi]; for a real input 0 or pi (NumPy)", _angle,
       conventions="atan2 signs: angle(-1-0j) = -pi, angle(-1+0j) = pi; angle(0) = 0",
       torch=call("torch.angle"), tensorflow=call("tf.math.angle"), jax=call("jnp.angle")),
]
