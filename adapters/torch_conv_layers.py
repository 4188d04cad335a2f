"""The torch column's convolution and normalization layers from canonical weights (oracle/ops/conv_layers.py):
channels-last inputs moved to torch's channels-first modules and back, weights through torch.func.functional_call."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from adapters.torch_layers import OPS, _run
from oracle.ops.conv_layers import spatial_rank
from oracle.ops.layer_weights import native_params
from oracle.ops.weighted import WEIGHTS
from oracle.request import Unsupported


def _first(x: Any) -> Any:
    return x.movedim(-1, 1)


def _last(y: Any) -> Any:
    return y.movedim(1, -1)


def conv(x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str | None = None, dilation: int = 1,
         groups: int = 1, padding_mode: str = "zeros") -> Any:
    """Canonical weights mapped onto torch.nn.ConvNd's parameters, channels-first around functional_call."""
    nd = spatial_rank(x, kernel)
    if padding == "causal":
        raise Unsupported(f"torch.nn.Conv{nd}d has no causal padding (padding is an int, a tuple, 'valid' or "
                          "'same'; users pad the left with torch.nn.functional.pad)")
    options = {} if padding is None else {"padding": padding}  # unpinned: torch's own default
    module = getattr(torch.nn, f"Conv{nd}d")(x.shape[-1], kernel.shape[-1], tuple(kernel.shape[:nd]), stride=strides,
                                             dilation=dilation, groups=groups, padding_mode=padding_mode,
                                             dtype=x.dtype, device=x.device, **options)
    return _last(_run(f"conv{nd}d_layer", module, {"kernel": kernel, "bias": bias}, _first(x)))


def _eps(epsilon: float | None) -> dict[str, Any]:
    return {} if epsilon is None else {"eps": epsilon}


def _norm(name: str, x: Any, gamma: Any, beta: Any, epsilon: float | None = None, groups: int | None = None) -> Any:
    """Canonical weights mapped onto torch.nn.LayerNorm's (over the last axis, as it is), GroupNorm's or
    InstanceNormNd's parameters (channels-first around the call), sized from x and run by functional_call."""
    options = {"dtype": x.dtype, "device": x.device, **_eps(epsilon)}
    canon = {"gamma": gamma, "beta": beta}
    if name == "layer_norm_layer":
        return _run(name, torch.nn.LayerNorm(x.shape[-1], **options), canon, x)
    if name == "group_norm_layer":
        if groups is None:
            raise ValueError("torch.nn.GroupNorm needs num_groups")
        module = torch.nn.GroupNorm(groups, x.shape[-1], **options)
    else:
        if x.ndim not in (3, 4, 5):
            raise ValueError(f"torch.nn.InstanceNorm1d/2d/3d needs x of rank 3 to 5, got {x.ndim}")
        # affine=True: declared fixed in the op, with the reason
        module = getattr(torch.nn, f"InstanceNorm{x.ndim - 2}d")(x.shape[-1], affine=True, **options)
    return _last(_run(name, module, canon, _first(x)))


def batch_norm(x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, training: bool,
               momentum: float | None = None, epsilon: float | None = None) -> Any:
    """Canonical weights and moving statistics mapped onto torch.nn.BatchNormNd's parameters and buffers, run by
    functional_call; in training the module updates the buffers in place, so they are read back after the call."""
    nd = max(x.ndim - 2, 1)  # BatchNorm1d takes [N, C] and [N, C, L]
    # momentum unpinned is torch's own default; momentum=None would mean a cumulative average, not "unpinned"
    options = {} if momentum is None else {"momentum": momentum}
    module = getattr(torch.nn, f"BatchNorm{nd}d")(x.shape[-1], dtype=x.dtype, device=x.device, **options,
                                                  **_eps(epsilon))
    module.train(training)
    names = [name for name, _ in module.named_parameters()] + ["running_mean", "running_var"]
    canon = {"gamma": gamma, "beta": beta, "moving_mean": moving_mean, "moving_var": moving_var}
    state = native_params(WEIGHTS["batch_norm_canonical_layer"], "torch", canon, names, OPS)
    if training:  # updated in place (no gradient flows through a buffer update): copies, not the case's inputs
        state |= {k: state[k].detach().clone() for k in ("running_mean", "running_var")}
    y = torch.func.functional_call(module, state, (_first(x),))
    return _last(y), state["running_mean"], state["running_var"]


CUSTOM: dict[str, Callable[..., Any]] = {
    **{f"torch_conv{nd}d_layer": conv for nd in (1, 2, 3)},
    **{f"torch_{name}": functools.partial(_norm, name)
       for name in ("layer_norm_layer", "group_norm_layer", "instance_norm_layer")},
    "torch_batch_norm_canonical_layer": batch_norm,
}


def conv_transpose(x: Any, kernel: Any, bias: Any, strides: int = 1, padding: str = "valid",
                   dilation: int = 1) -> Any:
    """Canonical weights mapped onto torch.nn.ConvTransposeNd's parameters, channels-first around functional_call."""
    nd = spatial_rank(x, kernel)
    # 'valid' is torch's padding=0; 'same' goes in as a user porting Keras code writes it (torch's
    # ConvTranspose takes no padding string: what it does with one is observed, not anticipated)
    module = getattr(torch.nn, f"ConvTranspose{nd}d")(x.shape[-1], kernel.shape[-2], tuple(kernel.shape[:nd]),
                                                      stride=strides, dilation=dilation,
                                                      padding=0 if padding == "valid" else padding,
                                                      dtype=x.dtype, device=x.device)
    return _last(_run(f"conv_transpose{nd}d_layer", module, {"kernel": kernel, "bias": bias}, _first(x)))


CUSTOM.update({f"torch_conv_transpose{nd}d_layer": conv_transpose for nd in (1, 2, 3)})
