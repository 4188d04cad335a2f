"""The JAX column's convolution and normalization layers from canonical weights (oracle/ops/conv_layers.py):
flax.linen modules, channels-last, applied to the mapped weights (Module.apply with a params tree)."""

from __future__ import annotations

import functools
from typing import Any, Callable

from adapters.jax_layers import _apply, _flat, _nested, _ops
from oracle.ops.conv_layers import spatial_rank
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS


def _pinned(**options: Any) -> dict[str, Any]:
    """Only what the case pinned: an unpinned attribute keeps flax's own default."""
    return {k: v for k, v in options.items() if v is not None}


def conv(x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str | None = None, dilation: int = 1,
         groups: int = 1, padding_mode: str = "zeros") -> Any:
    """Canonical weights mapped onto flax.linen.Conv's parameter tree, its padding mode spelled as its padding."""
    from flax import linen

    nd = spatial_rank(x, kernel)
    # flax names a padding mode as the padding itself: CIRCULAR or REFLECT, each of 'same' size
    named = {"zeros": None, "circular": "CIRCULAR", "reflect": "REFLECT"}[padding_mode]
    spelled = named if named and padding == "same" else (padding.upper() if padding else None)
    module = linen.Conv(kernel.shape[-1], tuple(kernel.shape[:nd]), strides=strides, kernel_dilation=dilation,
                        feature_group_count=groups, param_dtype=kernel.dtype, **_pinned(padding=spelled))
    return _apply(f"conv{nd}d_layer", module, {"kernel": kernel, "bias": bias}, x)


def _norm(name: str, cls: str, x: Any, gamma: Any, beta: Any, epsilon: float | None = None, **sizes: int) -> Any:
    """Canonical weights mapped onto flax.linen.<cls>'s parameter tree (sizes such as GroupNorm's groups passed
    first, positionally, as flax names them otherwise), applied by Module.apply."""
    from flax import linen

    module = getattr(linen, cls)(*sizes.values(), param_dtype=gamma.dtype, **_pinned(epsilon=epsilon))
    return _apply(name, module, {"gamma": gamma, "beta": beta}, x)


def batch_norm(x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, training: bool,
               momentum: float | None = None, epsilon: float | None = None) -> Any:
    """Canonical weights and moving statistics mapped onto flax.linen.BatchNorm's params and batch_stats
    collections, applied with the batch_stats mutable, which returns them after the call."""
    import jax
    from flax import linen

    module = linen.BatchNorm(use_running_average=not training, param_dtype=gamma.dtype,
                             **_pinned(momentum=momentum, epsilon=epsilon))
    shapes = jax.eval_shape(lambda: module.init(jax.random.PRNGKey(0), x))
    names = [f"{collection}/{name}" for collection in shapes for name in _flat(shapes[collection])]
    canon = {"gamma": gamma, "beta": beta, "moving_mean": moving_mean, "moving_var": moving_var}
    variables = _nested(native_params(WEIGHTS["batch_norm_canonical_layer"], "jax", canon, names, _ops()))
    y, after = module.apply(variables, x, mutable=["batch_stats"])
    return y, after["batch_stats"]["mean"], after["batch_stats"]["var"]


CUSTOM: dict[str, Callable[..., Any]] = {
    **{f"linen_conv{nd}d_layer": conv for nd in (1, 2, 3)},
    **{f"linen_{name}": functools.partial(_norm, name, cls) for name, cls in (
        ("layer_norm_layer", "LayerNorm"), ("group_norm_layer", "GroupNorm"), ("instance_norm_layer", "InstanceNorm"))},
    "linen_batch_norm_canonical_layer": batch_norm,
}


def conv_transpose(x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str = "valid",
                   dilation: int = 1) -> Any:
    """Canonical weights mapped onto flax.linen.ConvTranspose's parameter tree, the rank read from x and kernel."""
    from flax import linen

    nd = spatial_rank(x, kernel)
    # transpose_kernel=True: the kernel as torch and Keras apply it (declared fixed in the op, with the reason)
    module = linen.ConvTranspose(kernel.shape[-2], tuple(kernel.shape[:nd]), strides=(strides,) * nd,
                                 padding=padding.upper(), kernel_dilation=(dilation,) * nd, transpose_kernel=True,
                                 param_dtype=kernel.dtype)
    return _apply(f"conv_transpose{nd}d_layer", module, {"kernel": kernel, "bias": bias}, x)


CUSTOM.update({f"linen_conv_transpose{nd}d_layer": conv_transpose for nd in (1, 2, 3)})
