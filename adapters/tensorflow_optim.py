"""The TensorFlow/Keras column's optimizer bindings: keras.optimizers.<X> and its clipping keywords.

Each returns oracle.native.Made: the value, the code run with the keywords actually passed, and each
unpinned hyperparameter's value in effect read back from the built optimizer's attributes.
Imported by adapters/tensorflow_custom.py after adapters/tensorflow.py has set KERAS_BACKEND.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from oracle.native import Made, as_made, shown_call
from oracle.ops.optimizers import KERAS_CLASSES as STEP_CLASSES
from oracle.request import Unsupported

STEP_NAMES = {"learning_rate": "learning_rate", "momentum": "momentum", "nesterov": "nesterov",
              "weight_decay": "weight_decay", "beta1": "beta_1", "beta2": "beta_2", "epsilon": "epsilon", "rho": "rho",
              "centered": "centered", "initial_accumulator_value": "initial_accumulator_value"}
# the case's clipping -> the optimizer keyword Keras applies it through (before the update, inside apply)
CLIP_KEYWORDS = {"global_norm": "global_clipnorm", "per_tensor_norm": "clipnorm", "value": "clipvalue"}


def native_names() -> dict[str, str]:
    """Keras' keyword -> the canonical hyperparameter; the one keyword table."""
    return {native: key for key, native in STEP_NAMES.items()}


def build(name: str, hp: dict[str, Any], extra: dict[str, Any] | None = None,
          shown: dict[str, str] | None = None) -> tuple[Any, str]:
    """keras.optimizers.<X>(<pinned keywords>): the optimizer and its call as written (`shown`: a keyword's text
    where its value's repr is not the code, a schedule object)."""
    cls = getattr(keras.optimizers, STEP_CLASSES[name])
    accepted = inspect.signature(cls).parameters
    kwargs: dict[str, Any] = {}
    for key, value in hp.items():
        native = STEP_NAMES.get(key)
        if native is None or native not in accepted:
            raise Unsupported(f"keras.optimizers.{cls.__name__} has no parameter for {key}")
        kwargs[native] = value
    kwargs.update(extra or {})
    texts = {k: (shown or {}).get(k, repr(v)) for k, v in kwargs.items()}
    call = f"keras.optimizers.{cls.__name__}({', '.join(f'{k}={v}' for k, v in texts.items())})"
    return as_made(lambda: cls(**kwargs), call), call


def _shown(value: Any) -> Any:
    """A read-back value as plain Python: Keras keeps the learning rate in a variable."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return float(np.asarray(value))


def in_effect(opt: Any, pinned: dict[str, Any], declared: tuple[str, ...]) -> dict[str, str]:
    """Each unpinned canonical hyperparameter -> Keras' value in effect, read back from the optimizer."""
    found: dict[str, str] = {}
    for key in declared:
        native = STEP_NAMES.get(key)
        if key in pinned or native is None or not hasattr(opt, native):
            continue
        found[key] = f"{native}={_shown(getattr(opt, native))!r}"
    return found


def optimizer_step(name: str, params: Any, grads: Any, steps: int = 1, per_step: bool = False, **hp: Any) -> Made:
    """v = keras.Variable(p); keras.optimizers.<X>(<pinned keywords>).apply_gradients([(g, v)]), `steps` times
    (per_step: g = grads[t])."""
    from oracle.ops import OPS

    if per_step and steps != 1:
        raise Unsupported("per_step takes the number of steps from grads' first axis: leave `steps` out")
    opt, call = build(name, hp)
    v = keras.Variable(params)
    n = grads.shape[0] if per_step else steps
    for t in range(n):
        opt.apply_gradients([(grads[t] if per_step else grads, v)])
    g = "{grads}[t]" if per_step else "{grads}"
    api = f"v = keras.Variable({{params}}); opt = {call}\nfor t in range({n}): opt.apply_gradients([({g}, v)])"
    return Made(tf.convert_to_tensor(v), api, in_effect(opt, hp, tuple(OPS[f"{name}_step"].attrs)))


def _schedule(schedule: str, lr: float, decay_steps: int | None, decay_rate: float | None,
              alpha: float | None, warmup_steps: int | None = None, warmup_from: float | None = None,
              restart_mult: float | None = None) -> tuple[Any, str]:
    """The keras.optimizers.schedules object a user passes as the learning rate, and its call as written."""
    kw: dict[str, Any]
    if schedule == "cosine_restarts":
        name, args = "CosineDecayRestarts", [lr, decay_steps]
        kw = ({} if restart_mult is None else {"t_mul": restart_mult}) | ({} if alpha is None else {"alpha": alpha})
    elif schedule == "step_decay":
        name, args, kw = "ExponentialDecay", [lr, decay_steps] + ([] if decay_rate is None else [decay_rate]), \
            {"staircase": True}
    elif schedule == "warmup_cosine":  # CosineDecay's own warm-up: from initial_learning_rate to warmup_target
        if warmup_steps is None or warmup_from is None or decay_steps is None:
            raise Unsupported("schedule=warmup_cosine needs warmup_steps, warmup_from and decay_steps")
        name, args = "CosineDecay", [warmup_from * lr, decay_steps - warmup_steps]
        kw = {"warmup_target": lr, "warmup_steps": warmup_steps} | ({} if alpha is None else {"alpha": alpha})
    else:
        name, args, kw = "CosineDecay", [lr, decay_steps], {} if alpha is None else {"alpha": alpha}
    call = shown_call(f"keras.optimizers.schedules.{name}", args, kw)
    return as_made(lambda: getattr(keras.optimizers.schedules, name)(*args, **kw), call), call


def optimize(w: Any, grads_w: Any, b: Any, grads_b: Any, optimizer: str, clip: str = "none",
             clip_bound: float | None = None, schedule: str = "none", decay_steps: int | None = None,
             decay_rate: float | None = None, alpha: float | None = None, warmup_steps: int | None = None,
             warmup_from: float | None = None, schedule_every: int = 1, restart_mult: float | None = None,
             schedule_order: str = "after", chain: list[str] | None = None, decayed_weights: float | None = None,
             **hp: Any) -> Made:
    """Two variables, one gradient per step each; clipping is the optimizer's own keyword, a schedule its
    learning rate (per batch: Keras counts the optimizer's iterations) or, per epoch, a
    keras.callbacks.LearningRateScheduler whose on_epoch_begin runs at each epoch's first batch, as model.fit
    calls it (its model is built only to carry the optimizer, which the callback reads as model.optimizer); the lr
    each step applied is optimizer.learning_rate read before apply_gradients."""
    from oracle.ops import OPS

    if schedule != "none" and ("learning_rate" not in hp or decay_steps is None):
        raise Unsupported(f"schedule={schedule} starts from the case's learning_rate and needs decay_steps: pin both")
    if schedule_order != "after":
        raise Unsupported("Keras has no scheduler step to order: a LearningRateSchedule is evaluated at the "
                          "optimizer's own iteration count, a LearningRateScheduler callback at each epoch's start")
    if "add_decayed_weights" in (chain or []):
        raise Unsupported("Keras' weight_decay is decoupled (the variable shrinks, the gradient is untouched): "
                          "an L2 term added to the gradient goes into the loss, not the optimizer")
    if len(chain or []) > 1:
        raise Unsupported("a Keras optimizer takes one of clipnorm, clipvalue and global_clipnorm: no chain of two")
    if chain:
        clip = {"clip_by_global_norm": "global_norm", "clip": "value"}[chain[0]]
    extra: dict[str, Any] = {CLIP_KEYWORDS[clip]: clip_bound} if clip != "none" else {}
    shown: dict[str, str] = {}
    sched: Any = None
    per_epoch = schedule != "none" and schedule_every > 1
    if schedule != "none":
        hp = dict(hp)
        sched, sched_call = _schedule(schedule, hp["learning_rate"], decay_steps, decay_rate, alpha, warmup_steps,
                                      warmup_from, restart_mult)
        if not per_epoch:
            hp["learning_rate"], shown["learning_rate"] = sched, sched_call
    opt, call = build(optimizer, hp, extra, shown)
    callback = _epoch_callback(opt, sched) if per_epoch else None
    wv, bv = keras.Variable(w, name="w"), keras.Variable(b, name="b")
    seen: list[list[Any]] = [[], [], []]
    for t in range(grads_w.shape[0]):
        if callback is not None and t % schedule_every == 0:
            callback.on_epoch_begin(t // schedule_every)
        seen[2].append(tf.identity(tf.convert_to_tensor(opt.learning_rate)))
        opt.apply_gradients([(grads_w[t], wv), (grads_b[t], bv)])
        seen[0].append(tf.identity(tf.convert_to_tensor(wv)))
        seen[1].append(tf.identity(tf.convert_to_tensor(bv)))
    epoch = (f"sched = {sched_call}\n" if per_epoch else "")
    api = (f"{epoch}w, b = keras.Variable({{w}}), keras.Variable({{b}}); opt = {call}\n"
           + (f"model = {MODEL}; model.compile(optimizer=opt)\ncallback = keras.callbacks.LearningRateScheduler("
              "lambda epoch: float(sched(epoch))); callback.set_model(model)\n" if per_epoch else "")
           + f"for t in range({grads_w.shape[0]}):\n"
           + (f"    if t % {schedule_every} == 0: callback.on_epoch_begin(t // {schedule_every})  "
              "# once per epoch, as model.fit calls it\n" if per_epoch else "")
           + "    lr = opt.learning_rate; opt.apply_gradients([({grads_w}[t], w), ({grads_b}[t], b)])"
           "  # observed: w, b after each step, lr")
    defaults = in_effect(opt, hp, tuple(OPS[f"{optimizer}_step"].attrs))
    if schedule == "cosine_restarts" and restart_mult is None:
        defaults["restart_mult"] = f"t_mul={sched.get_config()['t_mul']!r}"
    if schedule == "cosine_restarts" and alpha is None:
        defaults["alpha"] = f"alpha={sched.get_config()['alpha']!r}"
    return Made(tuple(tf.stack(s) for s in seen), api, defaults)


MODEL = "keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])"


def _epoch_callback(opt: Any, sched: Any) -> Any:
    """keras.callbacks.LearningRateScheduler(schedule) set on a model compiled with `opt`: the callback sets
    model.optimizer.learning_rate to schedule(epoch) in on_epoch_begin."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=opt)
    callback = keras.callbacks.LearningRateScheduler(lambda epoch: float(sched(epoch)))
    callback.set_model(model)
    return callback


CUSTOM: dict[str, Callable[..., Any]] = {
    "optimize": optimize, **{f"{name}_step": functools.partial(optimizer_step, name) for name in STEP_CLASSES},
}
