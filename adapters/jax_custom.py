"""The JAX column's custom bindings for the linalg, conv and optimizer families (optax, jax.image, flax.nnx)."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from oracle.request import Unsupported

STEP_FUNCTIONS = ("sgd", "adam", "adamw", "adamax", "nadam", "radam", "adagrad", "adadelta", "rmsprop", "lion", "lamb")
STEP_NAMES = {"learning_rate": "learning_rate", "momentum": "momentum", "nesterov": "nesterov",
              "weight_decay": "weight_decay", "beta1": "b1", "beta2": "b2", "epsilon": "eps",
              "centered": "centered", "initial_accumulator_value": "initial_accumulator_value"}


def optimizer_step(name: str, params: Any, grads: Any, steps: int = 1, **hp: Any) -> Any:
    """tx = optax.<x>(**pinned); state = tx.init(p); u, state = tx.update(g, state, p); p = apply_updates(p, u)."""
    import optax

    fn = getattr(optax, name)
    accepted = inspect.signature(fn).parameters
    kwargs = {}
    for key, value in hp.items():
        native = ("decay" if name == "rmsprop" else "rho") if key == "rho" else STEP_NAMES.get(key)
        if native is None or native not in accepted:
            raise Unsupported(f"optax.{name} has no parameter for {key}")
        kwargs[native] = value
    tx = fn(**kwargs)
    state, p = tx.init(params), params
    for _ in range(steps):
        updates, state = tx.update(grads, state, p)
        p = optax.apply_updates(p, updates)
    return p


def _tx_update(tx: Any, grads: Any) -> Any:
    return tx.update(grads, tx.init(grads))[0]


def step_decay_schedule(step: Any, learning_rate: float, step_size: int, **hp: Any) -> Any:
    import optax

    if "gamma" not in hp:
        raise TypeError("optax.exponential_decay() missing required argument 'decay_rate'")
    return optax.exponential_decay(learning_rate, step_size, hp["gamma"], staircase=True)(step)


def _optax(name: str) -> Any:
    import optax

    return getattr(optax, name)


def _conv(x: Any, w: Any, strides: Any, padding: Any, spec: tuple[str, str, str], **kw: Any) -> Any:
    import jax

    return jax.lax.conv_general_dilated(x, w, strides, padding, dimension_numbers=spec, **kw)


def conv_transpose2d_nchw(x: Any, w: Any, stride: int, padding: int, output_padding: int) -> Any:
    import jax

    kh, kw = w.shape[2], w.shape[3]
    pads = [(kh - 1 - padding, kh - 1 - padding + output_padding), (kw - 1 - padding, kw - 1 - padding + output_padding)]
    return jax.lax.conv_transpose(x, w, (stride, stride), pads, dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                  transpose_kernel=True)


def _nhwc(pool: Any, x: Any, kernel_size: int, stride: int | None, padding: int, **kw: Any) -> Any:
    import jax.numpy as jnp

    extra = {} if stride is None else {"strides": (stride, stride)}
    pad = ((padding, padding), (padding, padding)) if padding else "VALID"
    y = pool(jnp.transpose(x, (0, 2, 3, 1)), (kernel_size, kernel_size), padding=pad, **extra, **kw)
    return jnp.transpose(y, (0, 3, 1, 2))


def max_pool2d(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False) -> Any:
    from flax import nnx

    if ceil_mode:
        raise Unsupported("flax.nnx.max_pool has no ceil_mode")
    return _nhwc(nnx.max_pool, x, kernel_size, stride, padding)


def avg_pool2d(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, **hp: Any) -> Any:
    from flax import nnx

    return _nhwc(nnx.avg_pool, x, kernel_size, stride, padding, **hp)


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
    "conv_transpose2d_nchw": conv_transpose2d_nchw,
    "depthwise_conv2d": lambda x, w, stride, padding: _conv(x, w, (stride, stride), padding.upper(),
                                                            ("NCHW", "OIHW", "NCHW"), feature_group_count=x.shape[1]),
    "max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d, "resize": resize,
    "einsum2": lambda x, y, equation: __import__("jax.numpy", fromlist=["einsum"]).einsum(equation, x, y),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_FUNCTIONS},
    "clip_grad_norm": lambda grads, max_norm: _tx_update(_optax("clip_by_global_norm")(max_norm), grads),
    "clip_grad_value": lambda grads, clip_value: _tx_update(_optax("clip")(clip_value), grads),
    "step_decay_schedule": step_decay_schedule,
    "exponential_decay_schedule": lambda step, learning_rate, decay_rate, decay_steps:
        _optax("exponential_decay")(learning_rate, decay_steps, decay_rate)(step),
    "cosine_decay_schedule": lambda step, learning_rate, decay_steps, **hp:
        _optax("cosine_decay_schedule")(learning_rate, decay_steps, **hp)(step),
    "linear_schedule": lambda step, init_value, end_value, transition_steps:
        _optax("linear_schedule")(init_value, end_value, transition_steps)(step),
}

from adapters.jax_layers import CUSTOM as _LAYERS  # noqa: E402

CUSTOM.update(_LAYERS)  # layers from canonical weights (oracle/ops/weighted.py)
