"""Optimizers: updates worked out by hand from the papers' rules (torch's documented ones), schedules, clipping."""

from __future__ import annotations

import mpmath
import numpy as np

from oracle.ops.refctx import Undefined
from reference_rules.common import Raises, Rule, a

PG = (a(1.0, -2.0, 0.5), a(0.5, -1.0, 2.0))  # parameters and one gradient


def adam_dir(g: np.ndarray, eps: float) -> np.ndarray:
    """m_hat / (sqrt(v_hat) + eps) when m_hat = g and v_hat = g^2."""
    return g / (np.abs(g) + eps)


def nadam_step1(p: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Dozat (2016), step 1 from zero moments: m = 0.1 g, v = 0.001 g^2, so v_hat = g^2 and
    m_hat = mu_2 m / (1 - mu_1 mu_2) + (1 - mu_1) g / (1 - mu_1) = mu_2 0.1 g / (1 - mu_1 mu_2) + g."""
    mu1, mu2 = 0.9 * (1 - 0.5 * 0.96 ** 0.004), 0.9 * (1 - 0.5 * 0.96 ** 0.008)
    return p - 0.002 * (mu2 * 0.1 * g / (1 - mu1 * mu2) + g) / (np.abs(g) + 1e-8)


def radam_rect(t: int) -> float:
    """Liu et al. (2020): rho_t = rho_inf - 2 t b2^t / (1 - b2^t), r_t from the paper, in mpmath at 50 digits."""
    with mpmath.workdps(50):
        b2 = mpmath.mpf("0.999")
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        assert rho > 4
        return float(mpmath.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)))


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
    # Adam-like steps with one constant gradient g: m_hat = g and v_hat = g^2 at every step (the bias corrections
    # undo the moving averages), so each step moves lr g / (|g| + eps) = lr sign(g) (1 - eps / (|g| + eps))
    Rule("adamw_step", "step 1: the decay p -= lr wd p, decoupled, plus the Adam step", (PG[0], PG[1]),
         lambda p, g: p - 1e-3 * 0.01 * p - 1e-3 * adam_dir(g, 1e-8)),
    Rule("adamw_step", "two steps with one gradient: each decays then steps", PG,
         lambda p, g: (p * (1 - 1e-3 * 0.01) - 1e-3 * adam_dir(g, 1e-8)) * (1 - 1e-3 * 0.01) - 1e-3 * adam_dir(g, 1e-8),
         {"steps": 2}),
    # Adamax step 1: m = 0.1 g, u = |g|, lr / (1 - 0.9) * 0.1 g / (|g| + eps)
    Rule("adamax_step", "step 1: p - lr g / (|g| + eps), lr 0.002", PG, lambda p, g: p - 0.002 * adam_dir(g, 1e-8)),
    # Adamax step 2 with g then g / 2: m = 0.9 (0.1 g) + 0.1 g / 2 = 0.14 g, u = max(0.999 |g|, |g| / 2) = 0.999 |g|,
    # the step lr / (1 - 0.81) * 0.14 g / (0.999 |g| + eps)
    Rule("adamax_step", "per_step gradients: u keeps the decayed maximum", (PG[0], np.stack([PG[1], PG[1] / 2])),
         lambda p, g: p - 0.002 * adam_dir(g[0], 1e-8) - 0.002 / 0.19 * 0.14 * g[0] / (0.999 * np.abs(g[0]) + 1e-8),
         {"per_step": True}),
    Rule("nadam_step", "step 1 by Dozat's m_hat with mu_t = 0.9 (1 - 0.5 0.96^(0.004 t))", PG, nadam_step1),
    Rule("radam_step", "rho_t <= 4 for t <= 4: four plain momentum steps, each p -= lr m_hat = lr g", PG,
         lambda p, g: p - 4 * 1e-3 * g, {"steps": 4}),
    Rule("radam_step", "step 5 is rectified (rho_5 = 4.99 > 4, the paper's threshold)", PG,
         lambda p, g: p - 4 * 1e-3 * g - 1e-3 * radam_rect(5) * adam_dir(g, 1e-8), {"steps": 5}),
    # Adadelta step 1: E[g^2] = 0.05 g^2, dx = sqrt(0 + eps) / sqrt(0.05 g^2 + eps) g
    Rule("adadelta_step", "step 1: p - sqrt(eps) / sqrt((1 - rho) g^2 + eps) g", PG,
         lambda p, g: p - np.sqrt(1e-6) / np.sqrt(0.05 * g ** 2 + 1e-6) * g),
    # LAMB step 1, wd 0: u = g / (|g| + eps); the trust ratio ||p|| / ||u||
    Rule("lamb_step", "step 1: p - lr (||p|| / ||u||) u", PG,
         lambda p, g: p - 1e-3 * np.linalg.norm(p) / np.linalg.norm(adam_dir(g, 1e-6)) * adam_dir(g, 1e-6)),
    Rule("lamb_step", "a zero parameter: the trust ratio is 1", (a(0.0, 0.0, 0.0), PG[1]),
         lambda p, g: p - 1e-3 * adam_dir(g, 1e-6)),
    # optimize, SGD momentum 0.9, lr 0.1 over two steps (torch.optim.SGD's documented buffer, b_1 = g_1):
    # w: b = [1, 2] -> w = [0.9, 0.8]; b = 0.9 [1, 2] + [0.5, -1] = [1.4, 0.8] -> w = [0.76, 0.72]
    # b: b = 1 -> -0.1; b = 0.9 + 1 = 1.9 -> -0.29
    Rule("optimize", "two steps of SGD with momentum, by hand",
         (a(1.0, 1.0), a(1.0, 2.0, 0.5, -1.0).reshape(2, 2), a(0.0), a(1.0, 1.0).reshape(2, 1)),
         (a(0.9, 0.8, 0.76, 0.72).reshape(2, 2), a(-0.1, -0.29).reshape(2, 1), a(0.1, 0.1)),
         {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.9}),
    # global norm of ([3, 0], [4]) is 5: clipped to 1, the gradients are scaled by 1/5
    Rule("optimize", "global_norm clipping: one norm over both tensors",
         (a(0.0, 0.0), a(3.0, 0.0).reshape(1, 2), a(0.0), a(4.0).reshape(1, 1)),
         (a(-0.6, 0.0).reshape(1, 2), a(-0.8).reshape(1, 1), a(1.0)),
         {"optimizer": "sgd", "learning_rate": 1.0, "clip": "global_norm", "clip_bound": 1.0}),
    # step_decay, gamma 0.5 each step: rates 1, 0.5, 0.25 applied to a gradient of 1
    Rule("optimize", "a step-decay schedule: the rate step t applies is the schedule after t - 1 updates",
         (a(0.0), np.ones((3, 1)), a(0.0), np.zeros((3, 1))),
         (a(-1.0, -1.5, -1.75).reshape(3, 1), np.zeros((3, 1)), a(1.0, 0.5, 0.25)),
         {"optimizer": "sgd", "learning_rate": 1.0, "schedule": "step_decay", "decay_steps": 1, "decay_rate": 0.5}),
    Rule("optimize", "a hyperparameter the optimizer does not have is undefined",
         (a(0.0), np.ones((1, 1)), a(0.0), np.ones((1, 1))), Raises(Undefined), {"optimizer": "sgd", "beta1": 0.9}),
    # SGD, Nesterov, mu 0.9, lr 0.1, g = 1 twice (torch.optim.SGD's documented rule): b1 = 1, step g + mu b1 = 1.9;
    # b2 = 0.9 + 1 = 1.9, step 1 + 0.9 * 1.9 = 2.71; p = 1 - 0.19 - 0.271
    Rule("sgd_step", "Nesterov momentum, two steps by hand", (a(1.0), a(1.0)), a(1.0 - 0.19 - 0.271),
         {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "steps": 2}),
    # weight decay as an L2 term: g + wd p = 0.5 + 0.1 * 1 = 0.6; p = 1 - 0.1 * 0.6
    Rule("sgd_step", "weight decay is an L2 term added to the gradient", (a(1.0), a(0.5)), a(0.94),
         {"learning_rate": 0.1, "weight_decay": 0.1}),
    # the stated convention b_1 = (1 - dampening) g: b1 = 0.5, b2 = 0.9 * 0.5 + 0.5 = 0.95; p = 0 - 0.1 (0.5 + 0.95)
    Rule("sgd_step", "dampening applies from the first step (the reference's stated convention)", (a(0.0), a(1.0)),
         a(-0.145), {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.5, "steps": 2}),
    Rule("adam_step", "weight decay as an L2 term: the step follows g + wd p", PG,
         lambda p, g: p - 1e-3 * adam_dir(g + 0.1 * p, 1e-8), {"weight_decay": 0.1}),
    # g then -g: m = 0.9 (0.1 g) - 0.1 g = -0.01 g, m_hat = -0.01 g / 0.19; v = 0.999 (0.001 g^2) + 0.001 g^2 =
    # 0.001999 g^2 = (1 - 0.999^2) g^2, so v_hat = g^2
    Rule("adam_step", "a reversed second gradient: m_hat = -g / 19, v_hat = g^2", (PG[0], np.stack([PG[1], -PG[1]])),
         lambda p, g: p - 1e-3 * adam_dir(g[0], 1e-8) - 1e-3 * (-0.01 / 0.19) * g[0] / (np.abs(g[0]) + 1e-8),
         {"per_step": True}),
    # Adagrad from an initial accumulator 0.1: G = 0.1 + g^2
    Rule("adagrad_step", "initial_accumulator_value starts the sum of squares", PG,
         lambda p, g: p - 0.01 * g / (np.sqrt(0.1 + g ** 2) + 1e-10), {"initial_accumulator_value": 0.1}),
    # centered: v = 0.1 g^2, mean g = 0.1 g, v - mean^2 = 0.09 g^2: the denominator 0.3 |g| + eps
    Rule("rmsprop_step", "centered (Graves 2013): v - mean(g)^2 under the root", PG,
         lambda p, g: p - 1e-3 * g / (0.3 * np.abs(g) + 1e-8), {"centered": True}),
    # momentum 0.9, g twice: b1 = g / (sqrt(0.1) |g| + eps); v2 = 0.19 g^2, b2 = 0.9 b1 + g / (sqrt(0.19) |g| + eps)
    Rule("rmsprop_step", "with momentum, two steps by hand", PG,
         lambda p, g: p - 1e-3 * (b1 := g / (np.sqrt(0.1) * np.abs(g) + 1e-8))
         - 1e-3 * (0.9 * b1 + g / (np.sqrt(0.19) * np.abs(g) + 1e-8)), {"momentum": 0.9, "steps": 2}),
    # Lion: step 1 moves by lr sign(0.1 g) and keeps m = 0.01 g; step 2 with -0.1 g interpolates
    # c = 0.9 m + 0.1 (-0.1 g) = -0.001 g: the move reverses, back to the start
    Rule("lion_step", "c interpolates with beta1, m with beta2: g then -0.1 g returns to the start",
         (PG[0], np.stack([PG[1], -0.1 * PG[1]])), lambda p, g: p, {"per_step": True}),
    Rule("clip_grad_norm", "a zero gradient stays zero (no 0/0)", (a(0.0, -0.0),), a(0.0, -0.0), {"max_norm": 1.0},
         signed=True),
    Rule("clip_grad_norm", "a norm below max_norm leaves the gradient as it is", (a(0.3, 0.4),), a(0.3, 0.4),
         {"max_norm": 1.0}),
    # cosine decay to alpha 0.1: lr ((1 - 0.1) (1 + cos(pi t / 4)) / 2 + 0.1) at t = 0, 2, 4, 8
    Rule("cosine_decay_schedule", "alpha is the final fraction of the rate", (np.array([0, 2, 4, 8]),),
         a(1.0, 0.55, 0.1, 0.1), {"learning_rate": 1.0, "decay_steps": 4, "alpha": 0.1}),
    # per-tensor norms: [3, 4] has norm 5 -> [0.6, 0.8]; [0.5] has norm 0.5 < 1: unchanged
    Rule("optimize", "per_tensor_norm clipping: each tensor its own norm",
         (a(0.0, 0.0), a(3.0, 4.0).reshape(1, 2), a(0.0), a(0.5).reshape(1, 1)),
         (a(-0.6, -0.8).reshape(1, 2), a(-0.5).reshape(1, 1), a(1.0)),
         {"optimizer": "sgd", "learning_rate": 1.0, "clip": "per_tensor_norm", "clip_bound": 1.0}),
    Rule("optimize", "value clipping: each element to [-c, c]",
         (a(0.0, 0.0), a(3.0, -0.2).reshape(1, 2), a(0.0), a(-4.0).reshape(1, 1)),
         (a(-1.0, 0.2).reshape(1, 2), a(1.0).reshape(1, 1), a(1.0)),
         {"optimizer": "sgd", "learning_rate": 1.0, "clip": "value", "clip_bound": 1.0}),
    # cosine_decay, T = 2: the rates of steps 1, 2, 3 are the schedule at 0, 1, 2 updates made: 1, 0.5, 0
    Rule("optimize", "a cosine schedule stepped once per update", (a(0.0), np.ones((3, 1)), a(0.0), np.zeros((3, 1))),
         (a(-1.0, -1.5, -1.5).reshape(3, 1), np.zeros((3, 1)), a(1.0, 0.5, 0.0)),
         {"optimizer": "sgd", "learning_rate": 1.0, "schedule": "cosine_decay", "decay_steps": 2}),
    Rule("optimize", "Adam on two tensors: each its own moments (one step, lr 0.1)",
         (a(1.0, -1.0), a(0.5, -2.0).reshape(1, 2), a(0.0), a(3.0).reshape(1, 1)),
         (a(1.0, -1.0).reshape(1, 2) - 0.1 * adam_dir(a(0.5, -2.0), 1e-8).reshape(1, 2),
          a(-0.1 * adam_dir(a(3.0), 1e-8)[0]).reshape(1, 1), a(0.1)),
         {"optimizer": "adam", "learning_rate": 0.1}),
]
