"""The JAX column's optimizer bindings: optax transforms on bare parameters, clipping in an optax.chain.

Each returns oracle.native.Made: the value, the code run with the keywords actually passed, and each
unpinned hyperparameter's default in effect: an optax transform does not keep its hyperparameters on
the object it returns, so they are read from the function's signature, and say so.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from oracle.native import Made, as_made, shown_call
from oracle.request import Unsupported

STEP_FUNCTIONS = ("sgd", "adam", "adamw", "adamax", "nadam", "radam", "adagrad", "adadelta", "rmsprop", "lion", "lamb")
STEP_NAMES = {"learning_rate": "learning_rate", "momentum": "momentum", "nesterov": "nesterov",
              "weight_decay": "weight_decay", "beta1": "b1", "beta2": "b2", "epsilon": "eps",
              "centered": "centered", "initial_accumulator_value": "initial_accumulator_value"}
# the case's clipping -> the optax transform chained before the optimizer
CLIP_TRANSFORMS = {"global_norm": "clip_by_global_norm", "value": "clip"}


def _native(name: str, key: str) -> str | None:
    return ("decay" if name == "rmsprop" else "rho") if key == "rho" else STEP_NAMES.get(key)


def native_names(name: str) -> dict[str, str]:
    """optax's keyword -> the canonical hyperparameter, for `name`; the one keyword table."""
    return {native: key for key in (*STEP_NAMES, "rho") if (native := _native(name, key)) is not None}


def build(name: str, hp: dict[str, Any], shown: dict[str, str] | None = None,
          injected: bool = False) -> tuple[Any, str, dict[str, str]]:
    """optax.<x>(<pinned keywords>), or optax.inject_hyperparams(optax.<x>)(<pinned keywords>): the transform, its
    call as written, and the unpinned signature defaults in effect; `shown`: a keyword's text where its value's
    repr is not the code (a schedule)."""
    import optax

    from oracle.ops import OPS

    fn = getattr(optax, name)
    accepted = inspect.signature(fn).parameters
    kwargs: dict[str, Any] = {}
    for key, value in hp.items():
        native = _native(name, key)
        if native is None or native not in accepted:
            raise Unsupported(f"optax.{name} has no parameter for {key}")
        kwargs[native] = value
    defaults: dict[str, str] = {}
    for key in OPS[f"{name}_step"].attrs:
        native = _native(name, key)
        if key in hp or native is None or native not in accepted:
            continue
        default = accepted[native].default
        defaults[key] = (f"{native}: required, no default" if default is inspect.Parameter.empty
                         else f"{native}={default!r} (signature default)")
    texts = {k: (shown or {}).get(k, repr(v)) for k, v in kwargs.items()}
    made = optax.inject_hyperparams(fn) if injected else fn
    head = f"optax.inject_hyperparams(optax.{name})" if injected else f"optax.{name}"
    call = f"{head}({', '.join(f'{k}={v}' for k, v in texts.items())})"
    return as_made(lambda: made(**kwargs), call), call, defaults


def optimizer_step(name: str, params: Any, grads: Any, steps: int = 1, per_step: bool = False, **hp: Any) -> Made:
    """tx = optax.<x>(<pinned keywords>); state = tx.init(p); u, state = tx.update(g, state, p); p = apply_updates(p, u)
    (per_step: g = grads[t])."""
    import optax

    if per_step and steps != 1:
        raise Unsupported("per_step takes the number of steps from grads' first axis: leave `steps` out")
    tx, call, defaults = build(name, hp)
    state, p = tx.init(params), params
    n = grads.shape[0] if per_step else steps
    for t in range(n):
        updates, state = tx.update(grads[t] if per_step else grads, state, p)
        p = optax.apply_updates(p, updates)
    g = "{grads}[t]" if per_step else "{grads}"
    api = (f"tx = {call}; p = {{params}}; state = tx.init(p)\n"
           f"for t in range({n}): u, state = tx.update({g}, state, p); p = optax.apply_updates(p, u)")
    return Made(p, api, defaults)


def _schedule(schedule: str, lr: float, decay_steps: int | None, decay_rate: float | None,
              alpha: float | None, warmup_steps: int | None = None, warmup_from: float | None = None,
              every: int = 1, restart_mult: float | None = None, steps: int = 0) -> tuple[Any, str]:
    """The optax schedule a user passes as the learning rate, and its call as written; stepped per epoch
    (every > 1 updates), the schedule at count // every."""
    import optax

    kw: dict[str, Any]
    args: list[Any]
    if schedule == "cosine_restarts":  # sgdr_schedule: each period written out, as many as the updates need
        if restart_mult is None:
            raise Unsupported("optax.sgdr_schedule takes each period's decay_steps written out: it has no period "
                              "multiplier, so none is in effect unless the case pins restart_mult")
        periods: list[dict[str, Any]] = []
        covered, length = 0, float(decay_steps or 1)
        while covered < -(-steps // every):
            periods.append({"init_value": lr, "peak_value": lr, "warmup_steps": 0, "decay_steps": int(length),
                            "end_value": (alpha or 0.0) * lr})
            covered, length = covered + int(length), length * restart_mult
        name, args, kw = "sgdr_schedule", [periods], {}
    elif schedule == "step_decay":
        name, args, kw = "exponential_decay", [lr, decay_steps] + ([] if decay_rate is None else [decay_rate]), \
            {"staircase": True}
    elif schedule == "warmup_cosine":  # decay_steps counts the warm-up too, as the case's does
        if warmup_steps is None or warmup_from is None or decay_steps is None:
            raise Unsupported("schedule=warmup_cosine needs warmup_steps, warmup_from and decay_steps")
        name, args = "warmup_cosine_decay_schedule", []
        kw = {"init_value": warmup_from * lr, "peak_value": lr, "warmup_steps": warmup_steps,
              "decay_steps": decay_steps, "end_value": (alpha or 0.0) * lr}
    else:
        name, args, kw = "cosine_decay_schedule", [lr, decay_steps], {} if alpha is None else {"alpha": alpha}
    call = shown_call(f"optax.{name}", args, kw)
    fn = as_made(lambda: getattr(optax, name)(*args, **kw), call)
    if every == 1:
        return fn, call
    return (lambda count: fn(count // every)), f"lambda count: {call}(count // {every})"


def _schedule_count(state: Any) -> Any:
    """The update count optax evaluates a learning-rate schedule at: its ScaleByScheduleState's."""
    import optax

    found = [v for path, v in optax.tree_utils.tree_get_all_with_path(state, "count")
             if getattr(path[-1], "tuple_name", "") == "ScaleByScheduleState"]
    if len(found) != 1:
        raise Unsupported(f"optax state holds {len(found)} ScaleByScheduleState counts: the rate applied is not shown")
    return found[0]


def optimize(w: Any, grads_w: Any, b: Any, grads_b: Any, optimizer: str, clip: str = "none",
             clip_bound: float | None = None, schedule: str = "none", decay_steps: int | None = None,
             decay_rate: float | None = None, alpha: float | None = None, warmup_steps: int | None = None,
             warmup_from: float | None = None, schedule_every: int = 1, restart_mult: float | None = None,
             schedule_order: str = "after", chain: list[str] | None = None, decayed_weights: float | None = None,
             injected: bool = False, **hp: Any) -> Made:
    """Two parameters in one pytree, one gradient per step each; clipping chained before the optimizer, a
    schedule as its learning rate, evaluated (as optax does) at the schedule state's count to show the rate each
    update used. Not through inject_hyperparams: it keeps the hyperparameters as float32 arrays, which changes
    Adam's float32 result from what optax.adam(...) gives; that is the form `inject_hyperparams` (injected), whose
    rate each update applied is the state's hyperparams['learning_rate'] after it."""
    import jax.numpy as jnp
    import optax

    if schedule_order != "after":
        raise Unsupported("optax has no scheduler step to order: a schedule is evaluated at the update count")
    if clip == "per_tensor_norm":
        raise Unsupported("optax has no per-tensor L2-norm clipping transform (clip_by_block_rms clips each "
                          "tensor's RMS, clip_by_global_norm one norm over all tensors)")
    if schedule != "none" and ("learning_rate" not in hp or decay_steps is None):
        raise Unsupported(f"schedule={schedule} starts from the case's learning_rate and needs decay_steps: pin both")
    shown: dict[str, str] = {}
    if schedule != "none":
        hp = dict(hp)
        hp["learning_rate"], shown["learning_rate"] = _schedule(schedule, hp["learning_rate"], decay_steps,
                                                                decay_rate, alpha, warmup_steps, warmup_from,
                                                                schedule_every, restart_mult, grads_w.shape[0])
    schedule_fn = hp.get("learning_rate") if schedule != "none" else None
    tx, call, defaults = build(optimizer, hp, shown=shown, injected=injected)
    if clip != "none":
        transform = CLIP_TRANSFORMS[clip]
        tx = optax.chain(getattr(optax, transform)(clip_bound), tx)
        call = f"optax.chain(optax.{transform}({clip_bound!r}), {call})"
    if chain:  # the case's list, in its order, each transform with its one argument
        made = [(name, decayed_weights if name == "add_decayed_weights" else clip_bound) for name in chain]
        tx = optax.chain(*(getattr(optax, name)(arg) for name, arg in made), tx)
        call = f"optax.chain({''.join(f'optax.{name}({arg!r}), ' for name, arg in made)}{call})"
    params = {"w": w, "b": b}
    state = tx.init(params)
    seen: list[list[Any]] = [[], [], []]
    for t in range(grads_w.shape[0]):
        if not injected:
            seen[2].append(jnp.asarray(hp.get("learning_rate", jnp.nan)) if schedule_fn is None
                           else schedule_fn(_schedule_count(state)))
        updates, state = tx.update({"w": grads_w[t], "b": grads_b[t]}, state, params)
        if injected:
            seen[2].append(optax.tree_utils.tree_get(state, "hyperparams")["learning_rate"])
        params = optax.apply_updates(params, updates)
        seen[0].append(params["w"])
        seen[1].append(params["b"])
    api = (f"tx = {call}; params = {{'w': {{w}}, 'b': {{b}}}}; state = tx.init(params)\n"
           f"for t in range({grads_w.shape[0]}):\n"
           "    u, state = tx.update({'w': {grads_w}[t], 'b': {grads_b}[t]}, state, params)\n"
           "    params = optax.apply_updates(params, u)  # observed: params['w'], params['b'] after each step; lr: "
           + ("optax.tree_utils.tree_get(state, 'hyperparams')['learning_rate'] after each update" if injected
              else "the schedule at the ScaleByScheduleState count before each update" if schedule_fn is not None
              else "the constant learning_rate passed (optax keeps none in its state)"))
    return Made(tuple(jnp.stack(s) for s in seen), api, defaults)


CUSTOM: dict[str, Callable[..., Any]] = {
    "optimize": optimize, "optimize_injected": functools.partial(optimize, injected=True),
    **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_FUNCTIONS},
}
