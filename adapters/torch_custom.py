"""The torch column's custom bindings (oracle/ops declares them as `custom(name, code)`): the few ops that need code."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import torch

from adapters.torch_optim import CUSTOM as _OPTIM
from adapters.torch_optim import STEP_CLASSES, betas, optimizer_step
from oracle.native import Made
from oracle.request import Unsupported

__all__ = ["CUSTOM", "STEP_CLASSES", "betas"]

def clip_grad_norm(grads: Any, max_norm: float) -> Any:
    p = torch.nn.Parameter(torch.zeros_like(grads))
    p.grad = grads.detach().clone()
    torch.nn.utils.clip_grad_norm_([p], max_norm)
    return p.grad


def clip_grad_value(grads: Any, clip_value: float) -> Any:
    p = torch.nn.Parameter(torch.zeros_like(grads))
    p.grad = grads.detach().clone()
    torch.nn.utils.clip_grad_value_([p], clip_value)
    return p.grad


def _lrs(step: Any, make: Any, lr: float, call: str) -> Made:
    """The learning rate after t scheduler.step() calls, for each t in `step` (an optimizer step before each)."""
    t = [int(v) for v in step.reshape(-1).tolist()]
    if min(t, default=0) < 0:
        raise ValueError("schedule steps must be >= 0")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    sched = make(opt)
    seen = [opt.param_groups[0]["lr"]]
    for _ in range(max(t, default=0)):
        opt.step()
        sched.step()
        seen.append(opt.param_groups[0]["lr"])
    api = (f"opt = torch.optim.SGD([p], lr={lr!r}); sched = torch.optim.lr_scheduler.{call}\n"
           f"for _ in range({max(t, default=0)}): opt.step(); sched.step()  # lr: opt.param_groups[0]['lr'] "
           "after each, read at each `step`")
    return Made(torch.tensor([seen[i] for i in t]).reshape(step.shape), api, {})


def _kw(**kw: Any) -> str:
    return "".join(f", {k}={v!r}" for k, v in kw.items())


def step_decay_schedule(step: Any, learning_rate: float, step_size: int, **hp: Any) -> Made:
    kw = {"gamma": hp["gamma"]} if "gamma" in hp else {}
    made = _lrs(step, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=step_size, **kw), learning_rate,
                f"StepLR(opt, step_size={step_size!r}{_kw(**kw)})")
    if not kw:
        made.defaults["gamma"] = f"gamma={inspect.signature(torch.optim.lr_scheduler.StepLR).parameters['gamma'].default!r}"
    return made


def exponential_decay_schedule(step: Any, learning_rate: float, decay_rate: float, decay_steps: int) -> Made:
    if decay_steps != 1:
        raise Unsupported("torch.optim.lr_scheduler.ExponentialLR decays once per step: it has no decay_steps")
    return _lrs(step, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=decay_rate), learning_rate,
                f"ExponentialLR(opt, gamma={decay_rate!r})")


def cosine_decay_schedule(step: Any, learning_rate: float, decay_steps: int, **hp: Any) -> Made:
    kw = {"eta_min": hp["alpha"] * learning_rate} if "alpha" in hp else {}
    made = _lrs(step, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=decay_steps, **kw), learning_rate,
                f"CosineAnnealingLR(opt, T_max={decay_steps!r}{_kw(**kw)})")
    if not kw:
        default = inspect.signature(torch.optim.lr_scheduler.CosineAnnealingLR).parameters["eta_min"].default
        made.defaults["alpha"] = f"eta_min={default!r}"
    return made


def linear_schedule(step: Any, init_value: float, end_value: float, transition_steps: int) -> Made:
    """LinearLR scales a base rate by factors in (0, 1]: a warmup takes the end value as the base rate."""
    base = max(init_value, end_value)
    kw: dict[str, Any] = {"start_factor": init_value / base, "end_factor": end_value / base,
                          "total_iters": transition_steps}
    return _lrs(step, lambda o: torch.optim.lr_scheduler.LinearLR(o, **kw), base, f"LinearLR(opt{_kw(**kw)})")


CUSTOM: dict[str, Callable[..., Any]] = {
    "depthwise_conv2d": lambda x, w, stride=1, padding="valid": torch.nn.functional.conv2d(
        x, w, stride=stride, padding=padding, groups=x.shape[1]),
    "einsum2": lambda x, y, equation: torch.einsum(equation, x, y),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_CLASSES},
    "clip_grad_norm": clip_grad_norm, "clip_grad_value": clip_grad_value,
    "step_decay_schedule": step_decay_schedule, "exponential_decay_schedule": exponential_decay_schedule,
    "cosine_decay_schedule": cosine_decay_schedule, "linear_schedule": linear_schedule, **_OPTIM,
}

from adapters.torch_conv_layers import CUSTOM as _CONV_LAYERS  # noqa: E402
from adapters.torch_idioms import CUSTOM as _IDIOMS  # noqa: E402
from adapters.torch_layers import CUSTOM as _LAYERS  # noqa: E402
from adapters.torch_pool_layers import CUSTOM as _POOL_LAYERS  # noqa: E402
from adapters.torch_sampling import CUSTOM as _SAMPLING  # noqa: E402

CUSTOM.update(_LAYERS)  # layers from canonical weights (oracle/ops/weighted.py)
CUSTOM.update(_CONV_LAYERS)  # convolution and normalization layers (oracle/ops/conv_layers.py)
CUSTOM.update(_SAMPLING)  # samplers and more default initialisers (oracle/ops/sampling.py)
CUSTOM.update(_POOL_LAYERS)  # pooling layers (oracle/ops/pool_layers.py)
CUSTOM.update(_IDIOMS)  # code around a compiled call (oracle/ops/idioms.py)
