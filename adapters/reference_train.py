"""The reference's training half: a dense model, jax.grad and the optimizers written out in float64.

Each optimizer's strict formula is in its docstring; `OptimizerConventions` selects the
alternatives the diff can name (oracle/semantics.py): where epsilon sits in Adam and
RMSprop, and whether weight decay is decoupled or an L2 term added to the gradient.
Unpinned hyperparameters take the reference's stated defaults (REFERENCE_DEFAULTS), the
ones of the papers that introduced each method; the columns use their own on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oracle.training import NativeOptimizer, StepResult

# Adam: Kingma & Ba (2015), Algorithm 1. RMSprop: Hinton, lecture 6e (rho 0.9). SGD: no momentum.
# AdamW: Loshchilov & Hutter (2019) give no default decay; 0.01 is the reference's stated choice.
REFERENCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "adam": {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 0.0},
    "adamw": {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 0.01},
    "rmsprop": {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-8},
}
STRICT_DECAY = {"adam": "l2", "adamw": "decoupled"}


@dataclass(frozen=True)
class OptimizerConventions:
    epsilon: str = "outside"  # outside | eps_hat | inside_sqrt
    decay: str = ""  # "" = as the optimizer is named (adam: l2, adamw: decoupled) | l2 | decoupled


@dataclass
class _State:
    step: int = 0
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)  # param -> {"m": .., "v": ..}


def alternatives(name: str, hyperparameters: dict[str, Any]) -> list[OptimizerConventions]:
    """The conventions worth running for this optimizer (the strict one first)."""
    eps = {"adam": ["outside", "eps_hat", "inside_sqrt"], "adamw": ["outside", "eps_hat", "inside_sqrt"],
           "rmsprop": ["outside", "inside_sqrt"]}.get(name, ["outside"])
    decays = [""]
    if name in STRICT_DECAY and hyperparameters.get("weight_decay"):
        decays.append("decoupled" if STRICT_DECAY[name] == "l2" else "l2")
    return [OptimizerConventions(e, d) for e in eps for d in decays]


class ReferenceTraining:
    """Mixed into the reference backend: the Trainer surface of oracle/training.py."""

    jax: Any
    jnp: Any
    conventions: OptimizerConventions

    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        params = {name: self.jnp.asarray(w, dtype=self.jnp.float64) for name, w in weights.items()}
        return {"params": params, "activations": [layer["activation"] for layer in layers]}, \
            "reference: h = activation(h @ kernel + bias) per layer (float64)"

    def _forward(self, params: dict[str, Any], activations: list[str], x: Any) -> Any:
        h = x
        for i, activation in enumerate(activations):
            h = h @ params[f"dense{i}.kernel"] + params[f"dense{i}.bias"]
            h = {"linear": lambda v: v, "relu": self.jax.nn.relu, "tanh": self.jnp.tanh,
                 "sigmoid": self.jax.nn.sigmoid}[activation](h)
        return h

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer:
        used = {**REFERENCE_DEFAULTS[name], **pinned}
        c = self.conventions
        conv = f"epsilon {c.epsilon}" + (f", {c.decay} decay" if c.decay else "")
        return NativeOptimizer({"name": name, "hp": used, "state": _State()}, dict(used), dict(used),
                               f"reference.{name} (float64; {conv})")

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: Any) -> StepResult:
        params, activations = model["params"], model["activations"]
        loss, grads = self.jax.value_and_grad(lambda p: loss_of(self._forward(p, activations, x)))(params)
        opt = optimizer.optimizer
        update = {"sgd": self._sgd, "adam": self._adam, "adamw": self._adam, "rmsprop": self._rmsprop}[opt["name"]]
        opt["state"].step += 1
        for name in params:
            slots = opt["state"].slots.setdefault(name, {})
            params[name] = update(opt["name"], opt["hp"], opt["state"].step, params[name], grads[name], slots)
        return StepResult(loss, dict(grads))

    def parameters(self, model: Any) -> dict[str, Any]:
        return dict(model["params"])

    def _sgd(self, name: str, hp: dict[str, Any], t: int, p: Any, g: Any, slots: dict[str, Any]) -> Any:
        """b <- mu b + g (b_1 = g); nesterov: p <- p - lr (g + mu b); else p <- p - lr b. No dampening."""
        mu, lr = hp["momentum"], hp["learning_rate"]
        if not mu:
            return p - lr * g
        b = slots["b"] = mu * slots["b"] + g if "b" in slots else g
        return p - lr * (g + mu * b if hp["nesterov"] else b)

    def _adam(self, name: str, hp: dict[str, Any], t: int, p: Any, g: Any, slots: dict[str, Any]) -> Any:
        """Adam (Kingma & Ba), epsilon outside the square root of the bias-corrected second moment:

            m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
            p <- p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)

        Weight decay wd: `adam` adds the L2 term to the gradient first (g <- g + wd p);
        `adamw` decouples it (p <- p - lr wd p, from the parameters before this step).
        Alternatives: eps_hat (eps added to sqrt(v) before bias correction, i.e.
        lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps), the paper's "efficient" form) and
        eps_inside_sqrt (m_hat / sqrt(v_hat + eps)); the other decay convention.
        """
        jnp, c = self.jnp, self.conventions
        lr, b1, b2, eps, wd = (hp[k] for k in ("learning_rate", "beta1", "beta2", "epsilon", "weight_decay"))
        decay = c.decay or STRICT_DECAY[name]
        if wd and decay == "l2":
            g = g + wd * p
        m = slots["m"] = b1 * slots.get("m", 0.0) + (1 - b1) * g
        v = slots["v"] = b2 * slots.get("v", 0.0) + (1 - b2) * g * g
        if c.epsilon == "eps_hat":
            step = lr * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (jnp.sqrt(v) + eps)
        elif c.epsilon == "inside_sqrt":
            step = lr * (m / (1 - b1 ** t)) / jnp.sqrt(v / (1 - b2 ** t) + eps)
        else:
            step = lr * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps)
        if wd and decay == "decoupled":
            p = p - lr * wd * p
        return p - step

    def _rmsprop(self, name: str, hp: dict[str, Any], t: int, p: Any, g: Any, slots: dict[str, Any]) -> Any:
        """v <- rho v + (1 - rho) g^2 (v_0 = 0); p <- p - lr g / (sqrt(v) + eps). Alternative: eps inside sqrt."""
        lr, rho, eps = hp["learning_rate"], hp["rho"], hp["epsilon"]
        v = slots["v"] = rho * slots.get("v", 0.0) + (1 - rho) * g * g
        if self.conventions.epsilon == "inside_sqrt":
            return p - lr * g / self.jnp.sqrt(v + eps)
        return p - lr * g / (self.jnp.sqrt(v) + eps)
