"""Normalization: batch / layer / group / instance / RMS normalization, L2 normalization, LRN.

Every op here is the bare normalization (no learned scale or shift: layers are built with
their default scale 1 and offset 0, or without them). Epsilon is left to each framework unless
pinned; the reference's stated value is 1e-5. Where a layer needs its input size at
construction (flax.nnx), the JAX column is a `custom` function that builds it from the input's
shape; Keras layers that build lazily are constructed directly.
Layouts: batch_norm takes [N, C] (the channel axis is both torch's 1 and Keras' -1); group_norm
takes [N, C] or torch's channels-first [N, C, ...] (Keras and flax group the last axis: on
[N, C, L] they differ, and the diff shows it); instance_norm and local_response_norm take
torch's channels-first [N, C, L].
"""

from __future__ import annotations

from oracle.ops.spec import REQUIRED, Arg, Attr, call, construct, expression, fix, kw, none, op, retarget, with_forms

EPS = Attr("float", reference=1e-5, low=0.0, doc="added to the variance; the reference uses 1e-5 when unpinned")

TRAINING = fix(True, "the op is training mode: the batch's statistics")
INFERENCE = fix(False, "the op is inference mode: the given running statistics")
TRAILING = fix(-1, "the op normalises the trailing axes; Keras takes their positions, "
                   "not their shape")
BARE = fix(False, "the op is the bare normalization: no learned scale or shift")
RNGS = fix("nnx.Rngs(0)", "flax.nnx layers need an Rngs to build; their initial scale 1 and offset 0 do "
           "not depend on it")
CHANNELS = fix(-1, "the channels of [N, C] are its last axis; the running statistics are per channel")


def _standardize(r, x, axes, eps):  # type: ignore[no-untyped-def]
    xp = r.xp
    mean = xp.mean(x, axis=axes, keepdims=True)
    var = xp.mean((x - mean) ** 2, axis=axes, keepdims=True)
    return (x - mean) / xp.sqrt(var + eps)


def _need_2d(name, x):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import ShapeMismatch

    if x.ndim != 2:
        raise ShapeMismatch(f"{name} is declared for [N, C] inputs, got {list(x.shape)}")


def _batch_norm(r, x, epsilon):  # type: ignore[no-untyped-def]
    _need_2d("batch_norm", x)
    return _standardize(r, x, (0,), epsilon)


def _batch_norm_inference(r, x, running_mean, running_var, epsilon):  # type: ignore[no-untyped-def]
    return (x - running_mean) / r.xp.sqrt(running_var + epsilon)


def _layer_norm(r, x, normalized_shape, epsilon):  # type: ignore[no-untyped-def]
    n = len(normalized_shape)
    return _standardize(r, x, tuple(range(x.ndim - n, x.ndim)), epsilon)


def _group_norm(r, x, num_groups, epsilon):  # type: ignore[no-untyped-def]
    from oracle.ops.refctx import ShapeMismatch

    if x.ndim < 2:
        raise ShapeMismatch(f"group_norm is declared for [N, C, ...] inputs, got {list(x.shape)}")
    n, c = x.shape[:2]
    if c % num_groups:
        raise ShapeMismatch(f"group_norm: {c} channels do not divide into {num_groups} groups")
    # channels first, as torch: a group's statistics cover its channels and every axis after them
    g = r.xp.reshape(x, (n, num_groups, -1))
    return r.xp.reshape(_standardize(r, g, (2,), epsilon), x.shape)


def _instance_norm(r, x, epsilon):  # type: ignore[no-untyped-def]
    return _standardize(r, x, tuple(range(2, x.ndim)), epsilon)


def _rms_norm(r, x, normalized_shape, epsilon):  # type: ignore[no-untyped-def]
    xp = r.xp
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    return x / xp.sqrt(xp.mean(x ** 2, axis=axes, keepdims=True) + epsilon)


def _l2_normalize(r, x, axis, epsilon):  # type: ignore[no-untyped-def]
    xp = r.xp
    sumsq = xp.sum(x ** 2, axis=r.axis(axis), keepdims=True)
    return x / xp.sqrt(xp.maximum(sumsq, epsilon ** 2))


def _lrn(r, x, size, alpha, beta, k):  # type: ignore[no-untyped-def]
    xp = r.xp
    sq = x ** 2
    c = x.shape[1]
    before, after = size // 2, (size - 1) // 2
    pad = [(0, 0)] * x.ndim
    pad[1] = (before, after)
    padded = xp.pad(sq, pad)
    window = sum(padded[:, i:i + c] for i in range(size))
    return x / (k + alpha / size * window) ** beta


OPS = [
    op("batch_norm", "normalization", "x",
       "training-mode batch normalization of [N, C]: (x - mean) / sqrt(var + epsilon) with the batch's mean "
       "and biased variance per channel; no scale or shift", _batch_norm, attrs={"epsilon": EPS},
       torch=call("torch.nn.functional.batch_norm", args=("x", None, None), fixed={"training": TRAINING},
                  epsilon="eps"),
       tensorflow=expression("keras.layers.BatchNormalization(epsilon=epsilon)(x, training=training)",
                            fixed={"training": TRAINING}),
       jax=expression("flax.nnx.BatchNorm(x.shape[-1], use_running_average=use_running_average, "
                     "use_bias=use_bias, use_scale=use_scale, epsilon=epsilon, rngs=flax.nnx.Rngs(0))(x)",
                     fixed={"use_running_average": fix(False, "the op is training mode: the batch's statistics"),
                            "use_bias": BARE, "use_scale": BARE, "rngs": RNGS})),
    op("batch_norm_inference", "normalization", ("x", Arg("running_mean"), Arg("running_var", domain="positive")),
       "inference-mode batch normalization of [N, C] with given running statistics: "
       "(x - running_mean) / sqrt(running_var + epsilon)", _batch_norm_inference, attrs={"epsilon": EPS},
       torch=call("torch.nn.functional.batch_norm", fixed={"training": INFERENCE},
                  epsilon="eps"),
       tensorflow=call("keras.ops.batch_normalization", args=("x", "running_mean", "running_var"),
                       fixed={"axis": CHANNELS}, epsilon="epsilon"),
       jax=call("jax.nn.standardize", args=("x", "mean=running_mean", "variance=running_var"), fixed={"axis": CHANNELS},
                epsilon="epsilon")),
    op("layer_norm", "normalization", "x",
       "(x - mean) / sqrt(var + epsilon) over the trailing axes named by normalized_shape (biased variance); "
       "no scale or shift", _layer_norm,
       attrs={"normalized_shape": Attr("shape", REQUIRED, doc="the trailing shape normalised (torch's argument)"),
              "epsilon": EPS},
       torch=call("torch.nn.functional.layer_norm", normalized_shape=kw("normalized_shape", positional=True),
                  epsilon="eps"),
       tensorflow=call("keras.ops.layer_normalization", infers=("normalized_shape",), epsilon="epsilon"),
       jax=expression("flax.nnx.LayerNorm(x.shape[-1], use_bias=use_bias, use_scale=use_scale, epsilon=epsilon, "
                     "rngs=flax.nnx.Rngs(0))(x)", fixed={"use_bias": BARE, "use_scale": BARE, "rngs": RNGS})),
    op("group_norm", "normalization", "x",
       "x [N, C, ...] (channels first): channels split into num_groups groups; each group of each sample "
       "standardised over its channels and the axes after them (biased variance)",
       _group_norm,
       attrs={"num_groups": Attr("int", REQUIRED, low=1), "epsilon": EPS},
       torch=call("torch.nn.functional.group_norm", num_groups=kw("num_groups", positional=True), epsilon="eps"),
       tensorflow=construct("keras.layers.GroupNormalization", num_groups="groups", epsilon="epsilon"),
       jax=expression("flax.nnx.GroupNorm(x.shape[-1], num_groups=num_groups, use_bias=use_bias, "
                     "use_scale=use_scale, epsilon=epsilon, rngs=flax.nnx.Rngs(0))(x)",
                     fixed={"use_bias": BARE, "use_scale": BARE, "rngs": RNGS})),
    op("instance_norm", "normalization", "x",
       "[N, C, L...] channels first: each (sample, channel) standardised over the spatial axes", _instance_norm,
       attrs={"epsilon": EPS},
       torch=call("torch.nn.functional.instance_norm", epsilon="eps"),
       tensorflow=none("Keras 3 has no instance-normalization layer or function (GroupNormalization with groups=C "
                       "is the documented substitute, channels last)"),
       jax=expression("jnp.moveaxis(flax.nnx.InstanceNorm(x.shape[1], use_bias=use_bias, use_scale=use_scale, "
                     "epsilon=epsilon, rngs=flax.nnx.Rngs(0))(jnp.moveaxis(x, 1, -1)), -1, 1)",
                     fixed={"use_bias": BARE, "use_scale": BARE, "rngs": RNGS})),
    op("rms_norm", "normalization", "x", "x / sqrt(mean(x^2 over the trailing axes named by normalized_shape) + "
       "epsilon); no scale (cases normalise the last axis only, which is all Keras and flax.nnx express here)",
       _rms_norm,
       attrs={"normalized_shape": Attr("shape", REQUIRED, doc="the trailing shape normalised (torch's argument)"),
              "epsilon": EPS},
       torch=call("torch.nn.functional.rms_norm", normalized_shape=kw("normalized_shape", positional=True),
                  epsilon="eps"),
       tensorflow=call("keras.ops.rms_normalization", fixed={"axis": TRAILING}, infers=("normalized_shape",),
                       epsilon="epsilon"),
       jax=expression("flax.nnx.RMSNorm(x.shape[-1], use_scale=use_scale, epsilon=epsilon, rngs=flax.nnx.Rngs(0))(x)",
                     fixed={"use_scale": BARE, "rngs": RNGS})),
    op("l2_normalize", "normalization", "x",
       "x / max(||x||_2, epsilon) along `axis` (written x / sqrt(max(sum x^2, epsilon^2)))", _l2_normalize,
       attrs={"axis": Attr("axes", reference=-1, doc="the axis normalised; the reference uses the last when unpinned"),
              "epsilon": Attr("float", reference=1e-12, low=0.0,
                              doc="lower bound on the norm; the reference uses 1e-12 when unpinned")},
       conventions="a norm below epsilon is replaced by epsilon (gradient through the bound: 0 there)",
       torch=call("torch.nn.functional.normalize", axis="dim", epsilon="eps"),
       tensorflow=call("tf.math.l2_normalize", axis="axis", epsilon="epsilon"),
       jax=none("jax.numpy / jax.nn / optax have no L2-normalize function")),
    op("local_response_norm", "normalization", "x",
       "[N, C, L...] channels first: x / (k + alpha / size * sum of x^2 over a window of `size` channels)^beta "
       "(window: size // 2 before, (size - 1) // 2 after, zero-padded)", _lrn,
       attrs={"size": Attr("int", REQUIRED, low=1), "alpha": Attr("float", reference=1e-4),
              "beta": Attr("float", reference=0.75), "k": Attr("float", reference=1.0)},
       torch=call("torch.nn.functional.local_response_norm", size="size", alpha="alpha", beta="beta", k="k"),
       tensorflow=none("tf.nn.local_response_normalization takes depth_radius and a summed (not averaged) alpha on "
                       "4-D channels-last input: no keyword maps to torch's size/alpha"),
       jax=none("jax and flax.nnx have no local response normalization")),
]


# ---- forms: the layer beside the function (`F.layer_norm` / `nn.LayerNorm`, `keras.ops.layer_normalization` /
# `keras.layers.LayerNormalization`); a layer's own weights start at ones and zeros, so it computes the function
_BY_NAME = {d.name: d for d in OPS}
OPS = with_forms(OPS, "torch", "module", {
    "layer_norm": retarget(_BY_NAME["layer_norm"].torch, "torch.nn.LayerNorm", kind="construct"),
    "rms_norm": retarget(_BY_NAME["rms_norm"].torch, "torch.nn.RMSNorm", kind="construct")})
OPS = with_forms(OPS, "tensorflow", "layer", {
    "layer_norm": retarget(_BY_NAME["layer_norm"].tensorflow, "keras.layers.LayerNormalization", kind="construct")})
OPS = with_forms(OPS, "tensorflow", "keras.ops", {
    "l2_normalize": retarget(_BY_NAME["l2_normalize"].tensorflow, "keras.ops.normalize")})
