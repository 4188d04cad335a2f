"""Shape and layout: reshape, squeeze, expand_dims, transpose, concatenation, splitting, tiling, padding, ...

Ops over two tensors (concatenate, stack) take exactly two: the step language passes
tensors positionally, and torch.cat / tf.concat / jnp.concatenate take a list, so those
bindings are adapter `custom` functions that build the two-element list.
"""

from __future__ import annotations

from oracle.ops.spec import (
    REQUIRED,
    Attr,
    Binding,
    call,
    construct,
    custom,
    expression,
    functions,
    kw,
    method,
    methods,
    none,
    op,
    switch,
    with_forms,
)

_AXIS_REQUIRED = Attr("axis", REQUIRED)
_NULL_AXES = Attr("axes", nullable=True, reference=None, doc="the axes; the reference uses every axis when unpinned")


def _split(r, x, sections, axis, last=False):  # type: ignore[no-untyped-def]
    n = x.shape[axis]
    if r.follows("split_size"):
        size = sections
        count = -(-n // size)
        r.note(f"split: {sections} read as the piece size: {count} pieces of {size} along axis {axis} (size {n})")
    else:
        if n % sections:
            raise ValueError(f"split: axis {axis} of size {n} does not divide into {sections} equal pieces")
        size, count = n // sections, sections
    start = (count - 1) * size if last else 0
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, start + size)
    return x[tuple(index)]


def _repeat(r, x, repeats, axis=None):  # type: ignore[no-untyped-def]
    if r.follows("tile_repeat"):
        r.note(f"repeat: the whole tensor tiled {repeats} times")
        return r.xp.tile(x, repeats)
    return r.xp.repeat(x, repeats, axis=axis)


def _pad(r, x, pad_width, mode):  # type: ignore[no-untyped-def]
    pairs = [tuple(p) for p in pad_width]
    if len(pairs) != x.ndim:
        raise ValueError(f"pad: pad_width needs one [before, after] pair per axis ({x.ndim}), got {len(pairs)}")
    if mode == "reflect":
        for (before, after), n in zip(pairs, x.shape):
            if max(before, after) >= n:
                raise ValueError(f"pad: reflect padding {max(before, after)} must be smaller than the axis size {n}")
    return r.xp.pad(x, pairs, mode=mode)


def _matrix(x, name):  # type: ignore[no-untyped-def]
    if x.ndim < 2:
        raise ValueError(f"{name} needs an input of rank 2 or more, got shape {list(x.shape)}")
    return x


def _band_part(r, x, num_lower, num_upper):  # type: ignore[no-untyped-def]
    """Keep x[..., m, n] where (num_lower < 0 or m - n <= num_lower) and (num_upper < 0 or n - m <= num_upper)."""
    xp = r.xp
    _matrix(x, "band_part")
    m, n = x.shape[-2], x.shape[-1]
    below = xp.arange(m)[:, None] - xp.arange(n)[None, :]  # m - n: how far below the diagonal
    keep = ((below <= num_lower) | (num_lower < 0)) & ((-below <= num_upper) | (num_upper < 0))
    return xp.where(keep, x, xp.zeros_like(x))  # selected, not multiplied: NaN outside the band becomes 0


def _flatten_layer(r, x):  # type: ignore[no-untyped-def]
    return r.xp.reshape(x, (x.shape[0], -1))


def _pad_torch_case(mode: str) -> Binding:
    native = {"constant": "constant", "reflect": "reflect", "edge": "replicate"}[mode]
    return custom("pad_pairs", "torch.nn.functional.pad({x}, [p for pair in reversed({pad_width}) for p in pair]"
                  f", mode={native!r})")


def _tf_pad(mode: str | None) -> Binding:
    if mode is None:
        return call("tf.pad", pad_width="paddings")
    return call("tf.pad", pad_width="paddings", mode=kw("mode", {mode: mode.upper()}))


_MODE = Attr("str", choices=("constant", "reflect", "edge", "symmetric"), reference="constant",
             doc="constant (zeros), reflect (without the edge), edge (repeat the edge), symmetric (with the edge)")

OPS = [
    op("reshape", "shape", "x", "the same elements in row-major order with shape `shape` (one -1 inferred)",
       lambda r, x, shape: r.xp.reshape(x, tuple(shape)), attrs={"shape": Attr("shape", REQUIRED)},
       torch=call("torch.reshape", shape="shape"), tensorflow=call("tf.reshape", shape="shape"),
       jax=call("jnp.reshape", shape="shape")),
    op("squeeze", "shape", "x", "drop size-1 axes: `axis` only, or every size-1 axis when unpinned",
       lambda r, x, axis: r.xp.squeeze(x, axis=r.axis(axis)),
       attrs={"axis": Attr("axes", nullable=True, reference=None)},
       torch=call("torch.squeeze", axis="dim"), tensorflow=call("tf.squeeze", axis="axis"),
       jax=call("jnp.squeeze", axis="axis")),
    op("expand_dims", "shape", "x", "insert a size-1 axis at `axis`",
       lambda r, x, axis: r.xp.expand_dims(x, axis), attrs={"axis": Attr("axis", REQUIRED)},
       torch=call("torch.unsqueeze", axis="dim"), tensorflow=call("tf.expand_dims", axis="axis"),
       jax=call("jnp.expand_dims", axis="axis")),
    op("transpose", "shape", "x", "permute the axes by `axes`; unpinned, reverse them (NumPy, tf.transpose); "
       "torch.permute requires dims",
       lambda r, x, axes: r.xp.transpose(x, None if axes is None else tuple(axes)),
       attrs={"axes": Attr("ints", nullable=True, reference=None, doc="a permutation; the reference reverses")},
       torch=call("torch.permute", axes="dims"), tensorflow=call("tf.transpose", axes="perm"),
       jax=call("jnp.transpose", axes="axes")),
    op("swapaxes", "shape", "x", "exchange axes `axis1` and `axis2`",
       lambda r, x, axis1, axis2: r.xp.swapaxes(x, axis1, axis2),
       attrs={"axis1": Attr("axis", REQUIRED), "axis2": Attr("axis", REQUIRED)},
       torch=call("torch.swapaxes", axis1="axis0", axis2="axis1"),
       tensorflow=call("keras.ops.swapaxes", axis1="axis1", axis2="axis2"),
       jax=call("jnp.swapaxes", axis1="axis1", axis2="axis2")),
    op("moveaxis", "shape", "x", "move axis `source` to position `destination`, the others keeping their order",
       lambda r, x, source, destination: r.xp.moveaxis(x, source, destination),
       attrs={"source": Attr("axis", REQUIRED), "destination": Attr("axis", REQUIRED)},
       torch=call("torch.moveaxis", source="source", destination="destination"),
       tensorflow=call("keras.ops.moveaxis", source="source", destination="destination"),
       jax=call("jnp.moveaxis", source="source", destination="destination")),
    op("concatenate", "shape", "x y", "x and y joined along the existing axis `axis` (tf.concat requires it); "
       "other axes must match, no broadcasting",
       lambda r, x, y, axis: r.xp.concatenate([x, y], axis=axis), attrs={"axis": _AXIS_REQUIRED},
       torch=expression("torch.cat([x, y], dim=axis)"),
       tensorflow=expression("tf.concat([x, y], axis=axis)"),
       jax=expression("jnp.concatenate([x, y], axis=axis)")),
    op("stack", "shape", "x y", "x and y joined along a new axis `axis`; shapes must be equal",
       lambda r, x, y, axis: r.xp.stack([x, y], axis=axis), attrs={"axis": _AXIS_REQUIRED},
       torch=expression("torch.stack([x, y], dim=axis)"),
       tensorflow=expression("tf.stack([x, y], axis=axis)"),
       jax=expression("jnp.stack([x, y], axis=axis)")),
    op("split_first", "shape", "x", "the first piece of split(x, sections, axis), the integer read as a number of "
       "equal pieces (NumPy, tf.split); torch.split reads it as each piece's size",
       lambda r, x, sections, axis: _split(r, x, sections, axis),
       attrs={"sections": Attr("int", REQUIRED, low=1), "axis": Attr("axis", reference=0)},
       alternatives=("split_size",),
       conventions="a size that does not divide into `sections` equal pieces raises ValueError",
       torch=call("torch.split", sections="split_size_or_sections", axis="dim", pick=0),
       tensorflow=call("tf.split", sections="num_or_size_splits", axis="axis", pick=0),
       jax=call("jnp.split", sections="indices_or_sections", axis="axis", pick=0)),
    op("split_last", "shape", "x", "the last piece of split(x, sections, axis) (see split_first)",
       lambda r, x, sections, axis: _split(r, x, sections, axis, last=True),
       attrs={"sections": Attr("int", REQUIRED, low=1), "axis": Attr("axis", reference=0)},
       alternatives=("split_size",),
       conventions="a size that does not divide into `sections` equal pieces raises ValueError",
       torch=call("torch.split", sections="split_size_or_sections", axis="dim", pick=-1),
       tensorflow=call("tf.split", sections="num_or_size_splits", axis="axis", pick=-1),
       jax=call("jnp.split", sections="indices_or_sections", axis="axis", pick=-1)),
    op("tile", "shape", "x", "x repeated as a whole `reps` times along each axis; reps shorter than the rank "
       "applies to the trailing axes (NumPy)",
       lambda r, x, reps: r.xp.tile(x, tuple(reps)), attrs={"reps": Attr("ints", REQUIRED)},
       torch=call("torch.tile", reps="dims"), tensorflow=call("tf.tile", reps="multiples"),
       jax=call("jnp.tile", reps="reps")),
    op("repeat", "shape", "x", "each element repeated `repeats` times along `axis` (NumPy's repeat; the flattened "
       "input when unpinned): torch.repeat_interleave, tf.repeat, jnp.repeat", _repeat,
       attrs={"repeats": Attr("int", REQUIRED, low=0), "axis": Attr("axis", nullable=True, reference=None)},
       alternatives=("tile_repeat",),
       torch=call("torch.repeat_interleave", repeats="repeats", axis="dim"),
       tensorflow=call("tf.repeat", repeats="repeats", axis="axis"),
       jax=call("jnp.repeat", repeats="repeats", axis="axis")),
    op("repeat_method", "shape", "x", "x.repeat(n) as users write it on a tensor: NumPy's repeat (each element n "
       "times, flattened) is the reference; torch's Tensor.repeat tiles instead; tf.Tensor has no repeat method",
       lambda r, x, repeats: _repeat(r, r.xp.reshape(x, (-1,)) if x.ndim != 1 else x, repeats),
       attrs={"repeats": Attr("int", REQUIRED, low=0)}, alternatives=("tile_repeat",),
       torch=method("repeat", repeats=kw("repeats", positional=True)),
       tensorflow=none("tf.Tensor has no repeat method (tf.repeat is the function: see op repeat)"),
       jax=method("repeat", repeats=kw("repeats", positional=True))),
    op("broadcast_to", "shape", "x", "x broadcast to `shape` (NumPy rules: trailing axes align, size 1 stretches)",
       lambda r, x, shape: r.xp.broadcast_to(x, tuple(shape)), attrs={"shape": Attr("shape", REQUIRED)},
       torch=call("torch.broadcast_to", shape="size"), tensorflow=call("tf.broadcast_to", shape="shape"),
       jax=call("jnp.broadcast_to", shape="shape")),
    op("flatten", "shape", "x", "every axis flattened into one, row-major (the functional forms: torch.flatten, "
       "keras.ops.ravel, jnp.ravel)", lambda r, x: r.xp.reshape(x, (-1,)),
       torch=call("torch.flatten"), tensorflow=call("keras.ops.ravel"), jax=call("jnp.ravel")),
    op("flatten_layer", "shape", "x", "the layer forms: keep axis 0 (the batch), flatten the rest (torch.nn.Flatten, "
       "keras.layers.Flatten); unlike torch.flatten", _flatten_layer,
       torch=construct("torch.nn.Flatten"), tensorflow=construct("keras.layers.Flatten"),
       jax=none("flax.nnx has no Flatten layer (users reshape)")),
    op("flip", "shape", "x", "reverse the order of elements along `axis` (every axis when unpinned); torch.flip and "
       "tf.reverse require the axes",
       lambda r, x, axis: r.xp.flip(x, axis=r.axis(axis)), attrs={"axis": _NULL_AXES},
       torch=call("torch.flip", axis="dims"), tensorflow=call("tf.reverse", axis="axis"),
       jax=call("jnp.flip", axis="axis")),
    op("roll", "shape", "x", "shift elements by `shift` along `axis`, wrapping around; the flattened input when "
       "unpinned (NumPy, torch); tf.roll requires the axis",
       lambda r, x, shift, axis: r.xp.roll(x, shift, axis=axis),
       attrs={"shift": Attr("int", REQUIRED), "axis": Attr("axis", nullable=True, reference=None)},
       torch=call("torch.roll", shift="shifts", axis="dims"), tensorflow=call("tf.roll", shift="shift", axis="axis"),
       jax=call("jnp.roll", shift="shift", axis="axis")),
    op("pad", "shape", "x", "pad each axis by `pad_width` = [[before, after] per axis] in axis order (NumPy, tf.pad); "
       "torch's F.pad takes a flat list starting from the LAST axis: the torch binding reverses the pairs", _pad,
       attrs={"pad_width": Attr("any", REQUIRED, doc="[[before, after], ...] one pair per axis, first axis first"),
              "mode": _MODE},
       conventions="reflect padding at least the axis size raises ValueError",
       torch=switch("mode", framework=custom("pad_pairs", "torch.nn.functional.pad({x}, [p for pair in "
                                                          "reversed({pad_width}) for p in pair])"),
                    constant=_pad_torch_case("constant"), reflect=_pad_torch_case("reflect"),
                    edge=_pad_torch_case("edge"),
                    symmetric=none("torch.nn.functional.pad's modes are constant, reflect, replicate and circular: "
                                   "no symmetric (edge-inclusive) reflection")),
       tensorflow=switch("mode", framework=_tf_pad(None), constant=_tf_pad("constant"), reflect=_tf_pad("reflect"),
                         symmetric=_tf_pad("symmetric"),
                         edge=none("tf.pad's modes are CONSTANT, REFLECT and SYMMETRIC: no edge (replicate)")),
       jax=call("jnp.pad", pad_width="pad_width", mode="mode")),
    op("tril", "shape", "x", "x with elements above the k-th diagonal zeroed (last two axes)",
       lambda r, x, k: r.xp.tril(_matrix(x, "tril"), k), attrs={"k": Attr("int", reference=0)},
       conventions="an input of rank < 2 raises ValueError (NumPy instead broadcasts a vector to a square matrix)",
       torch=call("torch.tril", k="diagonal"), tensorflow=call("keras.ops.tril", k="k"), jax=call("jnp.tril", k="k")),
    op("triu", "shape", "x", "x with elements below the k-th diagonal zeroed (last two axes)",
       lambda r, x, k: r.xp.triu(_matrix(x, "triu"), k), attrs={"k": Attr("int", reference=0)},
       conventions="an input of rank < 2 raises ValueError (NumPy instead broadcasts a vector to a square matrix)",
       torch=call("torch.triu", k="diagonal"), tensorflow=call("keras.ops.triu", k="k"), jax=call("jnp.triu", k="k")),
    op("band_part", "shape", "x", "x with everything outside a band of the last two axes zeroed: num_lower "
       "diagonals below the main one and num_upper above it are kept, a negative count keeping that whole triangle "
       "(tf.linalg.band_part); torch and JAX have no band_part, users combine tril and triu", _band_part,
       attrs={"num_lower": Attr("int", REQUIRED, doc="subdiagonals kept; negative: the whole lower triangle"),
              "num_upper": Attr("int", REQUIRED, doc="superdiagonals kept; negative: the whole upper triangle")},
       conventions="elements outside the band are set to 0, not multiplied by 0 (a NaN there becomes 0); an input "
                   "of rank < 2 raises ValueError",
       torch=custom("band_part_tril_triu", "torch.tril(torch.triu({x}, -{num_lower}), {num_upper}) (a negative "
                    "count: that call left out)"),
       tensorflow=call("tf.linalg.band_part", num_lower="num_lower", num_upper="num_upper"),
       jax=custom("band_part_tril_triu", "jnp.tril(jnp.triu({x}, -{num_lower}), {num_upper}) (a negative count: "
                  "that call left out)")),
    op("diag", "shape", "x", "NumPy's diag: a 1-D input becomes a diagonal matrix, a 2-D input gives its k-th "
       "diagonal; tf.linalg.diag always builds matrices from the last axis (keras.ops.diag follows NumPy)",
       lambda r, x, k: r.xp.diag(x, k), attrs={"k": Attr("int", reference=0)},
       torch=call("torch.diag", k="diagonal"), tensorflow=call("tf.linalg.diag", k="k"), jax=call("jnp.diag", k="k")),
    op("diagonal", "shape", "x", "the `offset` diagonal over axes 0 and 1 (NumPy, torch); tf.linalg.diag_part takes "
       "the last two axes", lambda r, x, offset: r.xp.diagonal(x, offset),
       attrs={"offset": Attr("int", reference=0)},
       torch=call("torch.diagonal", offset="offset"), tensorflow=call("tf.linalg.diag_part", offset="k"),
       jax=call("jnp.diagonal", offset="offset")),
]


# ---- forms: the tensor method beside the function (`torch.reshape(x, s)` / `x.reshape(s)`), keras.ops beside tf
OPS = with_forms(OPS, "torch", "method", methods(
    OPS, "torch", "reshape squeeze expand_dims:unsqueeze transpose:permute swapaxes moveaxis tile "
                  "repeat:repeat_interleave broadcast_to flatten flip roll tril triu diag "
                  "diagonal"))
OPS = with_forms(OPS, "jax", "method", methods(OPS, "jax", "squeeze transpose swapaxes repeat flatten:ravel "
                                               "diagonal"))
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(
    OPS, "tensorflow", "keras.ops", "squeeze expand_dims repeat broadcast_to roll diag"))
