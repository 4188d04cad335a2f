"""Optimizers: updates worked out by hand from the papers' rules (torch's documented ones), schedules, clipping."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, a

RULES = [
    Rule("sgd_step", "p - lr g", (a(1.0, -2.0), a(0.5, -1.0)), a(0.95, -1.9), {"learning_rate": 0.1}),
    Rule("adam_step", "step 1: m_hat = g, v_hat = g^2: p - lr g / (|g| + eps)", (a(1.0, -2.0), a(0.5, -1.0)),
         lambda p, g: p - 1e-3 * g / (np.abs(g) + 1e-8)),
    Rule("adagrad_step", "step 1 from a zero accumulator: p - lr g / (|g| + eps)", (a(1.0, -2.0), a(0.5, -1.0)),
         lambda p, g: p - 0.01 * g / (np.abs(g) + 1e-10)),
    Rule("rmsprop_step", "step 1: v = (1 - rho) g^2; p - lr g / (sqrt(v) + eps)", (a(1.0, -2.0), a(0.5, -1.0)),
         lambda p, g: p - 1e-3 * g / (np.sqrt(0.1 * g ** 2) + 1e-8)),
    Rule("lion_step", "step 1: p - lr sign(g)", (a(1.0, -2.0), a(0.5, -1.0)), lambda p, g: p - 1e-4 * np.sign(g)),
    Rule("clip_grad_norm", "scaled to max_norm when the norm exceeds it", (a(3.0, 4.0),), a(0.6, 0.8), {"max_norm": 1.0}),
    Rule("clip_grad_value", "each element clipped to [-c, c]", (a(3.0, -4.0, 0.5),), a(1.0, -1.0, 0.5), {"clip_value": 1.0}),
    Rule("step_decay_schedule", "lr gamma^floor(step / step_size)", (np.array([0, 2, 5]),), a(1.0, 0.1, 0.01),
         {"learning_rate": 1.0, "step_size": 2}),
    Rule("exponential_decay_schedule", "lr rate^(step / decay_steps), continuous", (np.array([0, 1, 2]),),
         a(1.0, 0.5 ** 0.5, 0.5), {"learning_rate": 1.0, "decay_rate": 0.5, "decay_steps": 2}),
    Rule("cosine_decay_schedule", "lr (1 + cos(pi t / T)) / 2, flat after T", (np.array([0, 2, 4, 6]),),
         a(1.0, 0.5, 0.0, 0.0), {"learning_rate": 1.0, "decay_steps": 4}),
    Rule("linear_schedule", "init + (end - init) min(step / T, 1)", (np.array([0, 1, 4]),), a(1.0, 0.5, 0.0),
         {"init_value": 1.0, "end_value": 0.0, "transition_steps": 2}),
]
