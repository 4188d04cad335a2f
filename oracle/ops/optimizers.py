"""Optimizers on bare parameters, gradient clipping and learning-rate schedules.

`<name>_step(params, grads, steps=1, ...)` applies `steps` updates of one optimizer to a
parameter tensor, each with the same gradient (with `per_step=true`, grads[t] at step t), and
returns the parameters: no model, no loss. `optimize` updates two parameters with one
gradient per step each, clipped first, and returns both after every step. Each adapter has
one module for them (adapters/{torch,tensorflow,jax}_optim.py) that maps the canonical
hyperparameters below onto the native keywords (torch.optim.X, keras.optimizers.X,
optax.x), passes only those the case pins (each framework's own defaults apply otherwise,
read back and recorded) and records the calls it made.

Each optimizer's reference update is written once, in oracle/ops/optimizer_rules.py (float64);
the values stated here (the papers' where they give one) are the reference's defaults, for
these ops and for training cases alike. Where a convention is a choice (epsilon inside or
outside the square root, eps-hat, L2 vs decoupled weight decay) the strict one is stated and
the others are declared alternatives (oracle/semantics.py).
Schedules take a tensor of integer step numbers and return the learning rate at each.
"""

from __future__ import annotations

import math

from oracle.ops.optimizer_rules import RULES, run
from oracle.ops.optimizer_rules import clip as clip_grads
from oracle.ops.refctx import Undefined
from oracle.ops.spec import REQUIRED, Arg, Attr, FrameworkBindings, custom, expression, fix, none, op

STEPS = Attr("int", 1, low=1, high=1000, doc="updates applied, each with the same gradient")
PER_STEP = Attr("bool", False, doc="grads holds one gradient per step on its first axis; the steps are its length "
                "(then `steps` is left out)")
STEPPING = {"steps": STEPS, "per_step": PER_STEP}
PARAMS = (Arg("params"), Arg("grads"))


def _hp(kind: str, ref: object, low: float | None = 0.0, high: float | None = None) -> Attr:
    return Attr(kind, reference=ref, low=low, high=high)


# the class a user constructs; the adapters (adapters/*_optim.py) construct these, the listings show them
TORCH_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
                 "radam": "RAdam", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop"}
KERAS_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "Nadam",
                 "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop", "lion": "Lion", "lamb": "Lamb"}


def _step_binding(name: str, torch: bool = True, keras: bool = True, optax: bool = True) -> FrameworkBindings:
    """One custom binding per framework, described for listings; the adapter records the call it made, with the
    pinned hyperparameters natively spelled (oracle.native.Made)."""
    t = custom(f"{name}_step", "p = torch.nn.Parameter({params}); opt = torch.optim.%s([p], <pinned keywords>)\n"  # noqa: UP031
               "for _ in range({steps}): p.grad = {grads}; opt.step()" % TORCH_CLASSES.get(name, name))
    k = custom(f"{name}_step", "v = keras.Variable({params}); opt = keras.optimizers.%s(<pinned keywords>)\n"  # noqa: UP031
               "for _ in range({steps}): opt.apply_gradients([({grads}, v)])" % KERAS_CLASSES.get(name, name))
    j = custom(f"{name}_step", "tx = optax.%s(<pinned keywords>); state = tx.init({params}); p = {params}\n"  # noqa: UP031
               "for _ in range({steps}): u, state = tx.update({grads}, state, p); p = optax.apply_updates(p, u)"
               % name)
    return {"torch": t if torch else none(f"torch.optim has no {name} optimizer"),
            "tensorflow": k if keras else none(f"keras.optimizers has no {name} optimizer"),
            "jax": j if optax else none(f"optax has no {name} optimizer")}


def _stepper(name: str):  # type: ignore[no-untyped-def]
    """The `<name>_step` reference: `steps` updates of the optimizer's one rule, each with the same gradient."""
    rule = RULES[name]

    def reference(r, params, grads, steps, per_step, **hp):  # type: ignore[no-untyped-def]
        if per_step and steps != 1:
            raise Undefined("per_step takes the number of steps from grads' first axis: leave `steps` out")
        return run(rule, r, params, grads, steps, per_step, **hp)

    reference.__doc__ = rule.__doc__
    return reference


def _clip_norm(r, grads, max_norm):  # type: ignore[no-untyped-def]
    """g * min(1, max_norm / ||g||_2), ||g|| over every element (a global norm)."""
    return clip_grads(r, [grads], "global_norm", max_norm)[0]


def _step_decay(r, step, learning_rate, step_size, gamma):  # type: ignore[no-untyped-def]
    t = r.concrete(step)
    return learning_rate * r.xp.asarray(gamma ** (t // step_size), dtype="float64")


def _exp_decay(r, step, learning_rate, decay_rate, decay_steps):  # type: ignore[no-untyped-def]
    t = r.concrete(step).astype("float64")
    return learning_rate * r.xp.asarray(decay_rate ** (t / decay_steps))


def _cosine(r, step, learning_rate, decay_steps, alpha):  # type: ignore[no-untyped-def]
    import numpy as np

    t = np.minimum(r.concrete(step).astype("float64"), decay_steps)
    return r.xp.asarray(learning_rate * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)) + alpha))


def _linear(r, step, init_value, end_value, transition_steps):  # type: ignore[no-untyped-def]
    import numpy as np

    t = np.minimum(r.concrete(step).astype("float64"), transition_steps)
    return r.xp.asarray(init_value + (end_value - init_value) * t / transition_steps)


LR = lambda ref: _hp("float", ref)
B1, B2 = _hp("float", 0.9, 0.0, 1.0), _hp("float", 0.999, 0.0, 1.0)
EPS = lambda ref: _hp("float", ref)
STEP_ARG = (Arg("step", "int_tensor"),)
STAIRCASE = fix(True, "the op is a step decay: the rate falls at whole multiples of step_size, as StepLR")

OPS = [
    op("sgd_step", "optimizer", PARAMS, "SGD with optional heavy-ball / Nesterov momentum, dampening and weight "
       "decay; the reference's momentum buffer starts at 0 and dampening applies from the first step", _stepper("sgd"),
       attrs={**STEPPING, "learning_rate": LR(0.01), "momentum": _hp("float", 0.0), "dampening": _hp("float", 0.0),
              "nesterov": Attr("bool", reference=False), "weight_decay": _hp("float", 0.0)},
       conventions="weight decay is an L2 term added to the gradient; b_1 = (1 - dampening) g",
       alternatives=("decoupled_decay",), **_step_binding("sgd")),
    op("adam_step", "optimizer", PARAMS, "Adam (Kingma & Ba 2015, Algorithm 1: lr 0.001, b1 0.9, b2 0.999, eps 1e-8); "
       "weight_decay as an L2 term on the gradient", _stepper("adam"),
       attrs={**STEPPING, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8),
              "weight_decay": _hp("float", 0.0)},
       conventions="epsilon outside the square root of the bias-corrected v",
       alternatives=("eps_hat", "eps_inside_sqrt", "decoupled_decay"), **_step_binding("adam")),
    op("adamw_step", "optimizer", PARAMS, "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay "
       "p -= lr wd p; the paper gives no default decay, the reference states 0.01", _stepper("adamw"),
       attrs={**STEPPING, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8),
              "weight_decay": _hp("float", 0.01)},
       conventions="the decay is scaled by the learning rate (the paper scales it by the schedule multiplier only)",
       alternatives=("eps_hat", "eps_inside_sqrt", "l2_decay"), **_step_binding("adamw")),
    op("adamax_step", "optimizer", PARAMS, "Adamax (Kingma & Ba 2015, Algorithm 2: lr 0.002; the paper has no "
       "epsilon, the reference adds 1e-8 to u)", _stepper("adamax"),
       attrs={**STEPPING, "learning_rate": LR(0.002), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8)},
       **_step_binding("adamax")),
    op("nadam_step", "optimizer", PARAMS, "NAdam (Dozat 2016) with the momentum schedule mu_t = b1 (1 - 0.5 "
       "0.96^(0.004 t)); lr 0.002", _stepper("nadam"),
       attrs={**STEPPING, "learning_rate": LR(0.002), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8)},
       **_step_binding("nadam")),
    op("radam_step", "optimizer", PARAMS, "RAdam (Liu et al. 2020): rectified Adam, un-rectified momentum steps "
       "while rho_t <= 4 (the paper's threshold)", _stepper("radam"),
       attrs={**STEPPING, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8)},
       **_step_binding("radam", keras=False)),
    op("adagrad_step", "optimizer", PARAMS, "Adagrad (Duchi et al. 2011): accumulator starting at 0, "
       "p -= lr g / (sqrt(G) + eps); the reference states lr 0.01, eps 1e-10", _stepper("adagrad"),
       attrs={**STEPPING, "learning_rate": LR(0.01), "epsilon": EPS(1e-10),
              "initial_accumulator_value": _hp("float", 0.0)},
       alternatives=("eps_inside_sqrt",), **_step_binding("adagrad")),
    op("adadelta_step", "optimizer", PARAMS, "Adadelta (Zeiler 2012: rho 0.95, eps 1e-6, no learning rate, i.e. 1.0)",
       _stepper("adadelta"), attrs={**STEPPING, "learning_rate": LR(1.0), "rho": _hp("float", 0.95, 0.0, 1.0),
                         "epsilon": EPS(1e-6)}, **_step_binding("adadelta")),
    op("rmsprop_step", "optimizer", PARAMS, "RMSprop (Hinton, lecture 6e: rho 0.9, lr 0.001; eps 1e-8 stated), "
       "centered as Graves (2013), optional momentum", _stepper("rmsprop"),
       attrs={**STEPPING, "learning_rate": LR(0.001), "rho": _hp("float", 0.9, 0.0, 1.0), "epsilon": EPS(1e-8),
              "momentum": _hp("float", 0.0), "centered": Attr("bool", reference=False)},
       conventions="epsilon outside the square root", alternatives=("eps_inside_sqrt",), **_step_binding("rmsprop")),
    op("lion_step", "optimizer", PARAMS, "Lion (Chen et al. 2023: lr 1e-4, b1 0.9, b2 0.99, weight decay 0)",
       _stepper("lion"),
       attrs={**STEPPING, "learning_rate": LR(1e-4), "beta1": B1, "beta2": _hp("float", 0.99, 0.0, 1.0),
              "weight_decay": _hp("float", 0.0)},
       conventions="sign(0) = 0", **_step_binding("lion", torch=False)),
    op("lamb_step", "optimizer", PARAMS, "LAMB (You et al. 2020): Adam direction plus wd p, scaled by the trust "
       "ratio ||p|| / ||u|| (1 when either norm is 0); the reference states lr 0.001, eps 1e-6, wd 0", _stepper("lamb"),
       attrs={**STEPPING, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-6),
              "weight_decay": _hp("float", 0.0)},
       conventions="the trust ratio is 1 where ||p|| or ||u|| is 0", **_step_binding("lamb", torch=False)),
    op("clip_grad_norm", "optimizer", (Arg("grads"),), "rescale a gradient so its global L2 norm is at most "
       "max_norm: g * min(1, max_norm / ||g||)", _clip_norm, attrs={"max_norm": Attr("float", REQUIRED, low=0.0)},
       conventions="no epsilon in the ratio",
           torch=custom("clip_grad_norm", "p.grad = {grads}; torch.nn.utils.clip_grad_norm_([p], {max_norm}); p.grad"),
           tensorflow=expression("tf.clip_by_global_norm([grads], max_norm)[0][0]"),
           jax=expression("tx = optax.clip_by_global_norm(max_norm); tx.update(grads, tx.init(grads))[0]")),
    op("clip_grad_value", "optimizer", (Arg("grads"),), "clip each gradient element to [-clip_value, clip_value]",
       lambda r, grads, clip_value: r.xp.clip(grads, -clip_value, clip_value),
       attrs={"clip_value": Attr("float", REQUIRED, low=0.0)},
           torch=custom("clip_grad_value", "p.grad = {grads}; torch.nn.utils.clip_grad_value_([p], {clip_value}); "
                           "p.grad"),
           tensorflow=expression("tf.clip_by_value(grads, -clip_value, clip_value)"),
           jax=expression("tx = optax.clip(clip_value); tx.update(grads, tx.init(grads))[0]")),
    op("step_decay_schedule", "optimizer", STEP_ARG, "learning_rate * gamma^floor(step / step_size) at each step "
       "number (torch StepLR, Keras ExponentialDecay(staircase=True), optax.exponential_decay(staircase=True))",
       _step_decay, attrs={"learning_rate": Attr("float", REQUIRED), "step_size": Attr("int", REQUIRED, low=1),
                           "gamma": Attr("float", reference=0.1, low=0.0)},
           torch=custom("step_decay_schedule", "sched = torch.optim.lr_scheduler.StepLR(opt, step_size={step_size}, "
                           "<gamma=gamma when pinned>); lr after `step` sched.step() calls"),
           tensorflow=expression("keras.optimizers.schedules.ExponentialDecay(learning_rate, step_size, "
                                    "decay_rate=gamma, staircase=staircase)(step)", fixed={"staircase": STAIRCASE}),
           jax=expression("optax.exponential_decay(learning_rate, step_size, decay_rate=gamma, staircase=staircase)"
                             "(step)", fixed={"staircase": STAIRCASE})),
    op("exponential_decay_schedule", "optimizer", STEP_ARG, "learning_rate * decay_rate^(step / decay_steps) "
       "(continuous); torch's ExponentialLR decays once per step (decay_steps 1)", _exp_decay,
       attrs={"learning_rate": Attr("float", REQUIRED), "decay_rate": Attr("float", REQUIRED, low=0.0),
              "decay_steps": Attr("int", REQUIRED, low=1)},
           torch=custom("exponential_decay_schedule", "torch.optim.lr_scheduler.ExponentialLR(opt, "
                           "gamma={decay_rate}); lr after `step` sched.step() calls"),
           tensorflow=expression("keras.optimizers.schedules.ExponentialDecay(learning_rate, decay_steps, "
                                    "decay_rate)(step)"),
           jax=expression("optax.exponential_decay(learning_rate, decay_steps, decay_rate)(step)")),
    op("cosine_decay_schedule", "optimizer", STEP_ARG, "cosine decay from learning_rate to alpha * learning_rate "
       "over decay_steps, then constant: lr ((1 - alpha) (1 + cos(pi min(t, T) / T)) / 2 + alpha)", _cosine,
       attrs={"learning_rate": Attr("float", REQUIRED), "decay_steps": Attr("int", REQUIRED, low=1),
              "alpha": Attr("float", reference=0.0, low=0.0, high=1.0)},
           torch=custom("cosine_decay_schedule", "torch.optim.lr_scheduler.CosineAnnealingLR(opt, "
                           "T_max={decay_steps}, <eta_min=alpha * learning_rate when pinned>); "
                           "lr after `step` sched.step() calls"),
           tensorflow=expression("keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=alpha)(step)"),
           jax=expression("optax.cosine_decay_schedule(learning_rate, decay_steps, alpha=alpha)(step)")),
    op("linear_schedule", "optimizer", STEP_ARG, "linear ramp (warmup or decay) from init_value to end_value over "
       "transition_steps, then constant", _linear,
       attrs={"init_value": Attr("float", REQUIRED), "end_value": Attr("float", REQUIRED),
              "transition_steps": Attr("int", REQUIRED, low=1)},
           torch=custom("linear_schedule", "torch.optim.lr_scheduler.LinearLR("
                           "SGD([p], lr=max({init_value}, {end_value})), start_factor={init_value} / lr, "
                           "end_factor={end_value} / lr, total_iters={transition_steps})"),
           tensorflow=expression("keras.optimizers.schedules.PolynomialDecay(init_value, transition_steps, "
                                    "end_learning_rate=end_value)(step)"),
           jax=expression("optax.linear_schedule(init_value, end_value, transition_steps)(step)")),
]

_STEP_OPS = {o.name.removesuffix("_step"): o for o in OPS if o.name.endswith("_step")}
# every optimizer's hyperparameters, unpinned by default: the reference then takes the value its
# `<name>_step` declaration states, each framework its own default
_HYPER = {k: Attr(a.type, low=a.low, high=a.high) for o in _STEP_OPS.values() for k, a in o.attrs.items()
          if k not in ("steps", "per_step")}


def _restart(c, period, mult):  # type: ignore[no-untyped-def]
    """SGDR (Loshchilov & Hutter 2017): the position in the current period and its length, the first `period`
    steps long and each next one `mult` times the last."""
    while c >= period:
        c, period = c - period, period * mult
    return c, period


def _scheduled(learning_rate, schedule, t, decay_steps, decay_rate, alpha, warmup_steps=None,  # type: ignore[no-untyped-def]
               warmup_from=None, every=1, restart_mult=None, order="after"):
    """The learning rate update t (1-based) applies: the schedule at c = (t - 1) // every schedule steps taken
    (every: updates per schedule step, the batches of an epoch when it is stepped per epoch); order `before`:
    the schedule is stepped before each of its periods' first update, so that update applies the next rate."""
    c = (t - 1) // every + (1 if order == "before" else 0)
    a = 0.0 if alpha is None else alpha
    if schedule == "cosine_restarts":
        pos, period = _restart(c, decay_steps, 1.0 if restart_mult is None else restart_mult)
        return learning_rate * ((1 - a) * 0.5 * (1 + math.cos(math.pi * pos / period)) + a)
    if schedule == "step_decay":
        return learning_rate * (0.1 if decay_rate is None else decay_rate) ** (c // decay_steps)
    if schedule == "cosine_decay":
        return learning_rate * ((1 - a) * 0.5 * (1 + math.cos(math.pi * min(c, decay_steps) / decay_steps)) + a)
    if schedule == "warmup_cosine":  # linear from warmup_from * lr to lr over warmup_steps, then cosine to step T
        if c < warmup_steps:
            return learning_rate * (warmup_from + (1 - warmup_from) * c / warmup_steps)
        span = decay_steps - warmup_steps
        return learning_rate * ((1 - a) * 0.5 * (1 + math.cos(math.pi * min(c - warmup_steps, span) / span)) + a)
    return learning_rate


# the gradient transforms a `chain` lists before the optimizer: optax's names, each its own formula in the reference
CHAIN = ("clip_by_global_norm", "clip", "add_decayed_weights")


def _chained(r, grads, params, chain, clip_bound, decayed_weights):  # type: ignore[no-untyped-def]
    """The chain's transforms in order: clip_by_global_norm and clip as `clip` states them, add_decayed_weights
    g + decayed_weights * p (the parameters before the step)."""
    for name in chain:
        if name == "add_decayed_weights":
            grads = [g + decayed_weights * p for g, p in zip(grads, params)]
        else:
            grads = clip_grads(r, grads, "global_norm" if name == "clip_by_global_norm" else "value", clip_bound)
    return grads


def _optimize(r, w, grads_w, b, grads_b, optimizer, clip, clip_bound, schedule, decay_steps,  # type: ignore[no-untyped-def]
              decay_rate, alpha, warmup_steps, warmup_from, schedule_every, restart_mult, schedule_order, chain,
              decayed_weights, **hp):
    """Two parameters, step t applies gradients grads_w[t], grads_b[t], clipped first, at the scheduled rate;
    both trajectories and the learning rate each step applied."""
    declared = {k: a for k, a in _STEP_OPS[optimizer].attrs.items() if k not in ("steps", "per_step")}
    extra = sorted(k for k, v in hp.items() if v is not None and k not in declared)
    if extra:
        raise Undefined(f"{optimizer} has no hyperparameter {', '.join(extra)}")
    if clip != "none" and clip_bound is None:
        raise Undefined(f"clip={clip} needs clip_bound")
    if schedule != "none" and (hp.get("learning_rate") is None or decay_steps is None):
        raise Undefined(f"schedule={schedule} starts from the case's learning_rate and needs decay_steps: pin both")
    if schedule == "warmup_cosine" and (warmup_steps is None or warmup_from is None or decay_steps <= warmup_steps):
        raise Undefined("schedule=warmup_cosine needs warmup_steps and warmup_from, and decay_steps > warmup_steps")
    chain = chain or []
    if chain and clip != "none":
        raise Undefined("a chain lists its clipping transforms itself: leave `clip` out")
    if any(n != "add_decayed_weights" for n in chain) and clip_bound is None:
        raise Undefined("a clipping transform in the chain needs clip_bound")
    if ("add_decayed_weights" in chain) != (decayed_weights is not None):
        raise Undefined("add_decayed_weights in the chain and decayed_weights go together")
    if restart_mult is not None and schedule != "cosine_restarts":
        raise Undefined("restart_mult is cosine_restarts' period multiplier")
    if schedule == "none" and schedule_order != "after":
        raise Undefined("schedule_order orders a schedule's steps: pin a schedule")
    used = {k: a.reference_value() if hp.get(k) is None else hp[k] for k, a in declared.items()}
    rule, states, params = RULES[optimizer], ({}, {}), [w, b]  # type: ignore[var-annotated]
    seen: tuple[list[object], list[object], list[float]] = ([], [], [])
    if grads_w.shape[0] != grads_b.shape[0]:
        raise ValueError(f"grads_w has {grads_w.shape[0]} steps, grads_b {grads_b.shape[0]}")
    for t in range(1, grads_w.shape[0] + 1):
        grads = clip_grads(r, [grads_w[t - 1], grads_b[t - 1]], clip, clip_bound)
        grads = _chained(r, grads, params, chain, clip_bound, decayed_weights)
        lr = _scheduled(used["learning_rate"], schedule, t, decay_steps, decay_rate, alpha, warmup_steps, warmup_from,
                        schedule_every, restart_mult, schedule_order)
        params = [rule(r, params[i], grads[i], states[i], t, **{**used, "learning_rate": lr}) for i in range(2)]
        seen[0].append(params[0])
        seen[1].append(params[1])
        seen[2].append(lr)
    return r.xp.stack(seen[0]), r.xp.stack(seen[1]), r.xp.asarray(seen[2], dtype="float64")


_TRAJ = (Arg("w"), Arg("grads_w"), Arg("b"), Arg("grads_b"))
OPS.append(op(
    "optimize", "optimizer", _TRAJ, "two parameters w and b updated by one optimizer over as many steps as the "
    "gradients' first axis: step t applies grads_w[t] and grads_b[t], clipped first (global_norm: one L2 norm over "
    "both tensors; per_tensor_norm: each tensor's own; value: each element), each framework's idiom (torch "
    "clip_grad_norm_/clip_grad_value_ between backward and step, Keras global_clipnorm/clipnorm/clipvalue, an "
    "optax.chain with clip_by_global_norm/clip first), the learning rate optionally a schedule stepped once per "
    "update (torch StepLR/CosineAnnealingLR/CosineAnnealingWarmRestarts, SequentialLR of LinearLR and "
    "CosineAnnealingLR for a warm-up, stepped after opt.step(), or before it with schedule_order=before; a Keras "
    "LearningRateSchedule, CosineDecay with warmup_target, CosineDecayRestarts; an optax schedule, "
    "warmup_cosine_decay_schedule, sgdr_schedule, as the learning rate, or in the form inject_hyperparams inside "
    "optax.inject_hyperparams) or once per `schedule_every` updates, an epoch (torch "
    "sched.step() after the epoch's last batch; Keras' keras.callbacks.LearningRateScheduler, its on_epoch_begin "
    "as model.fit calls it; optax, the schedule at count // schedule_every); or a `chain` of gradient transforms "
    "listed in the case (optax.chain of them before the optimizer; torch clip_grad_norm_/clip_grad_value_ in that "
    "order and add_decayed_weights as the optimizer's L2 weight_decay, last only; Keras one clipping keyword); "
    "returns w and b after each step, "
    "[steps, *shape], and the learning rate each "
    "step applied as the framework exposes it (torch param_groups, Keras optimizer.learning_rate, optax "
    "inject_hyperparams' state); the "
    "reference's hyperparameters are those its `<optimizer>_step` declaration states", _optimize,
    attrs={"optimizer": Attr("str", REQUIRED, choices=tuple(_STEP_OPS)),
           "clip": Attr("str", "none", choices=("none", "global_norm", "per_tensor_norm", "value")),
           "clip_bound": Attr("float", None, nullable=True, low=0.0, doc="max_norm, or the clip value"),
           "schedule": Attr("str", "none", choices=("none", "step_decay", "cosine_decay", "warmup_cosine",
                                                   "cosine_restarts"),
                            doc="the learning rate as a schedule; warmup_cosine: linear warm-up, then cosine; "
                            "cosine_restarts: cosine over decay_steps, then again from the top (SGDR)"),
           "chain": Attr("strs", None, nullable=True, choices=CHAIN, doc="gradient transforms before the optimizer, "
                         "in order, as an optax.chain lists them (clip_by_global_norm and clip take clip_bound, "
                         "add_decayed_weights decayed_weights); instead of `clip`"),
           "decayed_weights": Attr("float", None, nullable=True, low=0.0, doc="add_decayed_weights' rate: "
                                   "g + rate * p before the optimizer (an L2 term)"),
           "restart_mult": Attr("float", None, nullable=True, low=1.0, doc="cosine_restarts: each period's length "
                                "times the last one's (torch T_mult, Keras t_mul; reference: 1, equal periods)"),
           "schedule_order": Attr("str", "after", choices=("after", "before"), doc="torch: sched.step() after "
                                  "opt.step() (documented) or before it (the order PyTorch < 1.1 used; torch warns)"),
           "decay_steps": Attr("int", None, nullable=True, low=1, doc="step_size (step_decay), T_max (cosine_decay), "
                               "the last step of the cosine, warm-up included (warmup_cosine), the first period "
                               "(cosine_restarts: torch T_0, Keras first_decay_steps)"),
           "warmup_steps": Attr("int", None, nullable=True, low=1, doc="warmup_cosine: schedule steps of warm-up"),
           "warmup_from": Attr("float", None, nullable=True, low=0.0, high=1.0,
                               doc="warmup_cosine: the fraction of learning_rate at schedule step 0"),
           "schedule_every": Attr("int", 1, low=1, high=1000, doc="updates per schedule step: 1 steps the schedule "
                                  "per batch, the batches of an epoch step it per epoch"),
           "decay_rate": Attr("float", None, nullable=True, low=0.0, doc="step_decay's gamma (reference: 0.1)"),
           "alpha": Attr("float", None, nullable=True, low=0.0, high=1.0,
                         doc="cosine_decay's final fraction of the learning rate (reference: 0.0)"), **_HYPER},
    conventions="clipping: g * min(1, bound / ||g||), no epsilon; a zero norm leaves g as it is",
    alternatives=("eps_hat", "eps_inside_sqrt", "decoupled_decay", "l2_decay"), outputs=("w_steps", "b_steps", "lr_steps"),
    torch=custom("optimize", "opt = torch.optim.<optimizer>([w, b], <pinned keywords>); per step t: w.grad, b.grad "
                 "= grads_w[t], grads_b[t]; <clip_grad_norm_ / clip_grad_value_>; opt.step()"),
    tensorflow=custom("optimize", "opt = keras.optimizers.<optimizer>(<pinned keywords>, <global_clipnorm | "
                      "clipnorm | clipvalue>=clip_bound); per step t: opt.apply_gradients([(grads_w[t], w), "
                      "(grads_b[t], b)])"),
    jax=custom("optimize", "tx = optax.chain(<optax.clip_by_global_norm | optax.clip>(clip_bound), "
               "optax.<optimizer>(<pinned keywords>)); per step t: u, state = tx.update(grads[t], state, params); "
               "params = optax.apply_updates(params, u)"),
    forms={"jax": {"inject_hyperparams": custom(
        "optimize_injected", "tx = optax.chain(<clip>, optax.inject_hyperparams(optax.<optimizer>)(<pinned "
        "keywords>)); per step t: u, state = tx.update(grads[t], state, params); params = optax.apply_updates("
        "params, u); lr: state's hyperparams['learning_rate']")}}))
