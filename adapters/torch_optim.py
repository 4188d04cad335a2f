"""The torch column's optimizer bindings: torch.optim on bare parameters, clipping between backward and step.

Each returns oracle.native.Made: the value, the code run with the keywords actually passed (no
placeholder), and each unpinned hyperparameter's value in effect read back from `opt.defaults`.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import torch

from oracle import expression
from oracle.native import Made, as_made, resolve, shown_call
from oracle.ops.optimizers import TORCH_CLASSES as STEP_CLASSES
from oracle.request import Unsupported

# canonical hyperparameter -> torch keyword (betas: a pair); classes: the declarations' table
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


def _native(name: str, key: str) -> str | None:
    return ("alpha" if name == "rmsprop" else "rho") if key == "rho" else STEP_NAMES.get(key)


def native_names(name: str) -> dict[str, str]:
    """torch's keyword -> the canonical hyperparameter, for `name` (betas: a pair, apart); the one keyword table."""
    return {native: key for key in (*STEP_NAMES, "rho") if (native := _native(name, key)) is not None}


def build(name: str, params: list[Any], hp: dict[str, Any], texts: str) -> tuple[Any, str]:
    """torch.optim.<X>(params, <pinned keywords>): the optimizer and its call as written."""
    cls = getattr(torch.optim, STEP_CLASSES[name])
    accepted = inspect.signature(cls).parameters
    kwargs: dict[str, Any] = {}
    for key, value in hp.items():
        if key in ("beta1", "beta2"):
            continue
        native = _native(name, key)
        if native is None or native not in accepted:
            raise Unsupported(f"torch.optim.{cls.__name__} has no parameter for {key}")
        kwargs[native] = value
    kwargs.update(betas(cls, hp))
    call = f"torch.optim.{cls.__name__}({texts}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
    return as_made(lambda: cls(params, **kwargs), call), call


def in_effect(name: str, opt: Any, pinned: dict[str, Any], declared: tuple[str, ...]) -> dict[str, str]:
    """Each unpinned canonical hyperparameter -> torch's value in effect, read back from opt.defaults."""
    found: dict[str, str] = {}
    for key in declared:
        if key in pinned:
            continue
        native = "betas" if key in ("beta1", "beta2") else _native(name, key)
        if native is None or native not in opt.defaults:
            continue
        value = opt.defaults[native]
        half = 0 if key == "beta1" else 1
        found[key] = f"betas[{half}]={value[half]!r}" if native == "betas" else f"{native}={value!r}"
    return found


def optimizer_step(name: str, params: Any, grads: Any, steps: int = 1, per_step: bool = False, **hp: Any) -> Made:
    """p.grad = g; torch.optim.<X>([p], <pinned keywords>).step(), `steps` times (per_step: g = grads[t])."""
    from oracle.ops import OPS

    if per_step and steps != 1:
        raise Unsupported("per_step takes the number of steps from grads' first axis: leave `steps` out")
    p = torch.nn.Parameter(params.detach().clone())
    opt, call = build(name, [p], hp, "[p]")
    n = grads.shape[0] if per_step else steps
    for t in range(n):
        p.grad = (grads[t] if per_step else grads).detach().clone()
        opt.step()
    api = (f"p = torch.nn.Parameter({{params}}); opt = {call}\n"
           f"for t in range({n}): p.grad = {'{grads}[t]' if per_step else '{grads}'}; opt.step()")
    return Made(p.detach(), api, in_effect(name, opt, hp, tuple(OPS[f"{name}_step"].attrs)))


CLIPS = {"global_norm": "torch.nn.utils.clip_grad_norm_([w, b], {bound!r})",
         "per_tensor_norm": "torch.nn.utils.clip_grad_norm_(w, {bound!r}); torch.nn.utils.clip_grad_norm_(b, {bound!r})",
         "value": "torch.nn.utils.clip_grad_value_([w, b], {bound!r})", "none": ""}


def _clip(how: str, params: list[Any], bound: float) -> None:
    if how == "global_norm":
        torch.nn.utils.clip_grad_norm_(params, bound)
    elif how == "per_tensor_norm":
        for p in params:
            torch.nn.utils.clip_grad_norm_(p, bound)
    elif how == "value":
        torch.nn.utils.clip_grad_value_(params, bound)


def _scheduler(opt: Any, schedule: str, lr: float, decay_steps: int | None, decay_rate: float | None,
               alpha: float | None, warmup_steps: int | None = None, warmup_from: float | None = None,
               restart_mult: float | None = None) -> tuple[Any, str]:
    """The torch scheduler a user attaches for the case's schedule, and its call as written."""
    lrs = torch.optim.lr_scheduler
    if schedule == "none":
        return None, ""
    if schedule == "cosine_restarts":  # T_mult is an int in torch: a whole multiplier goes as the int a user writes
        mult: dict[str, Any] = {} if restart_mult is None else {
            "T_mult": int(restart_mult) if float(restart_mult).is_integer() else restart_mult}
        kw_r: dict[str, Any] = {"T_0": decay_steps, **mult} | ({} if alpha is None else {"eta_min": alpha * lr})
        text = f"torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt{_kw(**kw_r)})"
        return as_made(lambda: lrs.CosineAnnealingWarmRestarts(opt, **kw_r), text), text
    if schedule == "warmup_cosine":  # the documented warm-up recipe: SequentialLR switching at the milestone
        if warmup_steps is None or warmup_from is None or decay_steps is None:
            raise Unsupported("schedule=warmup_cosine needs warmup_steps, warmup_from and decay_steps")
        warm: dict[str, Any] = {"start_factor": warmup_from, "end_factor": 1.0, "total_iters": warmup_steps}
        cos: dict[str, Any] = {"T_max": decay_steps - warmup_steps, "eta_min": (alpha or 0.0) * lr}
        made = [shown_call(f"torch.optim.lr_scheduler.{name}", [], kw).replace("(", "(opt, ", 1)
                for name, kw in (("LinearLR", warm), ("CosineAnnealingLR", cos))]
        text = f"torch.optim.lr_scheduler.SequentialLR(opt, [{', '.join(made)}], milestones=[{warmup_steps}])"
        return as_made(lambda: lrs.SequentialLR(opt, [lrs.LinearLR(opt, **warm), lrs.CosineAnnealingLR(opt, **cos)],
                                                milestones=[warmup_steps]), text), text
    if schedule == "step_decay":
        kw: dict[str, Any] = {"step_size": decay_steps} | ({} if decay_rate is None else {"gamma": decay_rate})
        cls: Any = lrs.StepLR
    else:
        kw = {"T_max": decay_steps} | ({} if alpha is None else {"eta_min": alpha * lr})
        cls = lrs.CosineAnnealingLR
    text = f"torch.optim.lr_scheduler.{cls.__name__}(opt, {', '.join(f'{k}={v!r}' for k, v in kw.items())})"
    return as_made(lambda: cls(opt, **kw), text), text


def optimize(w: Any, grads_w: Any, b: Any, grads_b: Any, optimizer: str, clip: str = "none",
             clip_bound: float | None = None, schedule: str = "none", decay_steps: int | None = None,
             decay_rate: float | None = None, alpha: float | None = None, warmup_steps: int | None = None,
             warmup_from: float | None = None, schedule_every: int = 1, restart_mult: float | None = None,
             schedule_order: str = "after", chain: list[str] | None = None, decayed_weights: float | None = None,
             **hp: Any) -> Made:
    """Two parameters, one gradient per step each (grads' first axis), clipped between backward and step; a
    scheduler stepped after each optimizer step (per batch) or after every `schedule_every`-th (per epoch), or
    (schedule_order=before) before the first optimizer step of each such period; the lr each step applied, from
    param_groups."""
    from oracle.ops import OPS

    if schedule != "none" and ("learning_rate" not in hp or decay_steps is None):
        raise Unsupported(f"schedule={schedule} starts from the case's learning_rate and needs decay_steps: pin both")
    clips, hp = _chain(chain or [], clip, optimizer, decayed_weights, hp)
    params = [torch.nn.Parameter(w.detach().clone()), torch.nn.Parameter(b.detach().clone())]
    opt, call = build(optimizer, params, hp, "[w, b]")
    sched, sched_call = _scheduler(opt, schedule, hp.get("learning_rate", 0.0), decay_steps, decay_rate, alpha,
                                   warmup_steps, warmup_from, restart_mult)
    before = schedule_order == "before"
    seen: list[list[Any]] = [[], [], []]
    for t in range(grads_w.shape[0]):
        opt.zero_grad()
        params[0].grad, params[1].grad = grads_w[t].detach().clone(), grads_b[t].detach().clone()
        for how in clips:
            _clip(how, params, clip_bound or 0.0)
        if sched is not None and before and t % schedule_every == 0:
            sched.step()
        seen[2].append(torch.tensor(float(opt.param_groups[0]["lr"]), dtype=torch.float64))
        opt.step()
        if sched is not None and not before and (t + 1) % schedule_every == 0:
            sched.step()
        seen[0].append(params[0].detach().clone())
        seen[1].append(params[1].detach().clone())
    clipping = "; ".join(CLIPS[how].format(bound=clip_bound) for how in clips if how != "none")
    api = (f"w, b = torch.nn.Parameter({{w}}), torch.nn.Parameter({{b}}); opt = {call}"
           + (f"; sched = {sched_call}" if sched_call else "") + "\n"
           f"for t in range({grads_w.shape[0]}):\n    opt.zero_grad(); w.grad, b.grad = {{grads_w}}[t], {{grads_b}}[t]\n"
           + (f"    {clipping}\n" if clipping else "")
           + (_stepping_before(schedule_every) if sched_call and before else "")
           + "    lr = opt.param_groups[0]['lr']; opt.step()"
           + (_stepping(schedule_every) if sched_call and not before else "") + "  # observed: w, b after each step, lr")
    defaults = in_effect(optimizer, opt, hp, tuple(OPS[f"{optimizer}_step"].attrs))
    if sched is not None and schedule == "step_decay" and decay_rate is None:
        defaults["decay_rate"] = f"gamma={sched.gamma!r}"
    if sched is not None and schedule in ("cosine_decay", "cosine_restarts") and alpha is None:
        defaults["alpha"] = f"eta_min={sched.eta_min!r}"
    if sched is not None and schedule == "cosine_restarts" and restart_mult is None:
        defaults["restart_mult"] = f"T_mult={sched.T_mult!r}"
    return Made(tuple(torch.stack(s) for s in seen), api, defaults)


# torch optimizers whose weight_decay adds wd * p to the gradient inside step() (AdamW's is decoupled)
L2_DECAY = ("sgd", "adam", "adamax", "nadam", "radam", "adagrad", "adadelta", "rmsprop")


def _chain(chain: list[str], clip: str, optimizer: str, decayed_weights: float | None,
           hp: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The clips to run between backward and step, in order, and the optimizer's keywords: a chain's
    add_decayed_weights is the optimizer's L2 weight_decay, applied inside step(), so after every clip."""
    if not chain:
        return [clip], hp
    if "add_decayed_weights" in chain[:-1]:
        raise Unsupported("torch adds an L2 term only inside optimizer.step() (weight_decay), after any "
                          "clip_grad_*_ call: add_decayed_weights before a clip has no torch form")
    clips = [{"clip_by_global_norm": "global_norm", "clip": "value"}[n] for n in chain if n != "add_decayed_weights"]
    if chain[-1] != "add_decayed_weights":
        return clips, hp
    if optimizer not in L2_DECAY:
        raise Unsupported(f"torch.optim.{STEP_CLASSES[optimizer]}'s weight_decay is decoupled: it adds no L2 term "
                          "to the gradient")
    if "weight_decay" in hp:
        raise Unsupported("the chain's add_decayed_weights is torch's weight_decay: pin one of them")
    return clips, {**hp, "weight_decay": decayed_weights}


def _stepping_before(every: int) -> str:
    return "    sched.step()\n" if every == 1 else f"    if t % {every} == 0: sched.step()  # once per epoch, first\n"


def _stepping(every: int) -> str:
    return "; sched.step()" if every == 1 else f"\n    if (t + 1) % {every} == 0: sched.step()  # once per epoch"


def clipped(utility: str, grads: Any, **bound: float) -> Any:
    """torch.nn.utils.<utility>([p], bound) clips the .grad of parameters in place (an attribute assignment, then
    a statement): the gradient is set on a Parameter, clipped, and its .grad read back."""
    p = torch.nn.Parameter(torch.zeros_like(grads))
    p.grad = grads.detach().clone()
    getattr(torch.nn.utils, utility)([p], *bound.values())
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


# schedule op -> the torch scheduler, its keywords, each an expression over the op's attributes
# (oracle/expression.py; a keyword whose attribute the case leaves unpinned is not passed: torch's default,
# read back), an attribute value the scheduler cannot take (attribute, the one value it takes, why), and the
# optimizer's base rate. LinearLR scales a base rate by factors in (0, 1]: a warmup takes the end value as its base.
SCHEDULERS: dict[str, tuple[str, dict[str, str], tuple[str, Any, str] | None, str]] = {
    "step_decay_schedule": ("StepLR", {"step_size": "step_size", "gamma": "gamma"}, None, "learning_rate"),
    "exponential_decay_schedule": ("ExponentialLR", {"gamma": "decay_rate"}, (
        "decay_steps", 1, "torch.optim.lr_scheduler.ExponentialLR decays once per step: it has no decay_steps"),
        "learning_rate"),
    "cosine_decay_schedule": ("CosineAnnealingLR", {"T_max": "decay_steps", "eta_min": "alpha * learning_rate"}, None,
                              "learning_rate"),
    "linear_schedule": ("LinearLR", {"start_factor": "init_value / max(init_value, end_value)",
                                     "end_factor": "end_value / max(init_value, end_value)",
                                     "total_iters": "transition_steps"}, None, "max(init_value, end_value)"),
}


def scheduled(name: str, step: Any, **hp: Any) -> Made:
    """A torch scheduler is stepped in a loop beside an optimizer, the lr read at each step: one idiom, the
    scheduler class, its keywords and the base rate as data (SCHEDULERS)."""
    cls_name, keywords, takes, base = SCHEDULERS[name]
    values = {"max": max, **hp}
    if takes is not None and values.get(takes[0]) != takes[1]:
        raise Unsupported(takes[2])
    cls = getattr(torch.optim.lr_scheduler, cls_name)
    kw = {k: expression.run(e, values, resolve) for k, e in keywords.items() if expression.names(e) <= values.keys()}
    made = _lrs(step, lambda o: cls(o, **kw), expression.run(base, values, resolve), f"{cls_name}(opt{_kw(**kw)})")
    for k, e in keywords.items():
        for unpinned in sorted(expression.names(e) - values.keys()):
            made.defaults[unpinned] = f"{k}={inspect.signature(cls).parameters[k].default!r}"
    return made


CUSTOM: dict[str, Callable[..., Any]] = {
    "optimize": optimize, **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_CLASSES},
    "clip_grad_norm": functools.partial(clipped, "clip_grad_norm_"),
    "clip_grad_value": functools.partial(clipped, "clip_grad_value_"),
    **{name: functools.partial(scheduled, name) for name in SCHEDULERS},
}
