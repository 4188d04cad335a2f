"""The torch column's convolution and normalization layers from canonical weights (oracle/ops/conv_layers.py):
channels-last inputs moved to torch's channels-first modules and back, weights through torch.func.functional_call."""

from __future__ import annotations

from typing import Any, Callable

import torch

from adapters.torch_layers import _run
from oracle.ops.conv_layers import spatial_rank
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


def layer_norm(x: Any, gamma: Any, beta: Any, epsilon: float | None = None) -> Any:
    """Canonical weights mapped onto torch.nn.LayerNorm's parameters (sized from x), run by functional_call."""
    module = torch.nn.LayerNorm(x.shape[-1], dtype=x.dtype, device=x.device, **_eps(epsilon))
    return _run("layer_norm_layer", module, {"gamma": gamma, "beta": beta}, x)


def group_norm(x: Any, gamma: Any, beta: Any, groups: int, epsilon: float | None = None) -> Any:
    """Canonical weights mapped onto torch.nn.GroupNorm's parameters, channels-first around functional_call."""
    module = torch.nn.GroupNorm(groups, x.shape[-1], dtype=x.dtype, device=x.device, **_eps(epsilon))
    return _last(_run("group_norm_layer", module, {"gamma": gamma, "beta": beta}, _first(x)))


def instance_norm(x: Any, gamma: Any, beta: Any, epsilon: float | None = None) -> Any:
    """Canonical weights mapped onto torch.nn.InstanceNormNd's parameters (N from x), channels-first around
    functional_call."""
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"torch.nn.InstanceNorm1d/2d/3d needs x of rank 3 to 5, got {x.ndim}")
    cls = getattr(torch.nn, f"InstanceNorm{x.ndim - 2}d")
    module = cls(x.shape[-1], affine=True, dtype=x.dtype, device=x.device, **_eps(epsilon))
    return _last(_run("instance_norm_layer", module, {"gamma": gamma, "beta": beta}, _first(x)))


CUSTOM: dict[str, Callable[..., Any]] = {
    **{f"torch_conv{nd}d_layer": conv for nd in (1, 2, 3)}, "torch_layer_norm_layer": layer_norm,
    "torch_group_norm_layer": group_norm, "torch_instance_norm_layer": instance_norm,
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


CUSTOM.update({f"torch_conv_transpose{nd}d_layer": conv_transpose for nd in (1, 2)})
