"""Reductions and statistics. Axis and keepdims are left to each framework unless the case pins them.

Where torch returns a (values, indices) pair for a reduction over a dimension (max, min,
median, cummax), the binding picks `.values`; torch's no-dimension form returns a tensor,
so those bindings switch on whether the case pinned `axis`.
"""

from __future__ import annotations

import math
from typing import Any

from oracle.ops.spec import REQUIRED, Attr, Binding, call, functions, methods, none, op, switch, with_forms

AXIS = Attr("axes", nullable=True, reference=None, doc="axis or axes to reduce; the reference reduces all when unpinned")
ONE_AXIS = Attr("axis", nullable=True, reference=None,
                doc="the axis to reduce; the reference reduces the flattened input when unpinned or null")
KEEPDIMS = Attr("bool", reference=False, doc="keep reduced axes as size 1")
SCAN_AXIS = Attr("axis", nullable=True, reference=None,
                 doc="the axis scanned; the reference scans the flattened input (NumPy's axis=None) when unpinned")
DDOF = Attr("int", low=0, reference=0,
            doc="delta degrees of freedom (divide by N - ddof); the reference uses 0 (population) when unpinned")
_AXES_CASES = ("0", "1", "2", "-1", "-2", "-3")


def _by_axis(no_axis: Binding, with_axis: Binding) -> Binding:
    """torch's max/min/median: a tensor without `dim`, a (values, indices) pair with one (axes -3..2)."""
    return switch("axis", **{"framework": no_axis, "None": no_axis, **{a: with_axis for a in _AXES_CASES}})


def _flat(r, x, axis):  # type: ignore[no-untyped-def]
    """(x, axis): x flattened with axis 0 when axis is None."""
    return (r.xp.reshape(x, (-1,)), 0) if axis is None else (x, axis)


def _max(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    return r.xp.max(x, axis=r.axis(axis), keepdims=bool(keepdims))


def _min(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    return r.xp.min(x, axis=r.axis(axis), keepdims=bool(keepdims))


def _var(r, x, axis, keepdims, ddof):  # type: ignore[no-untyped-def]
    xp = r.xp
    ax = r.axis(axis)
    mean = xp.mean(x, axis=ax, keepdims=True)
    n = x.size if ax is None else math.prod(x.shape[a] for a in (ax if isinstance(ax, tuple) else (ax,)))
    return xp.sum((x - mean) ** 2, axis=ax, keepdims=bool(keepdims)) / (n - ddof)


def _median(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    xp = r.xp
    x, ax = _flat(r, x, axis)
    s = xp.sort(x, axis=ax)
    n = x.shape[ax]
    if r.follows("lower_median") and n % 2 == 0:
        r.note(f"median of an even count ({n}): the lower of the two middle values")
        out = xp.take(s, (n - 1) // 2, axis=ax)
    else:
        out = (xp.take(s, (n - 1) // 2, axis=ax) + xp.take(s, n // 2, axis=ax)) / 2
    out = _nan_where_any(r, x, ax, out)
    return xp.expand_dims(out, ax) if keepdims and axis is not None else out


def _nan_where_any(r, x, ax, out):  # type: ignore[no-untyped-def]
    """NaN wherever the reduced slice holds a NaN (NumPy's median and quantile; nanmedian ignores them instead):
    sorting puts NaN last, so the middle or the q-th sorted value alone could be a number."""
    return r.xp.where(r.xp.any(r.xp.isnan(x), axis=ax), r.xp.nan, out)


def _quantile(r, x, q, axis, interpolation, keepdims):  # type: ignore[no-untyped-def]
    """Between sorted samples i = floor(q (n - 1)) and i + 1; `nearest` rounds half to even (NumPy's stated rule).
    A list of q gives one result per q, stacked on a new first axis (NumPy)."""
    xp = r.xp
    if isinstance(q, list):
        return xp.stack([_quantile(r, x, float(one), axis, interpolation, keepdims) for one in q])
    x, ax = _flat(r, x, axis)
    s = xp.sort(x, axis=ax)
    n = x.shape[ax]
    pos = q * (n - 1)
    lo = min(int(math.floor(pos)), n - 1)
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    a, b = xp.take(s, lo, axis=ax), xp.take(s, hi, axis=ax)
    if interpolation == "lower":
        out = a
    elif interpolation == "higher":
        out = a if frac == 0 else b
    elif interpolation == "midpoint":
        out = a if frac == 0 else (a + b) / 2
    elif interpolation == "nearest":
        out = b if (frac > 0.5 or (frac == 0.5 and lo % 2 == 1)) else a
    else:
        out = a + (b - a) * frac
    out = _nan_where_any(r, x, ax, out)
    return xp.expand_dims(out, ax) if keepdims and axis is not None else out


def _nanmedian(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    """The median of the non-NaN values along `axis`: NaN where every value is NaN, the mean of the two middle
    values for an even count (NumPy); sorted with NaN last, so the first `count` values are the real ones."""
    xp = r.xp
    x, ax = _flat(r, x, axis)
    s = xp.moveaxis(xp.sort(x, axis=ax), ax, -1)
    count = xp.sum(~xp.isnan(s), axis=-1, keepdims=True)
    lo = xp.clip((count - 1) // 2, 0, None)
    hi = xp.clip(count // 2, 0, None)
    if r.follows("lower_median"):
        r.note("nanmedian of an even count: the lower of the two middle values")
        hi = lo
    out = (xp.take_along_axis(s, lo, axis=-1) + xp.take_along_axis(s, hi, axis=-1))[..., 0] / 2
    out = xp.where(count[..., 0] == 0, xp.nan, out)
    return xp.expand_dims(out, ax) if keepdims and axis is not None else out


def _nanquantile(r, x, q, axis, interpolation, keepdims):  # type: ignore[no-untyped-def]
    """The q-th quantile of the values that are not NaN along `axis`: between sorted non-NaN samples
    floor(q (count - 1)) and the next, interpolated as quantile; NaN where every value is NaN."""
    xp = r.xp
    if isinstance(q, list):
        return xp.stack([_nanquantile(r, x, float(one), axis, interpolation, keepdims) for one in q])
    x, ax = _flat(r, x, axis)
    s = xp.moveaxis(xp.sort(x, axis=ax), ax, -1)  # NaN sorts last: the first `count` values are the real ones
    count = xp.sum(~xp.isnan(s), axis=-1, keepdims=True)
    pos = q * (count - 1)
    lo = xp.clip(xp.floor(pos), 0, None).astype(int)
    hi = xp.minimum(lo + 1, xp.clip(count - 1, 0, None))
    frac = pos - lo
    a, b = xp.take_along_axis(s, lo, axis=-1), xp.take_along_axis(s, hi, axis=-1)
    if interpolation == "lower":
        out = a
    elif interpolation == "higher":
        out = xp.where(frac == 0, a, b)
    elif interpolation == "midpoint":
        out = xp.where(frac == 0, a, (a + b) / 2)
    elif interpolation == "nearest":
        out = xp.where((frac > 0.5) | ((frac == 0.5) & (lo % 2 == 1)), b, a)
    else:
        out = a + (b - a) * frac
    out = xp.where(count == 0, xp.nan, out)[..., 0]
    return xp.expand_dims(out, ax) if keepdims and axis is not None else out


def _logsumexp(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    return r.special.logsumexp(x, axis=r.axis(axis), keepdims=bool(keepdims))


def _cummax(r, x, axis):  # type: ignore[no-untyped-def]
    xp = r.xp
    x, ax = _flat(r, x, axis)
    moved = xp.moveaxis(x, ax, -1)
    n = moved.shape[-1]
    upto = xp.arange(n)[None, :] <= xp.arange(n)[:, None]  # [i, j]: j <= i
    out = xp.max(xp.where(upto, moved[..., None, :], -xp.inf), axis=-1)
    return xp.moveaxis(out, -1, ax)


def _norm(r, x, ord, axis, keepdims):  # type: ignore[no-untyped-def]
    xp = r.xp
    ax = r.axis(axis)
    if ord is None:
        return xp.sqrt(xp.sum(x * x, axis=ax, keepdims=bool(keepdims)))
    return xp.linalg.norm(x, ord=ord, axis=ax, keepdims=bool(keepdims))


def _vector_norm(r, x, ord, axis, keepdims):  # type: ignore[no-untyped-def]
    xp = r.xp
    ax = r.axis(axis)
    a = xp.abs(x)
    if ord == float("inf"):
        return xp.max(a, axis=ax, keepdims=bool(keepdims))
    if ord == 2:
        return xp.sqrt(xp.sum(x * x, axis=ax, keepdims=bool(keepdims)))
    return xp.sum(a ** ord, axis=ax, keepdims=bool(keepdims)) ** (1.0 / ord)


def _count_nonzero(r, x, axis):  # type: ignore[no-untyped-def]
    return r.xp.sum(x != 0, axis=r.axis(axis))


def _nansum(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    return r.xp.sum(r.xp.where(r.xp.isnan(x), 0.0, x), axis=r.axis(axis), keepdims=bool(keepdims))


def _nanmean(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    xp = r.xp
    ok = ~xp.isnan(x)
    return (xp.sum(xp.where(ok, x, 0.0), axis=r.axis(axis), keepdims=bool(keepdims))
            / xp.sum(ok, axis=r.axis(axis), keepdims=bool(keepdims)))


def _arg(fn: str) -> Any:
    def reference(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
        # NaN counts as the extreme (NumPy, torch), ties give the first index
        return getattr(r.xp, fn)(x, axis=axis, keepdims=bool(keepdims))
    return reference


def _nan_extreme(r, x, axis, keepdims, pick):  # type: ignore[no-untyped-def]
    """max or min of the values that are not NaN; NaN where a slice holds only NaN (NumPy warns there)."""
    xp = r.xp
    nan = xp.isnan(x)
    fill = -xp.inf if pick is xp.max else xp.inf
    out = pick(xp.where(nan, fill, x), axis=r.axis(axis), keepdims=bool(keepdims))
    return xp.where(xp.all(nan, axis=r.axis(axis), keepdims=bool(keepdims)), xp.nan, out)


def _nanvar(r, x, axis, keepdims, ddof):  # type: ignore[no-untyped-def]
    xp = r.xp
    ax = r.axis(axis)
    ok = ~xp.isnan(x)
    count = xp.sum(ok, axis=ax, keepdims=True)
    mean = xp.sum(xp.where(ok, x, 0.0), axis=ax, keepdims=True) / count
    squares = xp.sum(xp.where(ok, (xp.where(ok, x, 0.0) - mean) ** 2, 0.0), axis=ax, keepdims=bool(keepdims))
    n = count if keepdims else xp.squeeze(count, axis=ax) if ax is not None else xp.reshape(count, ())
    dof = n - ddof
    return xp.where(dof > 0, squares / xp.where(dof > 0, dof, 1), xp.nan)  # no degrees of freedom left: NaN (NumPy)


def _scan(r, x, axis, combine):  # type: ignore[no-untyped-def]
    """combine(values masked to the prefix j <= i, axis=-1) for every i along `axis` (flattened when None)."""
    xp = r.xp
    x, ax = _flat(r, x, axis)
    moved = xp.moveaxis(x, ax, -1)
    n = moved.shape[-1]
    upto = xp.arange(n)[None, :] <= xp.arange(n)[:, None]  # [i, j]: j <= i
    return xp.moveaxis(combine(upto, moved[..., None, :]), -1, ax)


def _cummin(r, x, axis):  # type: ignore[no-untyped-def]
    return _scan(r, x, axis, lambda upto, v: r.xp.min(r.xp.where(upto, v, r.xp.inf), axis=-1))


def _logcumsumexp(r, x, axis):  # type: ignore[no-untyped-def]
    return _scan(r, x, axis, lambda upto, v: r.special.logsumexp(r.xp.where(upto, v, -r.xp.inf), axis=-1))


def _nancumsum(r, x, axis):  # type: ignore[no-untyped-def]
    return r.xp.cumsum(r.xp.where(r.xp.isnan(x), 0.0, x), axis=axis)


def _ptp(r, x, axis, keepdims):  # type: ignore[no-untyped-def]
    return _max(r, x, axis, keepdims) - _min(r, x, axis, keepdims)


def _percentile(r, x, q, axis, interpolation, keepdims):  # type: ignore[no-untyped-def]
    return _quantile(r, x, [v / 100.0 for v in q] if isinstance(q, list) else q / 100.0, axis, interpolation, keepdims)


def _average(r, x, weights, axis):  # type: ignore[no-untyped-def]
    """sum(w x) / sum(w) over `axis` (all when None); 1-D weights apply along `axis` (NumPy)."""
    xp = r.xp
    w = weights
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = w.shape[0]
        w = xp.reshape(w, tuple(shape))
    w = xp.broadcast_to(w, x.shape)
    return xp.sum(w * x, axis=axis) / xp.sum(w, axis=axis)


def _diff(r, x, n, axis):  # type: ignore[no-untyped-def]
    xp = r.xp
    for _ in range(n):
        size = x.shape[axis]
        x = xp.take(x, xp.arange(1, size), axis=axis) - xp.take(x, xp.arange(0, size - 1), axis=axis)
    return x


def _trapezoid(r, y, dx, axis):  # type: ignore[no-untyped-def]
    xp = r.xp
    n = y.shape[axis]
    inner = xp.take(y, xp.arange(1, n), axis=axis) + xp.take(y, xp.arange(0, n - 1), axis=axis)
    return dx * xp.sum(inner, axis=axis) / 2


_MAX_TORCH = _by_axis(call("torch.max"), call("torch.max", axis="dim", keepdims="keepdim", pick="values"))
_MIN_TORCH = _by_axis(call("torch.min"), call("torch.min", axis="dim", keepdims="keepdim", pick="values"))
_MEDIAN_TORCH = _by_axis(call("torch.median"),
                                   call("torch.median", axis="dim", keepdims="keepdim", pick="values"))
_INTERPOLATION = Attr("str", choices=("linear", "lower", "higher", "midpoint", "nearest"), reference="linear",
                      doc="how a quantile between two samples is interpolated; the reference interpolates linearly; "
                          "nearest rounds a half-way position to the even index (NumPy)")
_NO_TORCH_NAN = "torch has no {}: users write {}"
_TIE_GRAD = ("the gradient at tied extremes is split evenly among them (jax.grad of the reference's max/min); "
             "NaN propagates")

OPS = [
    op("sum", "reduction", "x", "sum over `axis` (all axes when unpinned or null)",
       lambda r, x, axis, keepdims: r.xp.sum(x, axis=r.axis(axis), keepdims=keepdims),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.sum", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_sum", axis="axis", keepdims="keepdims"),
       jax=call("jnp.sum", axis="axis", keepdims="keepdims")),
    op("mean", "reduction", "x", "arithmetic mean over `axis` (all axes when unpinned or null)",
       lambda r, x, axis, keepdims: r.xp.mean(x, axis=r.axis(axis), keepdims=keepdims),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.mean", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_mean", axis="axis", keepdims="keepdims"),
       jax=call("jnp.mean", axis="axis", keepdims="keepdims")),
    op("prod", "reduction", "x", "product over `axis` (all axes when unpinned or null); torch.prod takes one int dim",
       lambda r, x, axis, keepdims: r.xp.prod(x, axis=r.axis(axis), keepdims=bool(keepdims)),
       attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS},
       conventions="the gradient with a zero factor is the product of the other factors (finite, no 0/0)",
       torch=call("torch.prod", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_prod", axis="axis", keepdims="keepdims"),
       jax=call("jnp.prod", axis="axis", keepdims="keepdims")),
    op("max", "reduction", "x", "maximum over `axis` as users call it: torch.max (values of the (values, indices) "
       "pair when a dim is given), tf.reduce_max, jnp.max", _max,
       attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS}, conventions=_TIE_GRAD,
       torch=_MAX_TORCH, tensorflow=call("tf.math.reduce_max", axis="axis", keepdims="keepdims"),
       jax=call("jnp.max", axis="axis", keepdims="keepdims")),
    op("min", "reduction", "x", "minimum over `axis`: torch.min (values when a dim is given), tf.reduce_min, jnp.min",
       _min, attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS}, conventions=_TIE_GRAD,
       torch=_MIN_TORCH, tensorflow=call("tf.math.reduce_min", axis="axis", keepdims="keepdims"),
       jax=call("jnp.min", axis="axis", keepdims="keepdims")),
    op("amax", "reduction", "x", "maximum over `axis` (all axes when unpinned): torch.amax, tf.reduce_max, jnp.amax",
       _max, attrs={"axis": AXIS, "keepdims": KEEPDIMS}, conventions=_TIE_GRAD,
       torch=call("torch.amax", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_max", axis="axis", keepdims="keepdims"),
       jax=call("jnp.amax", axis="axis", keepdims="keepdims")),
    op("amin", "reduction", "x", "minimum over `axis` (all axes when unpinned): torch.amin, tf.reduce_min, jnp.amin",
       _min, attrs={"axis": AXIS, "keepdims": KEEPDIMS}, conventions=_TIE_GRAD,
       torch=call("torch.amin", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_min", axis="axis", keepdims="keepdims"),
       jax=call("jnp.amin", axis="axis", keepdims="keepdims")),
    op("argmax", "reduction", "x", "index of the maximum along `axis`; the flattened input when unpinned or null",
       _arg("argmax"), attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS},
       conventions="ties give the first index; NaN is the maximum (its first index)",
       torch=call("torch.argmax", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.argmax", axis="axis"),
       jax=call("jnp.argmax", axis="axis", keepdims="keepdims")),
    op("argmin", "reduction", "x", "index of the minimum along `axis`; the flattened input when unpinned or null",
       _arg("argmin"), attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS},
       conventions="ties give the first index; NaN is the minimum (its first index)",
       torch=call("torch.argmin", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.argmin", axis="axis"),
       jax=call("jnp.argmin", axis="axis", keepdims="keepdims")),
    op("all", "reduction", "x", "true where every element along `axis` is nonzero (any dtype; NaN is nonzero)",
       lambda r, x, axis, keepdims: r.xp.all(x != 0, axis=r.axis(axis), keepdims=bool(keepdims)),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.all", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_all", axis="axis", keepdims="keepdims"),
       jax=call("jnp.all", axis="axis", keepdims="keepdims")),
    op("any", "reduction", "x", "true where some element along `axis` is nonzero (any dtype; NaN is nonzero)",
       lambda r, x, axis, keepdims: r.xp.any(x != 0, axis=r.axis(axis), keepdims=bool(keepdims)),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.any", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_any", axis="axis", keepdims="keepdims"),
       jax=call("jnp.any", axis="axis", keepdims="keepdims")),
    op("var", "reduction", "x", "variance sum((x - mean)^2) / (N - ddof) over `axis`; torch defaults to the unbiased "
       "estimator (correction=1), tf.math.reduce_variance has no ddof (population), jnp.var ddof=0",
       _var, attrs={"axis": AXIS, "keepdims": KEEPDIMS, "ddof": DDOF},
       torch=call("torch.var", axis="dim", keepdims="keepdim", ddof="correction"),
       tensorflow=call("tf.math.reduce_variance", axis="axis", keepdims="keepdims"),
       jax=call("jnp.var", axis="axis", keepdims="keepdims", ddof="ddof")),
    op("std", "reduction", "x", "standard deviation sqrt(var) with `ddof` as in var (torch unbiased by default, "
       "tf.math.reduce_std population, jnp.std ddof=0)",
       lambda r, x, axis, keepdims, ddof: r.xp.sqrt(_var(r, x, axis, keepdims, ddof)),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS, "ddof": DDOF},
       torch=call("torch.std", axis="dim", keepdims="keepdim", ddof="correction"),
       tensorflow=call("tf.math.reduce_std", axis="axis", keepdims="keepdims"),
       jax=call("jnp.std", axis="axis", keepdims="keepdims", ddof="ddof")),
    op("median", "reduction", "x", "median along `axis` (flattened when unpinned); an even count averages the two "
       "middle values (NumPy); torch.median returns the lower one", _median,
       attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS}, alternatives=("lower_median",),
       conventions="even count: the mean of the two middle values, each receiving half the gradient",
       torch=_MEDIAN_TORCH, tensorflow=call("keras.ops.median", axis="axis", keepdims="keepdims"),
       jax=call("jnp.median", axis="axis", keepdims="keepdims")),
    op("quantile", "reduction", "x", "the q-th quantile along `axis` (flattened when unpinned), interpolated by "
       "`interpolation`", _quantile,
       attrs={"q": Attr("float", REQUIRED, low=0, high=1, many=True,
                        doc="a probability, or a list of them (one result each, stacked first); torch.quantile "
                            "takes a float or a tensor"),
              "axis": ONE_AXIS, "interpolation": _INTERPOLATION,
              "keepdims": KEEPDIMS},
       torch=call("torch.quantile", q="q", axis="dim", interpolation="interpolation", keepdims="keepdim"),
       tensorflow=call("keras.ops.quantile", q="q", axis="axis", interpolation="method", keepdims="keepdims"),
       jax=call("jnp.quantile", q="q", axis="axis", interpolation="method", keepdims="keepdims")),
    op("nanmedian", "reduction", "x", "median along `axis` (flattened when unpinned) of the values that are not NaN; "
       "an even count averages the two middle values (NumPy); torch.nanmedian returns the lower one", _nanmedian,
       attrs={"axis": ONE_AXIS, "keepdims": KEEPDIMS}, alternatives=("lower_median",),
       conventions="all NaN gives NaN; even count: the mean of the two middle values, each receiving half the gradient",
       torch=_by_axis(call("torch.nanmedian"), call("torch.nanmedian", axis="dim", keepdims="keepdim", pick="values")),
       tensorflow=none("TensorFlow has no NaN-ignoring median in tf.math or keras.ops"),
       jax=call("jnp.nanmedian", axis="axis", keepdims="keepdims")),
    op("nanquantile", "reduction", "x", "the q-th quantile along `axis` (flattened when unpinned) of the values "
       "that are not NaN, interpolated by `interpolation`", _nanquantile,
       attrs={"q": Attr("float", REQUIRED, low=0, high=1, many=True,
                        doc="a probability, or a list of them (one result each, stacked first)"),
              "axis": ONE_AXIS, "interpolation": _INTERPOLATION, "keepdims": KEEPDIMS},
       conventions="NaN values are left out; a slice of NaN only gives NaN",
       torch=call("torch.nanquantile", q="q", axis="dim", interpolation="interpolation", keepdims="keepdim"),
       tensorflow=none("TensorFlow has no NaN-ignoring quantile in tf.math or keras.ops (tfp.stats.percentile "
                       "is TensorFlow Probability's)"),
       jax=call("jnp.nanquantile", q="q", axis="axis", interpolation="method", keepdims="keepdims")),
    op("logsumexp", "reduction", "x", "log(sum(exp(x))) over `axis` (all axes when unpinned), computed stably; "
       "torch.logsumexp requires dim", _logsumexp, attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       conventions="all -inf gives -inf; the gradient is softmax(x)",
       torch=call("torch.logsumexp", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.math.reduce_logsumexp", axis="axis", keepdims="keepdims"),
       jax=call("jax.scipy.special.logsumexp", axis="axis", keepdims="keepdims")),
    op("cumsum", "reduction", "x", "running sum along `axis`; the reference scans the flattened input when unpinned "
       "(NumPy); torch requires dim, tf.math.cumsum scans axis 0",
       lambda r, x, axis: r.xp.cumsum(x, axis=axis), attrs={"axis": SCAN_AXIS},
       torch=call("torch.cumsum", axis="dim"), tensorflow=call("tf.math.cumsum", axis="axis"),
       jax=call("jnp.cumsum", axis="axis")),
    op("cumprod", "reduction", "x", "running product along `axis` (flattened when unpinned, as cumsum)",
       lambda r, x, axis: r.xp.cumprod(x, axis=axis), attrs={"axis": SCAN_AXIS},
       conventions="the gradient with zero factors is finite (products of the other factors), never 0/0",
       torch=call("torch.cumprod", axis="dim"), tensorflow=call("tf.math.cumprod", axis="axis"),
       jax=call("jnp.cumprod", axis="axis")),
    op("cummax", "reduction", "x", "running maximum along `axis` (flattened when unpinned); torch.cummax returns "
       "(values, indices): values picked", _cummax, attrs={"axis": SCAN_AXIS},
       conventions="ties split the gradient evenly among the tied earlier elements (jax.grad of max)",
       torch=call("torch.cummax", axis="dim", pick="values"),
       tensorflow=none("TensorFlow has no cumulative maximum in tf.math or keras.ops"),
       jax=call("jax.lax.cummax", axis="axis")),
    op("norm", "reduction", "x", "norm as torch.linalg.norm / tf.norm / jnp.linalg.norm compute it: `ord` unpinned is "
       "the 2-norm of a vector or the Frobenius norm of a matrix (the reference: sqrt(sum(x^2)) over `axis`); a "
       "pinned ord follows NumPy (ord=2 on a matrix is the spectral norm)", _norm,
       attrs={"ord": Attr("any", reference=None, doc="NumPy's ord: a number, 'fro', 'nuc', inf; unpinned: 2 / Frobenius"),
              "axis": AXIS, "keepdims": KEEPDIMS},
       conventions="the gradient at x = 0 of the 2-norm is 0/0 = NaN (sqrt at 0)",
       torch=call("torch.linalg.norm", ord="ord", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.norm", ord="ord", axis="axis", keepdims="keepdims"),
       jax=call("jnp.linalg.norm", ord="ord", axis="axis", keepdims="keepdims")),
    op("vector_norm", "reduction", "x", "the vector p-norm (sum |x|^ord)^(1/ord) over `axis` (all elements when "
       "unpinned), ord 2 when unpinned", _vector_norm,
       attrs={"ord": Attr("float", reference=2, doc="p; inf for the max norm; the reference uses 2"),
              "axis": AXIS, "keepdims": KEEPDIMS},
       torch=call("torch.linalg.vector_norm", ord="ord", axis="dim", keepdims="keepdim"),
       tensorflow=call("tf.norm", ord="ord", axis="axis", keepdims="keepdims"),
       jax=call("jnp.linalg.vector_norm", ord="ord", axis="axis", keepdims="keepdims")),
    op("count_nonzero", "reduction", "x", "the number of nonzero elements along `axis` (all when unpinned); NaN counts",
       _count_nonzero, attrs={"axis": AXIS},
       torch=call("torch.count_nonzero", axis="dim"), tensorflow=call("tf.math.count_nonzero", axis="axis"),
       jax=call("jnp.count_nonzero", axis="axis")),
    op("nansum", "reduction", "x", "sum over `axis` with NaN treated as 0", _nansum,
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       conventions="the gradient at a NaN element is 0",
       torch=call("torch.nansum", axis="dim", keepdims="keepdim"),
       tensorflow=call("keras.ops.nansum", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nansum", axis="axis", keepdims="keepdims")),
    op("nanmean", "reduction", "x", "mean over `axis` of the non-NaN elements (NaN where all are NaN)", _nanmean,
       attrs={"axis": AXIS, "keepdims": KEEPDIMS},
       conventions="the gradient at a NaN element is 0",
       torch=call("torch.nanmean", axis="dim", keepdims="keepdim"),
       tensorflow=call("keras.ops.nanmean", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nanmean", axis="axis", keepdims="keepdims")),
    # NaN-ignoring and cumulative reductions, spreads and weighted means (catalogue round 2)
    op("nanmax", "reduction", "x", "maximum over `axis` of the values that are not NaN (NaN where all are)",
       lambda r, x, axis, keepdims: _nan_extreme(r, x, axis, keepdims, r.xp.max),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS}, conventions="a slice of NaN only gives NaN; " + _TIE_GRAD,
       torch=none(_NO_TORCH_NAN.format("nanmax", "x.nan_to_num(-inf).amax()")),
       tensorflow=call("keras.ops.nanmax", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nanmax", axis="axis", keepdims="keepdims")),
    op("nanmin", "reduction", "x", "minimum over `axis` of the values that are not NaN (NaN where all are)",
       lambda r, x, axis, keepdims: _nan_extreme(r, x, axis, keepdims, r.xp.min),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS}, conventions="a slice of NaN only gives NaN; " + _TIE_GRAD,
       torch=none(_NO_TORCH_NAN.format("nanmin", "x.nan_to_num(inf).amin()")),
       tensorflow=call("keras.ops.nanmin", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nanmin", axis="axis", keepdims="keepdims")),
    op("nanvar", "reduction", "x", "variance over `axis` of the values that are not NaN, divided by count - ddof "
       "(keras.ops.nanvar has no ddof: population)", _nanvar,
       attrs={"axis": AXIS, "keepdims": KEEPDIMS, "ddof": DDOF},
       conventions="NaN where count - ddof <= 0 (a slice of NaN only, or too few values), as NumPy",
       torch=none(_NO_TORCH_NAN.format("nanvar", "a masked mean of squares")),
       tensorflow=call("keras.ops.nanvar", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nanvar", axis="axis", keepdims="keepdims", ddof="ddof")),
    op("nanstd", "reduction", "x", "sqrt(nanvar) with `ddof` as nanvar (keras.ops.nanstd has no ddof)",
       lambda r, x, axis, keepdims, ddof: r.xp.sqrt(_nanvar(r, x, axis, keepdims, ddof)),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS, "ddof": DDOF}, conventions="a slice of NaN only gives NaN",
       torch=none(_NO_TORCH_NAN.format("nanstd", "a masked mean of squares")),
       tensorflow=call("keras.ops.nanstd", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nanstd", axis="axis", keepdims="keepdims", ddof="ddof")),
    op("nanprod", "reduction", "x", "product over `axis` with NaN treated as 1 (an all-NaN slice gives 1)",
       lambda r, x, axis, keepdims: r.xp.prod(r.xp.where(r.xp.isnan(x), 1.0, x), axis=r.axis(axis),
                                              keepdims=bool(keepdims)),
       attrs={"axis": AXIS, "keepdims": KEEPDIMS}, conventions="the gradient at a NaN element is 0",
       torch=none(_NO_TORCH_NAN.format("nanprod", "x.nan_to_num(1.0).prod()")),
       tensorflow=call("keras.ops.nanprod", axis="axis", keepdims="keepdims"),
       jax=call("jnp.nanprod", axis="axis", keepdims="keepdims")),
    op("nancumsum", "reduction", "x", "running sum along `axis` with NaN treated as 0 (flattened when unpinned)",
       _nancumsum, attrs={"axis": SCAN_AXIS}, conventions="the gradient at a NaN element is 0",
       torch=none(_NO_TORCH_NAN.format("nancumsum", "x.nan_to_num(0.0).cumsum(dim)")),
       tensorflow=call("keras.ops.nancumsum", axis="axis"), jax=call("jnp.nancumsum", axis="axis")),
    op("cummin", "reduction", "x", "running minimum along `axis` (flattened when unpinned); torch.cummin returns "
       "(values, indices): values picked", _cummin, attrs={"axis": SCAN_AXIS},
       conventions="a NaN stays NaN from its position on; ties split the gradient (jax.grad of min)",
       torch=call("torch.cummin", axis="dim", pick="values"),
       tensorflow=none("TensorFlow has no cumulative minimum in tf.math or keras.ops"),
       jax=call("jax.lax.cummin", axis="axis")),
    op("logcumsumexp", "reduction", "x", "running log(sum(exp(x))) along `axis`, computed stably (flattened when "
       "unpinned); torch requires dim, tf.math.cumulative_logsumexp and jax.lax.cumlogsumexp scan axis 0",
       _logcumsumexp, attrs={"axis": SCAN_AXIS},
       conventions="a leading run of -inf gives -inf, with gradient NaN there (a softmax over -inf only is 0/0, as "
                   "logsumexp's); elsewhere the gradient is a running softmax",
       torch=call("torch.logcumsumexp", axis="dim"),
       tensorflow=call("tf.math.cumulative_logsumexp", axis="axis"),
       jax=call("jax.lax.cumlogsumexp", axis="axis")),
    op("ptp", "reduction", "x", "max - min over `axis` (all axes when unpinned): the peak-to-peak range", _ptp,
       attrs={"axis": AXIS, "keepdims": KEEPDIMS}, conventions="NaN propagates; " + _TIE_GRAD,
       torch=none("torch has no ptp: users write x.amax() - x.amin()"),
       tensorflow=call("keras.ops.ptp", axis="axis", keepdims="keepdims"),
       jax=call("jnp.ptp", axis="axis", keepdims="keepdims")),
    op("percentile", "reduction", "x", "the q-th percentile (q in [0, 100]) along `axis`: quantile at q / 100",
       _percentile,
       attrs={"q": Attr("float", REQUIRED, low=0, high=100, many=True,
                        doc="a percentage, or a list of them (one result each, stacked first)"),
              "axis": ONE_AXIS, "interpolation": _INTERPOLATION, "keepdims": KEEPDIMS},
       torch=none("torch has no percentile: users write torch.quantile(x, q / 100)"),
       tensorflow=call("keras.ops.percentile", q="q", axis="axis", interpolation="method", keepdims="keepdims"),
       jax=call("jnp.percentile", q="q", axis="axis", interpolation="method", keepdims="keepdims")),
    op("average", "reduction", ("x", "weights"), "the weighted mean sum(w x) / sum(w) over `axis` (all when "
       "unpinned); 1-D weights apply along `axis`", _average, attrs={"axis": ONE_AXIS},
       conventions="plain division: weights summing to 0 give inf or NaN (NumPy raises ZeroDivisionError)",
       torch=none("torch has no weighted average: users write (w * x).sum(dim) / w.sum(dim)"),
       tensorflow=call("keras.ops.average", args=("x", "weights=weights"), axis="axis"),
       jax=call("jnp.average", args=("x", "weights=weights"), axis="axis")),
    op("diff", "reduction", "x", "the n-th forward difference x[i + 1] - x[i] along `axis` (last when unpinned)",
       _diff, attrs={"n": Attr("int", reference=1, low=0, doc="times differenced; the reference uses 1"),
                     "axis": Attr("axis", reference=-1, doc="the reference differences the last axis")},
       torch=call("torch.diff", n="n", axis="dim"), tensorflow=call("keras.ops.diff", n="n", axis="axis"),
       jax=call("jnp.diff", n="n", axis="axis")),
    op("trapezoid", "reduction", "x", "the trapezoidal rule over `axis` with spacing dx: dx * sum((y[i] + y[i+1]) / 2)",
       lambda r, x, dx, axis: _trapezoid(r, x, dx, axis),
       attrs={"dx": Attr("float", reference=1.0, doc="the spacing; the reference uses 1"),
              "axis": Attr("axis", reference=-1, doc="the reference integrates along the last axis")},
       conventions="fewer than 2 samples integrate to 0",
       torch=call("torch.trapezoid", dx="dx", axis="dim"), tensorflow=call("keras.ops.trapezoid", dx="dx", axis="axis"),
       jax=call("jnp.trapezoid", dx="dx", axis="axis")),
]


# ---- forms: the method users write beside the function (`torch.max(x, dim=0)` / `x.max(dim=0)`), and
# keras.ops beside tf.math
OPS = with_forms(OPS, "torch", "method", methods(OPS, "torch", "sum mean prod max min amax amin argmax argmin all any "
                                                 "var std median quantile logsumexp cumsum cumprod cummax count_nonzero "
                                                 "nansum nanmean cummin logcumsumexp diff"))
OPS = with_forms(OPS, "jax", "method", methods(OPS, "jax", "sum mean prod max min argmax argmin all any var std cumsum "
                                               "cumprod"))
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(OPS, "tensorflow", "keras.ops",
                                                           "sum mean prod max min amax:max amin:min argmax argmin all "
                                                           "any var std logsumexp cumsum cumprod count_nonzero"))
