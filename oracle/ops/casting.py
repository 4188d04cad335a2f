"""Casting and type promotion: explicit casts, bit reinterpretation, and ops whose result dtype is the question.

Promotion of mixed operands (int32 with float32, uint8 with int8, Python scalars with
float16, ...) is shown by cases over the arithmetic ops (add, multiply, divide, sum, mean);
the ops here are the ones a user calls to choose or inspect a dtype. The reference computes
in float64, so dtypes are compared between framework columns, never against it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.ops.spec import REQUIRED, Attr, call, expression, kw, method, none, op

CAST_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool")
INT_DTYPES = ("int8", "int32", "int64", "uint8")
DTYPE = Attr("str", default=REQUIRED, choices=CAST_DTYPES, doc="the target dtype")
ACC_DTYPE = Attr("str", default=REQUIRED, choices=CAST_DTYPES[:8], doc="the dtype of the accumulation and result")


def _np_dtype(name: str) -> Any:
    if name == "bfloat16":
        import ml_dtypes

        return ml_dtypes.bfloat16
    return np.dtype(name)


def _is_float(r: Any, x: Any) -> bool:
    return not r.is_integer(x) and str(x.dtype) != "bool"


def _cast(r, x, dtype):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import Undefined

    xp = r.xp
    if dtype == "bool":
        return x != 0
    if dtype in INT_DTYPES and _is_float(r, x):
        values = np.asarray(r.concrete(x), dtype=np.float64)
        info = np.iinfo(dtype)
        bad = ~np.isfinite(values) | (np.trunc(values) < info.min) | (np.trunc(values) > info.max)
        if bad.any():
            raise Undefined(f"cast to {dtype}: {values[bad].flat[0]!r} has no {dtype} value (NaN, inf or out of "
                            f"[{info.min}, {info.max}]); C leaves the conversion undefined")
        return xp.trunc(x).astype(_np_dtype(dtype))
    return x.astype(_np_dtype(dtype))


def _bitcast(r, x, dtype):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import Undefined

    if not r.is_integer(x):
        raise Undefined("bitcast of a float or bool input: the reference holds floats in float64, not in the "
                        "column's storage dtype, so it has no bits to reinterpret")
    target = np.dtype(_np_dtype(dtype))
    if target.itemsize != np.dtype(str(x.dtype)).itemsize:
        raise Undefined(f"bitcast from {x.dtype} to {dtype} changes the element size; frameworks reshape the last "
                        "axis differently and the reference states no shape for it")
    return x.view(target)


def _saturate_cast(r, x, dtype):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import Undefined

    if dtype in INT_DTYPES and _is_float(r, x):
        values = np.asarray(r.concrete(x), dtype=np.float64)
        if np.isnan(values).any():
            raise Undefined(f"saturate_cast to {dtype}: NaN has no integer value")
        info = np.iinfo(dtype)
        return r.xp.clip(r.xp.trunc(x), info.min, info.max).astype(_np_dtype(dtype))
    if dtype in INT_DTYPES:
        info = np.iinfo(dtype)
        return r.xp.clip(x, info.min, info.max).astype(_np_dtype(dtype))
    return _cast(r, x, dtype)


def _sum_as(r, x, dtype):  # type: ignore[no-untyped-def]
    if dtype in INT_DTYPES:
        return r.xp.sum(_cast(r, x, dtype), dtype=_np_dtype(dtype))
    return r.xp.sum(x).astype(_np_dtype(dtype))


def _mean_as(r, x, dtype):  # type: ignore[no-untyped-def]
    if dtype in INT_DTYPES:
        from oracle.ops.refctx import Undefined

        raise Undefined(f"an integer mean ({dtype}) has no stated rounding")
    return r.xp.mean(x * 1.0).astype(_np_dtype(dtype))


OPS = [
    op("cast", "casting", "x", "x converted to `dtype`: float -> int truncates toward 0; float -> bool and "
       "int -> bool are x != 0 (NaN -> true); int -> narrower int wraps modulo 2**bits; float -> narrower float "
       "rounds to nearest even (overflow -> inf)", _cast, attrs={"dtype": DTYPE},
       conventions="NaN, inf or an out-of-range float cast to an integer is undefined (C leaves it undefined): "
                   "the reference is unsupported there and the columns are compared among themselves",
       torch=expression("x.to(getattr(torch, dtype))"),
       tensorflow=call("tf.cast", dtype="dtype"),
       jax=call("jnp.astype", dtype=kw("dtype", positional=True))),
    op("bitcast", "casting", "x", "the bits of x reinterpreted as `dtype` (same element size: same shape; "
       "different sizes: frameworks reshape the last axis differently)", _bitcast, attrs={"dtype": DTYPE},
       conventions="defined in the reference for integer inputs to a dtype of the same element size; float inputs "
                   "(held in float64) and size changes are undefined there (unsupported)",
       torch=expression("x.view(getattr(torch, dtype))"),
       tensorflow=call("tf.bitcast", dtype="type"),
       jax=call("jax.lax.bitcast_convert_type", dtype="new_dtype")),
    op("saturate_cast", "casting", "x", "x converted to `dtype`, values outside the target's range clamped to "
       "its limits first (float -> int truncates toward 0)", _saturate_cast, attrs={"dtype": DTYPE},
       conventions="NaN cast to an integer is undefined: the reference is unsupported there",
       torch=none("torch has no saturating cast (Tensor.to wraps or is undefined out of range)"),
       tensorflow=call("tf.dtypes.saturate_cast", dtype="dtype"),
       jax=none("jax.numpy has no saturating cast (astype is undefined out of range)")),
    op("true_divide", "casting", "x y", "x / y in floating point for every operand dtype (integers included); "
       "the result dtype is the question", lambda r, x, y: (x * 1.0) / y,
       torch=call("torch.true_divide"), tensorflow=call("tf.math.truediv"), jax=call("jnp.true_divide")),
    op("float_power", "casting", "x y", "x ** y computed in the widest float (NumPy's float_power: float64); "
       "negative integer exponents are allowed", lambda r, x, y: (x * 1.0) ** y,
       torch=call("torch.float_power"),
       tensorflow=none("TensorFlow has no float_power (tf.math.pow keeps the operand dtype)"),
       jax=call("jnp.float_power")),
    op("sum_as", "casting", "x", "the sum of all elements accumulated and returned in `dtype` (integer "
       "accumulation wraps modulo 2**bits; a float dtype: the exact sum rounded once)", _sum_as,
       attrs={"dtype": ACC_DTYPE},
       torch=expression("torch.sum(x, dtype=getattr(torch, dtype))"),
       tensorflow=none("tf.math.reduce_sum has no dtype parameter (cast first)"),
       jax=call("jnp.sum", dtype="dtype")),
    op("mean_as", "casting", "x", "the mean of all elements computed and returned in `dtype` (the exact mean "
       "rounded once)", _mean_as, attrs={"dtype": ACC_DTYPE},
       conventions="an integer mean dtype is undefined in the reference (no stated rounding)",
       torch=expression("torch.mean(x, dtype=getattr(torch, dtype))"),
       tensorflow=none("tf.math.reduce_mean has no dtype parameter (cast first)"),
       jax=call("jnp.mean", dtype="dtype")),
    op("cast_like", "casting", "x like", "x converted to the dtype of `like` (as `cast`)",
       lambda r, x, like: _cast(r, x, str(like.dtype)) if r.is_integer(like) or str(like.dtype) == "bool"
       else x * 1.0,
       conventions="a floating `like` is float64 in the reference, so the reference keeps x's values exactly",
       torch=method("type_as"),
       tensorflow=expression("tf.cast(x, like.dtype)"),
       jax=expression("x.astype(like.dtype)")),
]
