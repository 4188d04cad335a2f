"""The torch column's custom bindings (oracle/ops declares them as `custom(name, code)`): the few ops that need code."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import torch

from oracle.request import Unsupported

# canonical optimizer -> torch.optim class; canonical hyperparameter -> torch keyword (betas: a pair)
STEP_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
                "radam": "RAdam", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop"}
STEP_NAMES = {"learning_rate": "lr", "momentum": "momentum", "dampening": "dampening", "nesterov": "nesterov",
              "weight_decay": "weight_decay", "epsilon": "eps", "centered": "centered",
              "initial_accumulator_value": "initial_accumulator_value"}


def betas(cls: Any, pinned: dict[str, Any]) -> dict[str, Any]:
    """`betas=(b1, b2)` when the case pins either half: torch takes the pair, an unpinned half keeps torch's
    default (read from the class's signature); nothing when neither is pinned."""
    if "beta1" not in pinned and "beta2" not in pinned:
        return {}
    default = inspect.signature(cls).parameters["betas"].default
    return {"betas": (pinned.get("beta1", default[0]), pinned.get("beta2", default[1]))}


def optimizer_step(name: str, params: Any, grads: Any, steps: int = 1, **hp: Any) -> Any:
    """p.grad = g; torch.optim.<X>([p], **pinned).step(), `steps` times; only pinned hyperparameters are passed."""
    cls = getattr(torch.optim, STEP_CLASSES[name])
    accepted = inspect.signature(cls).parameters
    kwargs: dict[str, Any] = {}
    for key, value in hp.items():
        if key in ("beta1", "beta2"):
            continue
        native = ("alpha" if name == "rmsprop" else "rho") if key == "rho" else STEP_NAMES.get(key)
        if native is None or native not in accepted:
            raise Unsupported(f"torch.optim.{cls.__name__} has no parameter for {key}")
        kwargs[native] = value
    kwargs.update(betas(cls, hp))
    p = torch.nn.Parameter(params.detach().clone())
    opt = cls([p], **kwargs)
    for _ in range(steps):
        p.grad = grads.detach().clone()
        opt.step()
    return p.detach()


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


def _lrs(step: Any, make: Any, lr: float) -> Any:
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
    return torch.tensor([seen[i] for i in t]).reshape(step.shape)


def step_decay_schedule(step: Any, learning_rate: float, step_size: int, **hp: Any) -> Any:
    kw = {"gamma": hp["gamma"]} if "gamma" in hp else {}
    return _lrs(step, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=step_size, **kw), learning_rate)


def exponential_decay_schedule(step: Any, learning_rate: float, decay_rate: float, decay_steps: int) -> Any:
    if decay_steps != 1:
        raise Unsupported("torch.optim.lr_scheduler.ExponentialLR decays once per step: it has no decay_steps")
    return _lrs(step, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=decay_rate), learning_rate)


def cosine_decay_schedule(step: Any, learning_rate: float, decay_steps: int, **hp: Any) -> Any:
    kw = {"eta_min": hp["alpha"] * learning_rate} if "alpha" in hp else {}
    return _lrs(step, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=decay_steps, **kw), learning_rate)


def linear_schedule(step: Any, init_value: float, end_value: float, transition_steps: int) -> Any:
    """LinearLR scales a base rate by factors in (0, 1]: a warmup takes the end value as the base rate."""
    base = max(init_value, end_value)
    return _lrs(step, lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=init_value / base, end_factor=end_value / base, total_iters=transition_steps), base)


CUSTOM: dict[str, Callable[..., Any]] = {
    "depthwise_conv2d": lambda x, w, stride=1, padding="valid": torch.nn.functional.conv2d(
        x, w, stride=stride, padding=padding, groups=x.shape[1]),
    "einsum2": lambda x, y, equation: torch.einsum(equation, x, y),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_CLASSES},
    "clip_grad_norm": clip_grad_norm, "clip_grad_value": clip_grad_value,
    "step_decay_schedule": step_decay_schedule, "exponential_decay_schedule": exponential_decay_schedule,
    "cosine_decay_schedule": cosine_decay_schedule, "linear_schedule": linear_schedule,
}

from adapters.torch_layers import CUSTOM as _LAYERS  # noqa: E402

CUSTOM.update(_LAYERS)  # layers from canonical weights (oracle/ops/weighted.py)
