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


def _atleast(r, x, rank):  # type: ignore[no-untyped-def]
    """NumPy's atleast_2d / atleast_3d: a scalar is [1, 1(, 1)], a vector [1, n(, 1)], a matrix [m, n(, 1)]."""
    xp = r.xp
    if x.ndim == 0:
        return xp.reshape(x, (1,) * rank)
    if x.ndim == 1:
        return xp.reshape(x, (1, x.shape[0]) + (1,) * (rank - 2))
    if x.ndim == 2 and rank == 3:
        return xp.reshape(x, x.shape + (1,))
    return x


def _hstack(r, x, y):  # type: ignore[no-untyped-def]
    return r.xp.concatenate([x, y], axis=0 if x.ndim == 1 else 1)


def _column_stack(r, x, y):  # type: ignore[no-untyped-def]
    columns = [r.xp.reshape(v, (-1, 1)) if v.ndim < 2 else v for v in (x, y)]
    return r.xp.concatenate(columns, axis=1)


def _rot90(r, x, k, axes):  # type: ignore[no-untyped-def]
    """k quarter turns from axes[0] toward axes[1]: one turn is flip along axes[1], then swap the two axes."""
    xp = r.xp
    a0, a1 = axes
    for _ in range(k % 4):
        x = xp.swapaxes(xp.flip(x, a1), a0, a1)
    return x


def _unstack(r, x, axis):  # type: ignore[no-untyped-def]
    return [r.xp.take(x, i, axis=axis) for i in range(x.shape[axis])]


def _array_split(r, x, sections, axis):  # type: ignore[no-untyped-def]
    """NumPy's array_split: n % sections pieces of size n // sections + 1 first, then pieces of n // sections."""
    n = x.shape[axis]
    small, extra = divmod(n, sections)
    sizes = [small + 1] * extra + [small] * (sections - extra)
    starts = [sum(sizes[:i]) for i in range(sections)]
    return [r.xp.take(x, r.xp.arange(start, start + size), axis=axis) for start, size in zip(starts, sizes)]


def _chunk(r, x, chunks, axis):  # type: ignore[no-untyped-def]
    """torch.chunk's rule: pieces of ceil(n / chunks), the last smaller, so possibly fewer than `chunks` pieces."""
    n = x.shape[axis]
    size = -(-n // chunks)
    return [r.xp.take(x, r.xp.arange(start, min(start + size, n)), axis=axis) for start in range(0, n, size)]


def _meshgrid(r, x, y, indexing):  # type: ignore[no-untyped-def]
    """Cartesian indexing (xy, NumPy's and TensorFlow's default): outputs [len(y), len(x)]; matrix (ij): [len(x), len(y)]."""
    xp = r.xp
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError("meshgrid takes 1-D inputs")
    xx = xp.broadcast_to(x[:, None], (x.shape[0], y.shape[0]))
    yy = xp.broadcast_to(y[None, :], (x.shape[0], y.shape[0]))
    return (xx, yy) if indexing == "ij" else (xx.T, yy.T)


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
    # stacking, rotations, promotions and splits users reach for next (catalogue round 2)
    op("hstack", "shape", "x y", "x and y side by side: along axis 1, or axis 0 for 1-D inputs", _hstack,
       torch=expression("torch.hstack([x, y])"), tensorflow=expression("keras.ops.hstack([x, y])"),
       jax=expression("jnp.hstack([x, y])")),
    op("vstack", "shape", "x y", "x and y on top of each other: 1-D inputs become rows [1, n] first, then axis 0",
       lambda r, x, y: r.xp.concatenate([_atleast(r, x, 2), _atleast(r, y, 2)], axis=0),
       torch=expression("torch.vstack([x, y])"), tensorflow=expression("keras.ops.vstack([x, y])"),
       jax=expression("jnp.vstack([x, y])")),
    op("dstack", "shape", "x y", "x and y along the third axis, after atleast_3d ([n] -> [1, n, 1], [m, n] -> "
       "[m, n, 1])", lambda r, x, y: r.xp.concatenate([_atleast(r, x, 3), _atleast(r, y, 3)], axis=2),
       torch=expression("torch.dstack([x, y])"), tensorflow=expression("keras.ops.dstack([x, y])"),
       jax=expression("jnp.dstack([x, y])")),
    op("column_stack", "shape", "x y", "1-D inputs as columns [n, 1], joined along axis 1", _column_stack,
       torch=expression("torch.column_stack([x, y])"),
       tensorflow=none("TensorFlow has no column_stack in tf or keras.ops"),
       jax=expression("jnp.column_stack([x, y])")),
    op("atleast_2d", "shape", "x", "x with at least two axes: a scalar [1, 1], a vector [n] as a row [1, n]",
       lambda r, x: _atleast(r, x, 2), torch=call("torch.atleast_2d"),
       tensorflow=none("TensorFlow has no atleast_2d in tf or keras.ops"), jax=call("jnp.atleast_2d")),
    op("atleast_3d", "shape", "x", "x with at least three axes: [n] -> [1, n, 1], [m, n] -> [m, n, 1] (NumPy)",
       lambda r, x: _atleast(r, x, 3), torch=call("torch.atleast_3d"),
       tensorflow=none("TensorFlow has no atleast_3d in tf or keras.ops"), jax=call("jnp.atleast_3d")),
    op("fliplr", "shape", "x", "x reversed along axis 1 (rank >= 2)",
       lambda r, x: r.xp.flip(_matrix(x, "fliplr"), 1),
       conventions="an input of rank < 2 raises ValueError",
       torch=call("torch.fliplr"), tensorflow=call("keras.ops.fliplr"), jax=call("jnp.fliplr")),
    op("flipud", "shape", "x", "x reversed along axis 0", lambda r, x: r.xp.flip(x, 0),
       torch=call("torch.flipud"), tensorflow=call("keras.ops.flipud"), jax=call("jnp.flipud")),
    op("rot90", "shape", "x", "x rotated by k quarter turns in the plane of `axes`, from the first axis toward the "
       "second (NumPy)", _rot90,
       attrs={"k": Attr("int", reference=1, doc="quarter turns; the reference turns once when unpinned"),
              "axes": Attr("ints", reference=[0, 1], doc="the plane; the reference uses [0, 1] when unpinned")},
       torch=call("torch.rot90", k="k", axes="dims"), tensorflow=call("keras.ops.rot90", k="k", axes="axes"),
       jax=call("jnp.rot90", k="k", axes="axes")),
    op("unstack", "shape", "x", "the slices of x along `axis`, as a list (torch.unbind)", _unstack,
       attrs={"axis": Attr("axis", reference=0, doc="the axis taken apart; the reference uses 0 when unpinned")},
       outputs=("*",),
       torch=call("torch.unbind", axis="dim"), tensorflow=call("tf.unstack", axis="axis"),
       jax=call("jnp.unstack", axis="axis")),
    op("array_split", "shape", "x", "x cut along `axis` into `sections` pieces that may differ by one in size, the "
       "larger first (NumPy's array_split, torch.tensor_split)", _array_split,
       attrs={"sections": Attr("int", REQUIRED, low=1, doc="how many pieces"),
              "axis": Attr("axis", reference=0, doc="the axis cut; the reference uses 0 when unpinned")},
       outputs=("*",),
       conventions="more sections than elements gives empty pieces at the end",
       torch=call("torch.tensor_split", sections="sections", axis="dim"),
       tensorflow=call("keras.ops.array_split", sections="indices_or_sections", axis="axis"),
       jax=call("jnp.array_split", sections="indices_or_sections", axis="axis")),
    op("chunk", "shape", "x", "torch.chunk: pieces of ceil(n / chunks) along `axis`, the last smaller, so fewer "
       "than `chunks` pieces can come back (6 elements in 4 chunks: 3 pieces of 2)", _chunk,
       attrs={"chunks": Attr("int", REQUIRED, low=1, doc="the number of pieces asked for"),
              "axis": Attr("axis", reference=0, doc="the axis cut; the reference uses 0 when unpinned")},
       outputs=("*",),
       torch=call("torch.chunk", chunks="chunks", axis="dim"),
       tensorflow=none("TensorFlow has no chunk (tf.split needs sizes that divide, or a list of sizes)"),
       jax=none("jax.numpy has no chunk (jnp.array_split balances the pieces instead)")),
    op("meshgrid", "shape", "x y", "coordinate matrices from two vectors: `xy` (Cartesian) gives [len(y), len(x)], "
       "`ij` (matrix) gives [len(x), len(y)]; NumPy and TensorFlow default to xy, torch to ij", _meshgrid,
       attrs={"indexing": Attr("str", choices=("xy", "ij"), reference="xy",
                               doc="the layout; the reference uses NumPy's xy when unpinned")},
       outputs=("xx", "yy"),
       torch=call("torch.meshgrid", indexing="indexing"), tensorflow=call("tf.meshgrid", indexing="indexing"),
       jax=call("jnp.meshgrid", indexing="indexing")),
]


# ---- forms: the tensor method beside the function (`torch.reshape(x, s)` / `x.reshape(s)`), keras.ops beside tf
OPS = with_forms(OPS, "torch", "method", methods(
    OPS, "torch", "reshape squeeze expand_dims:unsqueeze transpose:permute swapaxes moveaxis tile "
                  "repeat:repeat_interleave broadcast_to flatten flip roll tril triu diag "
                  "diagonal fliplr flipud rot90 unstack:unbind array_split:tensor_split chunk"))
OPS = with_forms(OPS, "jax", "method", methods(OPS, "jax", "squeeze transpose swapaxes repeat flatten:ravel "
                                               "diagonal"))
OPS = with_forms(OPS, "tensorflow", "keras.ops", functions(
    OPS, "tensorflow", "keras.ops", "squeeze expand_dims repeat broadcast_to roll diag"))
