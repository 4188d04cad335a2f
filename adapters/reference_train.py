"""The reference's training half: a dense model, jax.grad, and each optimizer's one rule in float64.

The update is the optimizer's rule in oracle/ops/optimizer_rules.py, the same function the
`<name>_step` ops step through; unpinned hyperparameters take the values those declarations
state (the papers' where they give one); the columns use their own on purpose.
`OptimizerConventions` selects the alternatives the diff can name (oracle/semantics.py): where
epsilon sits in Adam and RMSprop, and whether weight decay is decoupled or an L2 term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from oracle.ops import OPS, OPTIMIZERS
from oracle.ops.optimizer_rules import RULES
from oracle.ops.refctx import R
from oracle.training import NativeOptimizer, StepResult


def stated(name: str) -> dict[str, Any]:
    """The hyperparameters' values the `<name>_step` declaration states for the reference."""
    return {k: a.reference_value() for k, a in OPS[f"{name}_step"].attrs.items() if k not in ("steps", "per_step")}


REFERENCE_DEFAULTS: dict[str, dict[str, Any]] = {name: stated(name) for name in OPTIMIZERS}
STRICT_DECAY = {"adam": "l2", "adamw": "decoupled"}


@dataclass(frozen=True)
class OptimizerConventions:
    epsilon: str = "outside"  # outside | eps_hat | inside_sqrt
    decay: str = ""  # "" = as the optimizer is named (adam: l2, adamw: decoupled) | l2 | decoupled


def alternatives(name: str, hyperparameters: dict[str, Any]) -> list[OptimizerConventions]:
    """The conventions worth running for this optimizer (the strict one first)."""
    declared = OPS[f"{name}_step"].alternatives
    eps = ["outside"] + [e for e, key in (("eps_hat", "eps_hat"), ("inside_sqrt", "eps_inside_sqrt")) if key in declared]
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
        state = {"step": 0, "slots": {}}
        return NativeOptimizer({"name": name, "hp": used, "state": state}, dict(used), dict(used),
                               f"reference.{name} (float64; {conv})")

    def _rules(self) -> R:
        """The conventions as the alternatives the optimizer rules read through r.follows."""
        c = self.conventions
        active = {"eps_hat": "eps_hat", "inside_sqrt": "eps_inside_sqrt"}.get(c.epsilon, "")
        return R(self.jnp, None, frozenset(k for k in (active, f"{c.decay}_decay" if c.decay else "") if k))

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: Any) -> StepResult:
        params, activations = model["params"], model["activations"]
        loss, grads = self.jax.value_and_grad(lambda p: loss_of(self._forward(p, activations, x)))(params)
        opt, r = optimizer.optimizer, self._rules()
        opt["state"]["step"] += 1
        for name in params:
            slots = opt["state"]["slots"].setdefault(name, {})
            params[name] = RULES[opt["name"]](r, params[name], grads[name], slots, opt["state"]["step"], **opt["hp"])
        return StepResult(loss, dict(grads))

    def parameters(self, model: Any) -> dict[str, Any]:
        return dict(model["params"])
