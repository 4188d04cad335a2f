"""Optimizers on bare parameters, gradient clipping and learning-rate schedules.

`<name>_step(params, grads, steps=1, ...)` applies `steps` updates of one optimizer to a
parameter tensor, each with the same gradient, and returns the parameters: no model, no
loss. Each adapter has one custom function for all of them (`optimizer_step` in
adapters/torch.py, adapters/tensorflow.py, adapters/jax.py) that maps the canonical
hyperparameters below onto the native keywords (torch.optim.X, keras.optimizers.X,
optax.x) and passes only those the case pins: each framework's own defaults apply
otherwise, and the reference uses the values stated here (the papers' where they give one).

The reference formulas are written out independently, in float64; where a convention is a
choice (epsilon inside or outside the square root, eps-hat, L2 vs decoupled weight decay)
the strict one is stated and the others are declared alternatives (oracle/semantics.py).
Schedules take a tensor of integer step numbers and return the learning rate at each.
"""

from __future__ import annotations

import math

from oracle.ops.spec import REQUIRED, Arg, Attr, Binding, custom, fix, none, op

STEPS = Attr("int", 1, low=1, high=1000, doc="updates applied, each with the same gradient")
PARAMS = (Arg("params"), Arg("grads"))


def _hp(kind: str, ref: object, low: float | None = 0.0, high: float | None = None) -> Attr:
    return Attr(kind, reference=ref, low=low, high=high)


# the class a user constructs, for the rendered code (the adapters hold the same names)
TORCH_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
                 "radam": "RAdam", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop"}
KERAS_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "Nadam",
                 "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop", "lion": "Lion", "lamb": "Lamb"}


def _step_binding(name: str, torch: bool = True, keras: bool = True, optax: bool = True) -> dict[str, Binding]:
    """One custom binding per framework; `**pinned` stands for the pinned hyperparameters, natively spelled."""
    t = custom(f"{name}_step", "p = torch.nn.Parameter({params}); opt = torch.optim.%s([p], **pinned)\n"  # noqa: UP031
               "for _ in range({steps}): p.grad = {grads}; opt.step()" % TORCH_CLASSES.get(name, name))
    k = custom(f"{name}_step", "v = keras.Variable({params}); opt = keras.optimizers.%s(**pinned)\n"  # noqa: UP031
               "for _ in range({steps}): opt.apply_gradients([({grads}, v)])" % KERAS_CLASSES.get(name, name))
    j = custom(f"{name}_step", "tx = optax.%s(**pinned); state = tx.init({params}); p = {params}\n"  # noqa: UP031
               "for _ in range({steps}): u, state = tx.update({grads}, state, p); p = optax.apply_updates(p, u)"
               % name)
    return {"torch": t if torch else none(f"torch.optim has no {name} optimizer"),
            "tensorflow": k if keras else none(f"keras.optimizers has no {name} optimizer"),
            "jax": j if optax else none(f"optax has no {name} optimizer")}


def _norm(xp, x):  # type: ignore[no-untyped-def]
    return xp.sqrt(xp.sum(x * x))


def _decay_grad(r, p, g, wd, strict):  # type: ignore[no-untyped-def]
    """(gradient with an L2 term, decoupled factor) under the strict convention or the followed alternative."""
    decoupled = (strict == "decoupled" and not r.follows("l2_decay")) or (strict == "l2" and r.follows("decoupled_decay"))
    return (g, wd) if decoupled else (g + wd * p, 0.0)


def _sgd(r, params, grads, steps, learning_rate, momentum, dampening, nesterov,  # type: ignore[no-untyped-def]
         weight_decay):
    """Heavy ball: b_t = mu b_{t-1} + (1 - dampening) g (b_0 = 0); nesterov: p -= lr (g + mu b), else p -= lr b.

    Weight decay is an L2 term added to the gradient (alternative: decoupled, p -= lr wd p first).
    """
    p, b = params, 0.0
    for _ in range(steps):
        g, dec = _decay_grad(r, p, grads, weight_decay, "l2")
        p = p - learning_rate * dec * p
        if momentum:
            b = momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - learning_rate * g
    return p


def _adam_like(r, params, grads, steps, learning_rate, beta1, beta2, epsilon,  # type: ignore[no-untyped-def]
               weight_decay, strict):
    xp = r.xp
    p, m, v = params, 0.0, 0.0
    for t in range(1, steps + 1):
        g, dec = _decay_grad(r, p, grads, weight_decay, strict)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if r.follows("eps_hat"):
            step = learning_rate * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m / (xp.sqrt(v) + epsilon)
        elif r.follows("eps_inside_sqrt"):
            step = learning_rate * (m / (1 - beta1 ** t)) / xp.sqrt(v / (1 - beta2 ** t) + epsilon)
        else:
            step = learning_rate * (m / (1 - beta1 ** t)) / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon)
        p = p - learning_rate * dec * p - step
    return p


def _adam(r, params, grads, steps, learning_rate, beta1, beta2, epsilon, weight_decay):  # type: ignore[no-untyped-def]
    """Kingma & Ba (2015) Algorithm 1: m_hat / (sqrt(v_hat) + eps); weight decay as an L2 term on the gradient."""
    return _adam_like(r, params, grads, steps, learning_rate, beta1, beta2, epsilon, weight_decay, "l2")


def _adamw(r, params, grads, steps, learning_rate, beta1, beta2, epsilon, weight_decay):  # type: ignore[no-untyped-def]
    """Loshchilov & Hutter (2019): Adam with the decay decoupled, p -= lr wd p (scaled by the learning rate)."""
    return _adam_like(r, params, grads, steps, learning_rate, beta1, beta2, epsilon, weight_decay, "decoupled")


def _adamax(r, params, grads, steps, learning_rate, beta1, beta2, epsilon):  # type: ignore[no-untyped-def]
    """Kingma & Ba (2015) Algorithm 2: u = max(b2 u, |g|); p -= lr / (1 - b1^t) m / (u + eps) (eps: stated choice)."""
    xp = r.xp
    p, m, u = params, 0.0, 0.0
    for t in range(1, steps + 1):
        m = beta1 * m + (1 - beta1) * grads
        u = xp.maximum(beta2 * u, xp.abs(grads))
        p = p - learning_rate / (1 - beta1 ** t) * m / (u + epsilon)
    return p


def _nadam(r, params, grads, steps, learning_rate, beta1, beta2, epsilon):  # type: ignore[no-untyped-def]
    """Dozat (2016) with the momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(0.004 t)):

    m_hat = mu_{t+1} m / (1 - prod_{i<=t+1} mu_i) + (1 - mu_t) g / (1 - prod_{i<=t} mu_i);
    p -= lr m_hat / (sqrt(v / (1 - b2^t)) + eps).
    """
    xp = r.xp
    p, m, v, prod = params, 0.0, 0.0, 1.0
    for t in range(1, steps + 1):
        mu = beta1 * (1 - 0.5 * 0.96 ** (0.004 * t))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** (0.004 * (t + 1)))
        prod = prod * mu
        m = beta1 * m + (1 - beta1) * grads
        v = beta2 * v + (1 - beta2) * grads * grads
        m_hat = mu_next * m / (1 - prod * mu_next) + (1 - mu) * grads / (1 - prod)
        p = p - learning_rate * m_hat / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon)
    return p


def _radam(r, params, grads, steps, learning_rate, beta1, beta2, epsilon):  # type: ignore[no-untyped-def]
    """Liu et al. (2020) Algorithm 2: rectify when rho_t > 4 (the paper's threshold), else plain momentum SGD."""
    xp = r.xp
    p, m, v = params, 0.0, 0.0
    rho_inf = 2 / (1 - beta2) - 1
    for t in range(1, steps + 1):
        m = beta1 * m + (1 - beta1) * grads
        v = beta2 * v + (1 - beta2) * grads * grads
        m_hat = m / (1 - beta1 ** t)
        rho = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
        if rho > 4:
            rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            p = p - learning_rate * rect * m_hat / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon)
        else:
            p = p - learning_rate * m_hat
    return p


def _adagrad(r, params, grads, steps, learning_rate, epsilon, initial_accumulator_value):  # type: ignore[no-untyped-def]
    """Duchi et al. (2011): G += g^2 (G_0 = initial_accumulator_value, 0 in the paper); p -= lr g / (sqrt(G) + eps)."""
    xp = r.xp
    p, acc = params, initial_accumulator_value
    for _ in range(steps):
        acc = acc + grads * grads
        den = xp.sqrt(acc + epsilon) if r.follows("eps_inside_sqrt") else xp.sqrt(acc) + epsilon
        p = p - learning_rate * grads / den
    return p


def _adadelta(r, params, grads, steps, learning_rate, rho, epsilon):  # type: ignore[no-untyped-def]
    """Zeiler (2012) Algorithm 1 (no learning rate in the paper: 1.0): dx = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) g."""
    xp = r.xp
    p, eg, edx = params, 0.0, 0.0
    for _ in range(steps):
        eg = rho * eg + (1 - rho) * grads * grads
        dx = xp.sqrt(edx + epsilon) / xp.sqrt(eg + epsilon) * grads
        edx = rho * edx + (1 - rho) * dx * dx
        p = p - learning_rate * dx
    return p


def _rmsprop(r, params, grads, steps, learning_rate, rho, epsilon, momentum, centered):  # type: ignore[no-untyped-def]
    """Hinton (lecture 6e); centered as Graves (2013): v = rho v + (1 - rho) g^2, den = sqrt(v - mean_g^2) + eps.

    With momentum: b = mu b + g / den; p -= lr b. Alternative: eps inside the square root.
    """
    xp = r.xp
    p, v, mg, b = params, 0.0, 0.0, 0.0
    for _ in range(steps):
        v = rho * v + (1 - rho) * grads * grads
        s = v
        if centered:
            mg = rho * mg + (1 - rho) * grads
            s = v - mg * mg
        den = xp.sqrt(s + epsilon) if r.follows("eps_inside_sqrt") else xp.sqrt(s) + epsilon
        b = momentum * b + grads / den
        p = p - learning_rate * b
    return p


def _lion(r, params, grads, steps, learning_rate, beta1, beta2, weight_decay):  # type: ignore[no-untyped-def]
    """Chen et al. (2023): c = b1 m + (1 - b1) g; p -= lr (sign(c) + wd p); m = b2 m + (1 - b2) g."""
    xp = r.xp
    p, m = params, 0.0
    for _ in range(steps):
        c = beta1 * m + (1 - beta1) * grads
        p = p - learning_rate * (xp.sign(c) + weight_decay * p)
        m = beta2 * m + (1 - beta2) * grads
    return p


def _lamb(r, params, grads, steps, learning_rate, beta1, beta2, epsilon, weight_decay):  # type: ignore[no-untyped-def]
    """You et al. (2020): u = m_hat / (sqrt(v_hat) + eps) + wd p; p -= lr * (||p|| / ||u||) * u (ratio 1 if a norm is 0)."""
    xp = r.xp
    p, m, v = params, 0.0, 0.0
    for t in range(1, steps + 1):
        m = beta1 * m + (1 - beta1) * grads
        v = beta2 * v + (1 - beta2) * grads * grads
        u = (m / (1 - beta1 ** t)) / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon) + weight_decay * p
        pn, un = _norm(xp, p), _norm(xp, u)
        ok = (pn > 0) & (un > 0)
        ratio = xp.where(ok, pn / xp.where(ok, un, 1.0), 1.0)
        p = p - learning_rate * ratio * u
    return p


def _clip_norm(r, grads, max_norm):  # type: ignore[no-untyped-def]
    """g * min(1, max_norm / ||g||_2), ||g|| over every element (a global norm)."""
    xp = r.xp
    n = _norm(xp, grads)
    return grads * xp.minimum(1.0, max_norm / xp.where(n > 0, n, 1.0))


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
       "decay; the reference's momentum buffer starts at 0 and dampening applies from the first step", _sgd,
       attrs={"steps": STEPS, "learning_rate": LR(0.01), "momentum": _hp("float", 0.0), "dampening": _hp("float", 0.0),
              "nesterov": Attr("bool", reference=False), "weight_decay": _hp("float", 0.0)},
       conventions="weight decay is an L2 term added to the gradient; b_1 = (1 - dampening) g",
       alternatives=("decoupled_decay",), **_step_binding("sgd")),
    op("adam_step", "optimizer", PARAMS, "Adam (Kingma & Ba 2015, Algorithm 1: lr 0.001, b1 0.9, b2 0.999, eps 1e-8); "
       "weight_decay as an L2 term on the gradient", _adam,
       attrs={"steps": STEPS, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8),
              "weight_decay": _hp("float", 0.0)},
       conventions="epsilon outside the square root of the bias-corrected v",
       alternatives=("eps_hat", "eps_inside_sqrt", "decoupled_decay"), **_step_binding("adam")),
    op("adamw_step", "optimizer", PARAMS, "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay "
       "p -= lr wd p; the paper gives no default decay, the reference states 0.01", _adamw,
       attrs={"steps": STEPS, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8),
              "weight_decay": _hp("float", 0.01)},
       conventions="the decay is scaled by the learning rate (the paper scales it by the schedule multiplier only)",
       alternatives=("eps_hat", "eps_inside_sqrt", "l2_decay"), **_step_binding("adamw")),
    op("adamax_step", "optimizer", PARAMS, "Adamax (Kingma & Ba 2015, Algorithm 2: lr 0.002; the paper has no "
       "epsilon, the reference adds 1e-8 to u)", _adamax,
       attrs={"steps": STEPS, "learning_rate": LR(0.002), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8)},
       **_step_binding("adamax")),
    op("nadam_step", "optimizer", PARAMS, "NAdam (Dozat 2016) with the momentum schedule mu_t = b1 (1 - 0.5 "
       "0.96^(0.004 t)); lr 0.002", _nadam,
       attrs={"steps": STEPS, "learning_rate": LR(0.002), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8)},
       **_step_binding("nadam")),
    op("radam_step", "optimizer", PARAMS, "RAdam (Liu et al. 2020): rectified Adam, un-rectified momentum steps "
       "while rho_t <= 4 (the paper's threshold)", _radam,
       attrs={"steps": STEPS, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-8)},
       **_step_binding("radam", keras=False)),
    op("adagrad_step", "optimizer", PARAMS, "Adagrad (Duchi et al. 2011): accumulator starting at 0, "
       "p -= lr g / (sqrt(G) + eps); the reference states lr 0.01, eps 1e-10", _adagrad,
       attrs={"steps": STEPS, "learning_rate": LR(0.01), "epsilon": EPS(1e-10),
              "initial_accumulator_value": _hp("float", 0.0)},
       alternatives=("eps_inside_sqrt",), **_step_binding("adagrad")),
    op("adadelta_step", "optimizer", PARAMS, "Adadelta (Zeiler 2012: rho 0.95, eps 1e-6, no learning rate, i.e. 1.0)",
       _adadelta, attrs={"steps": STEPS, "learning_rate": LR(1.0), "rho": _hp("float", 0.95, 0.0, 1.0),
                         "epsilon": EPS(1e-6)}, **_step_binding("adadelta")),
    op("rmsprop_step", "optimizer", PARAMS, "RMSprop (Hinton, lecture 6e: rho 0.9, lr 0.001; eps 1e-8 stated), "
       "centered as Graves (2013), optional momentum", _rmsprop,
       attrs={"steps": STEPS, "learning_rate": LR(0.001), "rho": _hp("float", 0.9, 0.0, 1.0), "epsilon": EPS(1e-8),
              "momentum": _hp("float", 0.0), "centered": Attr("bool", reference=False)},
       conventions="epsilon outside the square root", alternatives=("eps_inside_sqrt",), **_step_binding("rmsprop")),
    op("lion_step", "optimizer", PARAMS, "Lion (Chen et al. 2023: lr 1e-4, b1 0.9, b2 0.99, weight decay 0)", _lion,
       attrs={"steps": STEPS, "learning_rate": LR(1e-4), "beta1": B1, "beta2": _hp("float", 0.99, 0.0, 1.0),
              "weight_decay": _hp("float", 0.0)},
       conventions="sign(0) = 0", **_step_binding("lion", torch=False)),
    op("lamb_step", "optimizer", PARAMS, "LAMB (You et al. 2020): Adam direction plus wd p, scaled by the trust "
       "ratio ||p|| / ||u|| (1 when either norm is 0); the reference states lr 0.001, eps 1e-6, wd 0", _lamb,
       attrs={"steps": STEPS, "learning_rate": LR(0.001), "beta1": B1, "beta2": B2, "epsilon": EPS(1e-6),
              "weight_decay": _hp("float", 0.0)},
       conventions="the trust ratio is 1 where ||p|| or ||u|| is 0", **_step_binding("lamb", torch=False)),
    op("clip_grad_norm", "optimizer", (Arg("grads"),), "rescale a gradient so its global L2 norm is at most "
       "max_norm: g * min(1, max_norm / ||g||)", _clip_norm, attrs={"max_norm": Attr("float", REQUIRED, low=0.0)},
       conventions="no epsilon in the ratio", **{
           "torch": custom("clip_grad_norm", "p.grad = {grads}; torch.nn.utils.clip_grad_norm_([p], {max_norm}); p.grad"),
           "tensorflow": custom("clip_grad_norm", "tf.clip_by_global_norm([{grads}], {max_norm})[0][0]"),
           "jax": custom("clip_grad_norm", "tx = optax.clip_by_global_norm({max_norm}); "
                         "tx.update({grads}, tx.init({grads}))[0]")}),
    op("clip_grad_value", "optimizer", (Arg("grads"),), "clip each gradient element to [-clip_value, clip_value]",
       lambda r, grads, clip_value: r.xp.clip(grads, -clip_value, clip_value),
       attrs={"clip_value": Attr("float", REQUIRED, low=0.0)}, **{
           "torch": custom("clip_grad_value", "p.grad = {grads}; torch.nn.utils.clip_grad_value_([p], {clip_value}); "
                           "p.grad"),
           "tensorflow": custom("clip_grad_value", "tf.clip_by_value({grads}, -{clip_value}, {clip_value})"),
           "jax": custom("clip_grad_value", "tx = optax.clip({clip_value}); tx.update({grads}, tx.init({grads}))[0]")}),
    op("step_decay_schedule", "optimizer", STEP_ARG, "learning_rate * gamma^floor(step / step_size) at each step "
       "number (torch StepLR, Keras ExponentialDecay(staircase=True), optax.exponential_decay(staircase=True))",
       _step_decay, attrs={"learning_rate": Attr("float", REQUIRED), "step_size": Attr("int", REQUIRED, low=1),
                           "gamma": Attr("float", reference=0.1, low=0.0)}, **{
           "torch": custom("step_decay_schedule", "sched = torch.optim.lr_scheduler.StepLR(opt, step_size={step_size}, "
                           "...); lr after `step` sched.step() calls"),
           "tensorflow": custom("step_decay_schedule", "keras.optimizers.schedules.ExponentialDecay({learning_rate}, "
                                "{step_size}, gamma, staircase=True)({step})", fixed={"staircase": STAIRCASE}),
           "jax": custom("step_decay_schedule", "optax.exponential_decay({learning_rate}, {step_size}, gamma, "
                         "staircase=True)({step})", fixed={"staircase": STAIRCASE})}),
    op("exponential_decay_schedule", "optimizer", STEP_ARG, "learning_rate * decay_rate^(step / decay_steps) "
       "(continuous); torch's ExponentialLR decays once per step (decay_steps 1)", _exp_decay,
       attrs={"learning_rate": Attr("float", REQUIRED), "decay_rate": Attr("float", REQUIRED, low=0.0),
              "decay_steps": Attr("int", REQUIRED, low=1)}, **{
           "torch": custom("exponential_decay_schedule", "torch.optim.lr_scheduler.ExponentialLR(opt, "
                           "gamma={decay_rate}); lr after `step` sched.step() calls"),
           "tensorflow": custom("exponential_decay_schedule", "keras.optimizers.schedules.ExponentialDecay("
                                "{learning_rate}, {decay_steps}, {decay_rate})({step})"),
           "jax": custom("exponential_decay_schedule", "optax.exponential_decay({learning_rate}, {decay_steps}, "
                         "{decay_rate})({step})")}),
    op("cosine_decay_schedule", "optimizer", STEP_ARG, "cosine decay from learning_rate to alpha * learning_rate "
       "over decay_steps, then constant: lr ((1 - alpha) (1 + cos(pi min(t, T) / T)) / 2 + alpha)", _cosine,
       attrs={"learning_rate": Attr("float", REQUIRED), "decay_steps": Attr("int", REQUIRED, low=1),
              "alpha": Attr("float", reference=0.0, low=0.0, high=1.0)}, **{
           "torch": custom("cosine_decay_schedule", "torch.optim.lr_scheduler.CosineAnnealingLR(opt, "
                           "T_max={decay_steps}, eta_min=alpha * lr); lr after `step` sched.step() calls"),
           "tensorflow": custom("cosine_decay_schedule", "keras.optimizers.schedules.CosineDecay({learning_rate}, "
                                "{decay_steps})({step})"),
           "jax": custom("cosine_decay_schedule", "optax.cosine_decay_schedule({learning_rate}, {decay_steps})"
                         "({step})")}),
    op("linear_schedule", "optimizer", STEP_ARG, "linear ramp (warmup or decay) from init_value to end_value over "
       "transition_steps, then constant", _linear,
       attrs={"init_value": Attr("float", REQUIRED), "end_value": Attr("float", REQUIRED),
              "transition_steps": Attr("int", REQUIRED, low=1)}, **{
           "torch": custom("linear_schedule", "torch.optim.lr_scheduler.LinearLR("
                           "SGD([p], lr=max({init_value}, {end_value})), start_factor={init_value} / lr, "
                           "end_factor={end_value} / lr, total_iters={transition_steps})"),
           "tensorflow": custom("linear_schedule", "keras.optimizers.schedules.PolynomialDecay({init_value}, "
                                "{transition_steps}, end_learning_rate={end_value})({step})"),
           "jax": custom("linear_schedule", "optax.linear_schedule({init_value}, {end_value}, {transition_steps})"
                         "({step})")}),
]
