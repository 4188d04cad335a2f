"""The JAX column's custom bindings for the linalg, conv and optimizer families (optax, jax.image, flax.nnx)."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from adapters.jax_optim import CUSTOM as _OPTIM
from adapters.jax_optim import STEP_FUNCTIONS, optimizer_step
from oracle.native import Made, as_made, shown_call
from oracle.request import Unsupported


def _tx_update(tx: Any, grads: Any) -> Any:
    return tx.update(grads, tx.init(grads))[0]


def _schedule(name: str, step: Any, *args: Any, **kwargs: Any) -> Made:
    """optax.<name>(*args, **kwargs)(step), recorded with the values passed."""
    import optax

    text = shown_call(f"optax.{name}", args, kwargs) + "({step})"
    return Made(as_made(lambda: getattr(optax, name)(*args, **kwargs)(step), text), text, {})


def step_decay_schedule(step: Any, learning_rate: float, step_size: int, **hp: Any) -> Made:
    """gamma is exponential_decay's decay_rate, which has no default: unpinned, it is not passed."""
    extra = (hp["gamma"],) if "gamma" in hp else ()
    return _schedule("exponential_decay", step, learning_rate, step_size, *extra, staircase=True)


def cosine_decay_schedule(step: Any, learning_rate: float, decay_steps: int, **hp: Any) -> Made:
    import optax

    made = _schedule("cosine_decay_schedule", step, learning_rate, decay_steps, **hp)
    if "alpha" not in hp:
        made.defaults["alpha"] = f"alpha={inspect.signature(optax.cosine_decay_schedule).parameters['alpha'].default!r}"
    return made


def _optax(name: str) -> Any:
    import optax

    return getattr(optax, name)


def _conv(x: Any, w: Any, strides: Any, padding: Any, spec: tuple[str, str, str], **kw: Any) -> Any:
    import jax

    return jax.lax.conv_general_dilated(x, w, strides, padding, dimension_numbers=spec, **kw)


def conv_transpose(x: Any, w: Any, stride: int, padding: int, output_padding: int) -> Any:
    """jax.lax.conv_transpose over the spatial axes of [N, C, ...] (1-D or 2-D), torch's padding as k - 1 - p."""
    import jax

    spatial = x.ndim - 2
    pads = [(k - 1 - padding, k - 1 - padding + output_padding) for k in w.shape[2:]]
    layout = ("NCH", "OIH", "NCH") if spatial == 1 else ("NCHW", "OIHW", "NCHW")
    return jax.lax.conv_transpose(x, w, (stride,) * spatial, pads, dimension_numbers=layout, transpose_kernel=True)


def _channels_last(pool: Any, x: Any, kernel_size: int, stride: int | None, padding: int, **kw: Any) -> Any:
    """A flax.nnx pool over the spatial axes of [N, C, ...]: nnx pools channels-last, so C moves last and back."""
    import jax.numpy as jnp

    spatial = x.ndim - 2
    extra = {} if stride is None else {"strides": (stride,) * spatial}
    pad = ((padding, padding),) * spatial if padding else "VALID"
    last = (0, *range(2, x.ndim), 1)
    y = pool(jnp.transpose(x, last), (kernel_size,) * spatial, padding=pad, **extra, **kw)
    return jnp.transpose(y, (0, x.ndim - 1, *range(1, x.ndim - 1)))


def max_pool(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False) -> Any:
    from flax import nnx

    if ceil_mode:
        raise Unsupported("flax.nnx.max_pool has no ceil_mode")
    return _channels_last(nnx.max_pool, x, kernel_size, stride, padding)


def avg_pool(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, **hp: Any) -> Any:
    from flax import nnx

    return _channels_last(nnx.avg_pool, x, kernel_size, stride, padding, **hp)


def resize(x: Any, size: list[int], method: str, **hp: Any) -> Any:
    import jax

    if hp.get("align_corners"):
        raise Unsupported("jax.image.resize has no align_corners: half-pixel centres only")
    extra = {"antialias": hp["antialias"]} if "antialias" in hp else {}
    return jax.image.resize(x, tuple(x.shape[:2]) + tuple(size), method=method, **extra)


CUSTOM: dict[str, Callable[..., Any]] = {
    "conv1d_ncw": lambda x, w, stride, padding: _conv(x, w, (stride,), padding.upper(), ("NCH", "OIH", "NCH")),
    "conv3d_ncdhw": lambda x, w, stride, padding: _conv(x, w, (stride,) * 3, padding.upper(),
                                                        ("NCDHW", "OIDHW", "NCDHW")),
    "conv2d_padded_nchw": lambda x, w, stride, padding, dilation: _conv(
        x, w, (stride, stride), [(padding, padding)] * 2, ("NCHW", "OIHW", "NCHW"), rhs_dilation=(dilation, dilation)),
    "conv_transpose2d_nchw": conv_transpose, "conv_transpose1d_ncw": conv_transpose,
    "depthwise_conv2d": lambda x, w, stride, padding: _conv(x, w, (stride, stride), padding.upper(),
                                                            ("NCHW", "OIHW", "NCHW"), feature_group_count=x.shape[1]),
    "max_pool2d": max_pool, "avg_pool2d": avg_pool, "max_pool1d": max_pool, "avg_pool1d": avg_pool, "resize": resize,
    "einsum2": lambda x, y, equation: __import__("jax.numpy", fromlist=["einsum"]).einsum(equation, x, y),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_FUNCTIONS},
    "clip_grad_norm": lambda grads, max_norm: _tx_update(_optax("clip_by_global_norm")(max_norm), grads),
    "clip_grad_value": lambda grads, clip_value: _tx_update(_optax("clip")(clip_value), grads),
    "step_decay_schedule": step_decay_schedule,
    "exponential_decay_schedule": lambda step, learning_rate, decay_rate, decay_steps:
        _schedule("exponential_decay", step, learning_rate, decay_steps, decay_rate),
    "cosine_decay_schedule": cosine_decay_schedule,
    "linear_schedule": lambda step, init_value, end_value, transition_steps:
        _schedule("linear_schedule", step, init_value, end_value, transition_steps),
    **_OPTIM,
}

from adapters.jax_conv_layers import CUSTOM as _CONV_LAYERS  # noqa: E402
from adapters.jax_idioms import CUSTOM as _IDIOMS  # noqa: E402
from adapters.jax_layers import CUSTOM as _LAYERS  # noqa: E402
from adapters.jax_pool_layers import CUSTOM as _POOL_LAYERS  # noqa: E402
from adapters.jax_sampling import CUSTOM as _SAMPLING  # noqa: E402

CUSTOM.update(_LAYERS)  # layers from canonical weights (oracle/ops/weighted.py)
CUSTOM.update(_CONV_LAYERS)  # convolution and normalization layers (oracle/ops/conv_layers.py)
CUSTOM.update(_SAMPLING)  # samplers and more default initialisers (oracle/ops/sampling.py)
CUSTOM.update(_POOL_LAYERS)  # pooling layers (oracle/ops/pool_layers.py)
CUSTOM.update(_IDIOMS)  # code around a compiled call (oracle/ops/idioms.py)
