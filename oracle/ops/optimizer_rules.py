"""Each optimizer's reference update, written once: one step on one parameter tensor.

`RULES[name](r, p, g, state, t, **hp)` returns the parameter after step t (1-based) and
updates `state` (that parameter's slots, a dict starting empty) in place. The `<name>_step`
ops (oracle/ops/optimizers.py), the multi-parameter `optimize` op and the reference's
training loop (adapters/reference_train.py) all step through these functions; the
hyperparameters' stated values live once, in the `<name>_step` declarations.
Where a convention is a choice, the strict one is computed and `r.follows(...)` selects a
declared alternative (oracle/semantics.py).
"""

from __future__ import annotations

import math
from typing import Any, Callable

Rule = Callable[..., Any]


def _norm(xp, x):  # type: ignore[no-untyped-def]
    return xp.sqrt(xp.sum(x * x))


def _decay_grad(r, p, g, wd, strict):  # type: ignore[no-untyped-def]
    """(gradient with an L2 term, decoupled factor) under the strict convention or the followed alternative."""
    decoupled = (strict == "decoupled" and not r.follows("l2_decay")) or (strict == "l2" and r.follows("decoupled_decay"))
    return (g, wd) if decoupled else (g + wd * p, 0.0)


def sgd(r, p, g, s, t, learning_rate, momentum, dampening, nesterov, weight_decay):  # type: ignore[no-untyped-def]
    """Heavy ball: b_t = mu b_{t-1} + (1 - dampening) g (b_0 = 0); nesterov: p -= lr (g + mu b), else p -= lr b.

    Weight decay is an L2 term added to the gradient (alternative: decoupled, p -= lr wd p first).
    """
    g, dec = _decay_grad(r, p, g, weight_decay, "l2")
    p = p - learning_rate * dec * p
    if momentum:
        b = s["b"] = momentum * s.get("b", 0.0) + (1 - dampening) * g
        g = g + momentum * b if nesterov else b
    return p - learning_rate * g


def _adam_like(r, p, g, s, t, learning_rate, beta1, beta2, epsilon, weight_decay, strict):  # type: ignore[no-untyped-def]
    xp = r.xp
    g, dec = _decay_grad(r, p, g, weight_decay, strict)
    m = s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    if r.follows("eps_hat"):
        step = learning_rate * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m / (xp.sqrt(v) + epsilon)
    elif r.follows("eps_inside_sqrt"):
        step = learning_rate * (m / (1 - beta1 ** t)) / xp.sqrt(v / (1 - beta2 ** t) + epsilon)
    else:
        step = learning_rate * (m / (1 - beta1 ** t)) / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon)
    return p - learning_rate * dec * p - step


def adam(r, p, g, s, t, learning_rate, beta1, beta2, epsilon, weight_decay):  # type: ignore[no-untyped-def]
    """Kingma & Ba (2015) Algorithm 1: m_hat / (sqrt(v_hat) + eps); weight decay as an L2 term on the gradient."""
    return _adam_like(r, p, g, s, t, learning_rate, beta1, beta2, epsilon, weight_decay, "l2")


def adamw(r, p, g, s, t, learning_rate, beta1, beta2, epsilon, weight_decay):  # type: ignore[no-untyped-def]
    """Loshchilov & Hutter (2019): Adam with the decay decoupled, p -= lr wd p (scaled by the learning rate)."""
    return _adam_like(r, p, g, s, t, learning_rate, beta1, beta2, epsilon, weight_decay, "decoupled")


def adamax(r, p, g, s, t, learning_rate, beta1, beta2, epsilon):  # type: ignore[no-untyped-def]
    """Kingma & Ba (2015) Algorithm 2: u = max(b2 u, |g|); p -= lr / (1 - b1^t) m / (u + eps) (eps: stated choice)."""
    xp = r.xp
    m = s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    u = s["u"] = xp.maximum(beta2 * s.get("u", 0.0), xp.abs(g))
    return p - learning_rate / (1 - beta1 ** t) * m / (u + epsilon)


def nadam(r, p, g, s, t, learning_rate, beta1, beta2, epsilon):  # type: ignore[no-untyped-def]
    """Dozat (2016) with the momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(0.004 t)):

    m_hat = mu_{t+1} m / (1 - prod_{i<=t+1} mu_i) + (1 - mu_t) g / (1 - prod_{i<=t} mu_i);
    p -= lr m_hat / (sqrt(v / (1 - b2^t)) + eps).
    """
    xp = r.xp
    mu = beta1 * (1 - 0.5 * 0.96 ** (0.004 * t))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** (0.004 * (t + 1)))
    prod = s["prod"] = s.get("prod", 1.0) * mu
    m = s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    m_hat = mu_next * m / (1 - prod * mu_next) + (1 - mu) * g / (1 - prod)
    return p - learning_rate * m_hat / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon)


def radam(r, p, g, s, t, learning_rate, beta1, beta2, epsilon):  # type: ignore[no-untyped-def]
    """Liu et al. (2020) Algorithm 2: rectify when rho_t > 4 (the paper's threshold), else plain momentum SGD."""
    xp = r.xp
    rho_inf = 2 / (1 - beta2) - 1
    m = s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    rho = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
    if rho > 4:
        rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        return p - learning_rate * rect * m_hat / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon)
    return p - learning_rate * m_hat


def adagrad(r, p, g, s, t, learning_rate, epsilon, initial_accumulator_value):  # type: ignore[no-untyped-def]
    """Duchi et al. (2011): G += g^2 (G_0 = initial_accumulator_value, 0 in the paper); p -= lr g / (sqrt(G) + eps)."""
    xp = r.xp
    acc = s["acc"] = s.get("acc", initial_accumulator_value) + g * g
    den = xp.sqrt(acc + epsilon) if r.follows("eps_inside_sqrt") else xp.sqrt(acc) + epsilon
    return p - learning_rate * g / den


def adadelta(r, p, g, s, t, learning_rate, rho, epsilon):  # type: ignore[no-untyped-def]
    """Zeiler (2012) Algorithm 1 (no learning rate in the paper: 1.0): dx = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) g."""
    xp = r.xp
    eg = s["eg"] = rho * s.get("eg", 0.0) + (1 - rho) * g * g
    dx = xp.sqrt(s.get("edx", 0.0) + epsilon) / xp.sqrt(eg + epsilon) * g
    s["edx"] = rho * s.get("edx", 0.0) + (1 - rho) * dx * dx
    return p - learning_rate * dx


def rmsprop(r, p, g, s, t, learning_rate, rho, epsilon, momentum, centered):  # type: ignore[no-untyped-def]
    """Hinton (lecture 6e); centered as Graves (2013): v = rho v + (1 - rho) g^2, den = sqrt(v - mean_g^2) + eps.

    With momentum: b = mu b + g / den; p -= lr b. Alternative: eps inside the square root.
    """
    xp = r.xp
    v = s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    sq = v
    if centered:
        mg = s["mg"] = rho * s.get("mg", 0.0) + (1 - rho) * g
        sq = v - mg * mg
    den = xp.sqrt(sq + epsilon) if r.follows("eps_inside_sqrt") else xp.sqrt(sq) + epsilon
    b = s["b"] = momentum * s.get("b", 0.0) + g / den
    return p - learning_rate * b


def lion(r, p, g, s, t, learning_rate, beta1, beta2, weight_decay):  # type: ignore[no-untyped-def]
    """Chen et al. (2023): c = b1 m + (1 - b1) g; p -= lr (sign(c) + wd p); m = b2 m + (1 - b2) g."""
    c = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    p = p - learning_rate * (r.xp.sign(c) + weight_decay * p)
    s["m"] = beta2 * s.get("m", 0.0) + (1 - beta2) * g
    return p


def lamb(r, p, g, s, t, learning_rate, beta1, beta2, epsilon, weight_decay):  # type: ignore[no-untyped-def]
    """You et al. (2020): u = m_hat / (sqrt(v_hat) + eps) + wd p; p -= lr * (||p|| / ||u||) * u (ratio 1 if a norm is 0)."""
    xp = r.xp
    m = s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    u = (m / (1 - beta1 ** t)) / (xp.sqrt(v / (1 - beta2 ** t)) + epsilon) + weight_decay * p
    pn, un = _norm(xp, p), _norm(xp, u)
    ok = (pn > 0) & (un > 0)
    ratio = xp.where(ok, pn / xp.where(ok, un, 1.0), 1.0)
    return p - learning_rate * ratio * u


RULES: dict[str, Rule] = {"sgd": sgd, "adam": adam, "adamw": adamw, "adamax": adamax, "nadam": nadam,
                          "radam": radam, "adagrad": adagrad, "adadelta": adadelta, "rmsprop": rmsprop,
                          "lion": lion, "lamb": lamb}


def run(rule: Rule, r: Any, params: Any, grads: Any, steps: int, per_step: bool = False, **hp: Any) -> Any:
    """`steps` updates of one parameter, each with the same gradient; per_step: grads[t] at step t."""
    p, state = params, {}  # type: ignore[var-annotated]
    for t in range(1, (grads.shape[0] if per_step else steps) + 1):
        p = rule(r, p, grads[t - 1] if per_step else grads, state, t, **hp)
    return p


def clip(r: Any, grads: list[Any], how: str, bound: float) -> list[Any]:
    """Clip a step's gradients: `global_norm` (one norm over every tensor), `per_tensor_norm`, `value`.

    g * min(1, bound / ||g||) with no epsilon; a zero norm leaves the gradient unscaled; a non-finite
    norm gives what the formula gives (inf * 0 is NaN).
    """
    xp = r.xp
    if how == "value":
        return [xp.clip(g, -bound, bound) for g in grads]
    if how == "none":
        return grads
    norms = [_norm(xp, g) for g in grads]
    if how == "global_norm":
        total = xp.sqrt(sum(n * n for n in norms))
        norms = [total] * len(grads)
    return [g * xp.minimum(1.0, bound / xp.where(n > 0, n, 1.0)) for g, n in zip(grads, norms)]
