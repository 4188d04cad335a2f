"""Convolution and normalization layers built from one set of canonical weights (oracle/ops/layer_weights.py).

Layouts are channels-last, as Keras and flax build these layers: x [batch, *spatial, channels], a conv
kernel [*kernel, channels / groups, filters] and a bias [filters]; a normalization layer's gamma and beta
are [channels]. torch's modules are channels-first: its binding moves the channel axis in and out, and its
weight is the kernel permuted to [filters, channels / groups, *kernel].
"""

from __future__ import annotations

from typing import Any

from oracle.ops.conv import _conv_transpose_nd, _correlate, _same
from oracle.ops.layer_weights import LayerWeights, mapping_text
from oracle.ops.refctx import Undefined
from oracle.ops.spec import FRAMEWORK, REQUIRED, Attr, custom, fix, op

_MODES = {"zeros": "constant", "reflect": "reflect", "circular": "wrap"}


def _conv(r: Any, x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str = "valid", dilation: int = 1,
          groups: int = 1, padding_mode: str = "zeros") -> Any:
    """Cross-correlation, channels-last, with `groups` independent channel groups; 'same': ceil(size / stride)
    outputs, the odd unit of padding at the end; 'causal' (1-D): dilation * (k - 1) on the left only;
    padding_mode fills the padding with zeros, a reflection (edge excluded) or the other end (circular)."""
    xp, nd = r.xp, x.ndim - 2
    if padding == "causal" and nd != 1:
        raise ValueError("causal padding is defined for 1-D convolutions only")
    k = kernel.shape[:nd]
    if padding == "same":
        totals = [_same(x.shape[1 + d], k[d], strides, dilation) for d in range(nd)]
        pads = [(t // 2, t - t // 2) for t in totals]
    elif padding == "causal":
        pads = [(dilation * (k[0] - 1), 0)]
    else:
        pads = [(0, 0)] * nd
    x = xp.pad(x, [(0, 0), *pads, (0, 0)], mode=_MODES[padding_mode])
    first = xp.moveaxis(x, -1, 1)  # [N, C, *S] for the shared correlation
    w = xp.moveaxis(xp.moveaxis(kernel, -1, 0), -1, 1)  # [O, C / groups, *k]
    per_in, per_out = x.shape[-1] // groups, kernel.shape[-1] // groups
    outs = [_correlate(r, first[:, g * per_in:(g + 1) * per_in], w[g * per_out:(g + 1) * per_out], strides,
                       [(0, 0)] * nd, dilation) for g in range(groups)]
    return xp.moveaxis(xp.concatenate(outs, axis=1), 1, -1) + bias


def _spread(xp: Any, a: Any, axis: int, d: int) -> Any:
    """d - 1 zeros between neighbours along `axis` (a dilated kernel, or an input spread by a stride)."""
    if d == 1:
        return a
    moved = xp.moveaxis(a, axis, -1)
    n = moved.shape[-1]
    z = xp.zeros(moved.shape + (d - 1,), dtype=a.dtype)
    spread = xp.concatenate([moved[..., None], z], axis=-1).reshape(moved.shape[:-1] + (n * d,))
    return xp.moveaxis(spread[..., :(n - 1) * d + 1], -1, axis)


def _conv_transpose(r: Any, x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str = "valid",
                    dilation: int = 1) -> Any:
    """The gradient of the convolution with kernel [*k, filters, channels] (Keras' transposed layout) with respect
    to its input, channels-last: 'valid' gives (n - 1) * strides + dilation * (k - 1) + 1 outputs per axis,
    'same' n * strides, cropped as the forward convolution's 'same' padding (the odd unit at the end)."""
    xp, nd = r.xp, x.ndim - 2
    w = xp.moveaxis(xp.moveaxis(kernel, -1, 0), -1, 1)  # [channels, filters, *k], as the shared formula takes
    for axis in range(2, 2 + nd):
        w = _spread(xp, w, axis, dilation)
    full = _conv_transpose_nd(nd)(r, xp.moveaxis(x, -1, 1), w, strides, 0, 0)
    if padding == "same":
        crops = [w.shape[2 + d] - strides for d in range(nd)]
        if min(crops) < 0:
            raise Undefined("'same' with a kernel narrower than the stride: the forward convolution's padding "
                            "would be negative")
        full = full[(slice(None), slice(None)) + tuple(slice(c // 2, c // 2 + x.shape[1 + d] * strides)
                                                       for d, c in enumerate(crops))]
    return xp.moveaxis(full, 1, -1) + bias


def _group_norm(r: Any, x: Any, gamma: Any, beta: Any, groups: int, epsilon: float) -> Any:
    """Channels-last x [N, *S, C]: mean and biased variance over the spatial axes and the C / groups channels of
    each group; (x - mean) / sqrt(var + epsilon) * gamma + beta."""
    xp = r.xp
    grouped = x.reshape(*x.shape[:-1], groups, x.shape[-1] // groups)
    axes = (*range(1, x.ndim - 1), x.ndim)
    mean = xp.mean(grouped, axis=axes, keepdims=True)
    var = xp.mean((grouped - mean) ** 2, axis=axes, keepdims=True)
    return ((grouped - mean) / xp.sqrt(var + epsilon)).reshape(x.shape) * gamma + beta


def _layer_norm(r: Any, x: Any, gamma: Any, beta: Any, epsilon: float) -> Any:
    """Over the last (channel) axis: (x - mean) / sqrt(var + epsilon) * gamma + beta, biased variance."""
    xp = r.xp
    mean = xp.mean(x, axis=-1, keepdims=True)
    var = xp.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) / xp.sqrt(var + epsilon) * gamma + beta


def _batch_norm(r: Any, x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, training: bool,
                momentum: float = 0.1, epsilon: float = 1e-5) -> Any:
    """Channels-last x [N, *S, C]. Training: normalized by the batch's mean and biased variance over every axis but
    the last, and the moving statistics become (1 - momentum) * moving + momentum * batch, the variance's batch term
    the unbiased one (n / (n - 1)); inference: normalized by the moving statistics, which stay. Then * gamma + beta.
    Returns y and the moving mean and variance after the call."""
    xp = r.xp
    if not training:
        return (x - moving_mean) / xp.sqrt(moving_var + epsilon) * gamma + beta, moving_mean, moving_var
    axes = tuple(range(x.ndim - 1))
    n = x.size // x.shape[-1]
    mean = xp.mean(x, axis=axes)
    var = xp.mean((x - mean) ** 2, axis=axes)
    y = (x - mean) / xp.sqrt(var + epsilon) * gamma + beta
    return (y, (1 - momentum) * moving_mean + momentum * mean,
            (1 - momentum) * moving_var + momentum * var * n / (n - 1))


def spatial_rank(x: Any, kernel: Any) -> int:
    """The spatial rank of a channels-last input, which the kernel must share (an input error otherwise); the
    adapters ask it before choosing a framework's 1-, 2- or 3-D layer."""
    nd = len(x.shape) - 2
    if nd not in (1, 2, 3) or len(kernel.shape) != nd + 2:
        raise ValueError(f"a convolution layer needs x of rank 3 to 5 and a kernel of the same rank, got "
                         f"{len(x.shape)} and {len(kernel.shape)}")
    return nd


def _torch_kernel(nd: int) -> tuple[Any, ...]:
    return ("permute", "kernel", (nd + 1, nd, *range(nd)))


CONV = {"kernel": "[*kernel, channels / groups, filters]", "bias": "[filters]"}
NORM = {"gamma": "[channels], the scale", "beta": "[channels], the offset"}
WEIGHTS: dict[str, LayerWeights] = {
    f"conv{nd}d_layer": LayerWeights(CONV, {
        "torch": {"weight": _torch_kernel(nd), "bias": "bias"}, "tensorflow": {"kernel": "kernel", "bias": "bias"},
        "jax": {"kernel": "kernel", "bias": "bias"}}) for nd in (1, 2, 3)}
WEIGHTS |= {f"conv_transpose{nd}d_layer": LayerWeights(
    {"kernel": "[*kernel, filters, channels] (Keras' transposed layout)", "bias": "[filters]"}, {
        # torch's ConvTranspose weight is [channels, filters, *k]; flax's, with transpose_kernel=True, is Keras'
        "torch": {"weight": _torch_kernel(nd), "bias": "bias"}, "tensorflow": {"kernel": "kernel", "bias": "bias"},
        "jax": {"kernel": "kernel", "bias": "bias"}}) for nd in (1, 2, 3)}
WEIGHTS |= {name: LayerWeights(NORM, {"torch": {"weight": "gamma", "bias": "beta"},
                                      "tensorflow": {"gamma": "gamma", "beta": "beta"},
                                      "jax": {"scale": "gamma", "bias": "beta"}})
            for name in ("layer_norm_layer", "group_norm_layer", "instance_norm_layer")}
WEIGHTS["batch_norm_canonical_layer"] = LayerWeights(
    NORM | {"moving_mean": "[channels], the running mean the layer holds", "moving_var": "[channels], the running "
            "variance"},
    {"torch": {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_var"},
     "tensorflow": {"gamma": "gamma", "beta": "beta", "moving_mean": "moving_mean", "moving_variance": "moving_var"},
     # flax.linen keeps the moving statistics in their own collection, batch_stats, beside params
     "jax": {"params/scale": "gamma", "params/bias": "beta", "batch_stats/mean": "moving_mean",
             "batch_stats/var": "moving_var"}})


def _shown(layer: str, fw: str) -> str:
    return mapping_text(WEIGHTS[layer], fw).replace("{", "{{").replace("}", "}}")


_EPSILON = Attr("float", FRAMEWORK, low=0, reference=1e-5,
                doc="the reference: 1e-5 when unpinned (torch's default; Keras' is 1e-3, flax's 1e-6)")
_CHANNELS_FIRST = fix(True, "torch's modules are channels-first: x is moved to [N, C, *S] and back")


def _conv_op(nd: int) -> Any:
    name, torch_cls, keras_cls = f"conv{nd}d_layer", f"torch.nn.Conv{nd}d", f"keras.layers.Conv{nd}D"
    return op(
        name, "layers", "x kernel bias",
        f"a {nd}-D convolution layer (channels-last x [N, *S, C]) holding kernel [*k, C / groups, filters] and "
        "bias; strides, dilation and groups as each layer takes them; padding valid | same | causal (1-D)",
        _conv,
        attrs={"strides": Attr("int", 1, low=1), "dilation": Attr("int", 1, low=1), "groups": Attr("int", 1, low=1),
               "padding": Attr("str", FRAMEWORK, choices=("valid", "same", "causal"), reference="valid",
                               doc="the reference: valid when unpinned (torch's and Keras' default; flax.linen.Conv's "
                                   "is SAME)"),
               "padding_mode": Attr("str", "zeros", choices=("zeros", "reflect", "circular"),
                                    doc="torch's padding_mode; flax's padding CIRCULAR; Keras pads with zeros only")},
        conventions="'same' puts the odd unit of padding at the end; 'reflect' excludes the edge",
        torch=custom(f"torch_{name}", f"torch.func.functional_call({torch_cls}(C, filters, k, stride={{strides}}, "
                     f"padding={{padding}}, dilation={{dilation}}, groups={{groups}}, padding_mode={{padding_mode}}), "
                     f"{_shown(name, 'torch')}, ({{x}}.movedim(-1, 1),)).movedim(1, -1)",
                     fixed={"channels_first": _CHANNELS_FIRST}),
        tensorflow=custom(f"keras_{name}", f"{keras_cls}(filters, k, strides={{strides}}, padding={{padding}}, "
                          f"dilation_rate={{dilation}}, groups={{groups}}).stateless_call({_shown(name, 'tensorflow')}, "
                          "[], {x})"),
        jax=custom(f"linen_{name}", f"flax.linen.Conv(filters, k, strides={{strides}}, padding={{padding}}.upper() "
                   f"(CIRCULAR for padding_mode circular), kernel_dilation={{dilation}}, feature_group_count={{groups}})"
                   f".apply({{{{'params': {_shown(name, 'jax')}}}}}, {{x}})"))


def _conv_transpose_op(nd: int) -> Any:
    name = f"conv_transpose{nd}d_layer"
    return op(
        name, "layers", "x kernel bias",
        f"a {nd}-D transposed convolution layer (channels-last) holding kernel [*k, filters, C] and bias: the gradient "
        "of the convolution with respect to its input; padding valid | same (n * strides outputs)", _conv_transpose,
        attrs={"strides": Attr("int", 1, low=1), "dilation": Attr("int", 1, low=1),
               "padding": Attr("str", "valid", choices=("valid", "same"),
                               doc="torch: valid is padding=0; 'same' is passed as users pass it")},
        conventions="'same' crops the full output as the forward convolution's 'same' pads (the odd unit at the end)",
        torch=custom(f"torch_{name}", f"torch.func.functional_call(torch.nn.ConvTranspose{nd}d(C, filters, k, "
                     f"stride={{strides}}, dilation={{dilation}}; padding 0 for valid, the string for same), "
                     f"{_shown(name, 'torch')}, ({{x}}.movedim(-1, 1),)).movedim(1, -1)",
                     fixed={"channels_first": _CHANNELS_FIRST}),
        tensorflow=custom(f"keras_{name}", f"keras.layers.Conv{nd}DTranspose(filters, k, strides={{strides}}, "
                          f"padding={{padding}}, dilation_rate={{dilation}}).stateless_call("
                          f"{_shown(name, 'tensorflow')}, [], {{x}})"),
        jax=custom(f"linen_{name}", f"flax.linen.ConvTranspose(filters, k, strides={{strides}}, padding={{padding}}"
                   f".upper(), kernel_dilation={{dilation}}, transpose_kernel=True).apply({{{{'params': "
                   f"{_shown(name, 'jax')}}}}}, {{x}})",
                   fixed={"transpose_kernel": fix(True, "the canonical kernel computes the convolution's gradient, as "
                                                  "torch and Keras do; flax's default (False) applies it unflipped")}))


OPS = [_conv_op(nd) for nd in (1, 2, 3)] + [_conv_transpose_op(nd) for nd in (1, 2, 3)]
OPS += [
    op("layer_norm_layer", "layers", "x gamma beta", "a layer-normalization layer over the last axis holding gamma and "
       "beta [channels]", _layer_norm, attrs={"epsilon": _EPSILON},
       torch=custom("torch_layer_norm_layer", "torch.func.functional_call(torch.nn.LayerNorm(C, eps={epsilon}), "
                    f"{_shown('layer_norm_layer', 'torch')}, ({{x}},))"),
       tensorflow=custom("keras_layer_norm_layer", "keras.layers.LayerNormalization(epsilon={epsilon}).stateless_call("
                         f"{_shown('layer_norm_layer', 'tensorflow')} in the layer's variable order, [], {{x}})"),
       jax=custom("linen_layer_norm_layer", "flax.linen.LayerNorm(epsilon={epsilon}).apply({{'params': "
                  f"{_shown('layer_norm_layer', 'jax')}}}}}, {{x}})")),
    op("group_norm_layer", "layers", "x gamma beta", "a group-normalization layer (channels-last x [N, *S, C]) with "
       "`groups` channel groups holding gamma and beta [channels]", _group_norm,
       attrs={"groups": Attr("int", REQUIRED, low=1), "epsilon": _EPSILON},
       torch=custom("torch_group_norm_layer", "torch.func.functional_call(torch.nn.GroupNorm({groups}, C, "
                    f"eps={{epsilon}}), {_shown('group_norm_layer', 'torch')}, ({{x}}.movedim(-1, 1),)).movedim(1, -1)",
                    fixed={"channels_first": _CHANNELS_FIRST}),
       tensorflow=custom("keras_group_norm_layer", "keras.layers.GroupNormalization({groups}, epsilon={epsilon})"
                         f".stateless_call({_shown('group_norm_layer', 'tensorflow')} in the layer's variable order, "
                         "[], {x})"),
       jax=custom("linen_group_norm_layer", "flax.linen.GroupNorm({groups}, epsilon={epsilon}).apply({{'params': "
                  f"{_shown('group_norm_layer', 'jax')}}}}}, {{x}})")),
    op("instance_norm_layer", "layers", "x gamma beta", "an instance-normalization layer (channels-last x [N, *S, C]): "
       "each channel of each sample normalized over the spatial axes, holding gamma and beta [channels]",
       lambda r, x, gamma, beta, epsilon: _group_norm(r, x, gamma, beta, x.shape[-1], epsilon),
       attrs={"epsilon": _EPSILON},
       torch=custom("torch_instance_norm_layer", "torch.func.functional_call(torch.nn.InstanceNorm1d/2d/3d(C, "
                    f"eps={{epsilon}}, affine=True), {_shown('instance_norm_layer', 'torch')}, ({{x}}.movedim(-1, 1),))"
                    ".movedim(1, -1)",
                    fixed={"affine": fix(True, "the canonical gamma and beta need the module's affine parameters "
                                         "(torch's default is affine=False: no weights)"),
                           "channels_first": _CHANNELS_FIRST}),
       tensorflow=custom("keras_instance_norm_layer", "keras.layers.GroupNormalization(groups=-1, epsilon={epsilon})"
                         f".stateless_call({_shown('instance_norm_layer', 'tensorflow')} in the layer's variable order, "
                         "[], {x})",
                         fixed={"groups": fix(-1, "Keras 3 has no InstanceNormalization layer: its GroupNormalization "
                                              "documents groups=-1 (one group per channel) as instance normalization")}),
       jax=custom("linen_instance_norm_layer", "flax.linen.InstanceNorm(epsilon={epsilon}).apply({{'params': "
                  f"{_shown('instance_norm_layer', 'jax')}}}}}, {{x}})")),
]

OPS.append(op(
    "batch_norm_canonical_layer", "layers", "x gamma beta moving_mean moving_var", "a batch-normalization layer "
    "(channels-last x [N, *S, C]) holding gamma, beta and its moving mean and variance [channels], called once in "
    "training or inference mode: y, and the moving mean and variance after the call", _batch_norm,
    outputs=("y", "mean", "var"),
    attrs={"training": Attr("bool", REQUIRED),
           "momentum": Attr("float", FRAMEWORK, low=0, high=1, reference=0.1,
                            doc="the reference: the weight of the new batch, 0.1 when unpinned (torch's meaning and "
                                "default; Keras' and flax's momentum is the weight of the old statistics, default "
                                "0.99)"),
           "epsilon": _EPSILON},
    conventions="moving = (1 - momentum) * moving + momentum * batch; the batch variance in the update is unbiased",
    torch=custom("torch_batch_norm_canonical_layer", "m = torch.nn.BatchNorm1d/2d/3d(C, momentum={momentum}, "
                 "eps={epsilon}); m.train({training}); state = "
                 f"{_shown('batch_norm_canonical_layer', 'torch')}; torch.func.functional_call(m, state, "
                 "({x}.movedim(-1, 1),)).movedim(1, -1), state['running_mean'], state['running_var'] (updated in "
                 "place)", fixed={"channels_first": _CHANNELS_FIRST}),
    tensorflow=custom("keras_batch_norm_canonical_layer", "keras.layers.BatchNormalization(momentum={momentum}, "
                      "epsilon={epsilon}).stateless_call([gamma, beta], [moving_mean, moving_variance] of "
                      f"{_shown('batch_norm_canonical_layer', 'tensorflow')}, {{x}}, training={{training}}): y and "
                      "the new non-trainable variables"),
    jax=custom("linen_batch_norm_canonical_layer", "flax.linen.BatchNorm(use_running_average=not {training}, "
               "momentum={momentum}, epsilon={epsilon}).apply("
               f"{_shown('batch_norm_canonical_layer', 'jax')} as a variables tree, {{x}}, mutable=['batch_stats'])",
               fixed={"mutable": fix(["batch_stats"], "linen returns the moving statistics after the call only when "
                                     "their collection is mutable (an inference call leaves them as they were)")})))
