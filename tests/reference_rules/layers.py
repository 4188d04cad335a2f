"""Layers from canonical weights: tiny examples by hand, and NumPy loops written from torch.nn's documented
equations (LSTM, GRU, RNN, MultiheadAttention) and SciPy's softmax."""

from __future__ import annotations

import math

import numpy as np
import scipy.special as sp

from reference_rules.common import NAN, P, Raises, Rule, S, a, rng


def lstm(x: np.ndarray, h: np.ndarray, c: np.ndarray, k: np.ndarray, rk: np.ndarray, bi: np.ndarray, bh: np.ndarray,
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch.nn.LSTM: i, f, g, o gates; c' = f c + i g, h' = o tanh(c')."""
    ys = []
    for t in range(x.shape[1]):
        z = x[:, t] @ k + bi + h @ rk + bh
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sp.expit(f) * c + sp.expit(i) * np.tanh(g)
        h = sp.expit(o) * np.tanh(c)
        ys.append(h)
    return np.stack(ys, 1), h, c


def gru(x: np.ndarray, h: np.ndarray, k: np.ndarray, rk: np.ndarray, bi: np.ndarray, bh: np.ndarray,
        reset_after: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """torch.nn.GRU (reset_after): n = tanh(W_n x + b_in + r (U_n h + b_hn)); otherwise the reset gate multiplies h
    before U_n; h' = (1 - z) n + z h."""
    ys = []
    for t in range(x.shape[1]):
        xr, xz, xn = np.split(x[:, t] @ k + bi, 3, axis=-1)
        hr, hz, hn = np.split(h @ rk + bh, 3, axis=-1)
        r, z = sp.expit(xr + hr), sp.expit(xz + hz)
        if reset_after:
            n = np.tanh(xn + r * hn)
        else:
            n = np.tanh(xn + (r * h) @ np.split(rk, 3, axis=-1)[2] + np.split(bh, 3, axis=-1)[2])
        h = (1 - z) * n + z * h
        ys.append(h)
    return np.stack(ys, 1), h


def attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """softmax(q k^T / sqrt(d)) v per batch and head, [batch, len, heads, dim]; keep [batch, heads, lq, lk]."""
    scores = np.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(q.shape[-1])
    with np.errstate(invalid="ignore"):
        w = sp.softmax(np.where(keep, scores, -np.inf), axis=-1)
    return np.einsum("bhqk,bkhd->bqhd", w, v)


def mha(q: np.ndarray, k: np.ndarray, v: np.ndarray, keep: np.ndarray, *w: np.ndarray, heads: int) -> np.ndarray:
    """torch.nn.MultiheadAttention's equations: project, split head-major, attend, join, project out."""
    qk, qb, kk, kb, vk, vb, ok, ob = w
    split = lambda t: t.reshape(t.shape[0], t.shape[1], heads, -1)  # noqa: E731
    out = attend(split(q @ qk + qb), split(k @ kk + kb), split(v @ vk + vb), keep[:, None, None, :])
    return out.reshape(out.shape[0], out.shape[1], -1) @ ok + ob


def rnn(x: np.ndarray, h: np.ndarray, k: np.ndarray, rk: np.ndarray, bi: np.ndarray, bh: np.ndarray,
        ) -> tuple[np.ndarray, np.ndarray]:
    """torch.nn.RNN (tanh): h' = tanh(x W + b_ih + h U + b_hh); every step's h, and the last."""
    hs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ k + bi + h @ rk + bh)
        hs.append(h)
    return np.stack(hs, 1), h


B, T_, IN, H = 2, 3, 4, 2
XS = rng.normal(size=(B, T_, IN))
LSTM_W = (rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(IN, 4 * H)), rng.normal(size=(H, 4 * H)),
          rng.normal(size=4 * H), rng.normal(size=4 * H))
GRU_W = (rng.normal(size=(B, H)), rng.normal(size=(IN, 3 * H)), rng.normal(size=(H, 3 * H)), rng.normal(size=3 * H),
         rng.normal(size=3 * H))
Q, K, V = rng.normal(size=(2, 3, 2, 4)), rng.normal(size=(2, 5, 2, 4)), rng.normal(size=(2, 5, 2, 4))
MASK = rng.uniform(size=(2, 2, 3, 5)) > 0.4
E = 4  # the embedding size of multi-head attention: 2 heads of 2
MHA_X = (rng.normal(size=(2, 3, E)), rng.normal(size=(2, 5, E)), rng.normal(size=(2, 5, E)),
         np.array([[True, True, False, True, True], [True, False, False, False, True]]))
MHA_W = tuple(rng.normal(size=s) for s in [(E, E), (E,)] * 4)

RULES = [
    # by hand: zero weights make every gate sigmoid(0) = 1/2 and g = tanh(0) = 0: c = c0 / 2, h = tanh(c) / 2
    Rule("lstm", "zero weights: c halves each step, h = tanh(c) / 2",
         (np.zeros((1, 2, 1)), a(0.0).reshape(1, 1), a(1.0).reshape(1, 1), np.zeros((1, 4)), np.zeros((1, 4)),
          np.zeros(4), np.zeros(4)),
         (a(0.5 * math.tanh(0.5), 0.5 * math.tanh(0.25)).reshape(1, 2, 1), a(0.5 * math.tanh(0.25)).reshape(1, 1),
          a(0.25).reshape(1, 1))),
    Rule("lstm", "torch.nn.LSTM's equations in NumPy", (XS, *LSTM_W), lstm),
    # by hand: zero weights: r = z = 1/2, n = tanh(0) = 0, h = (1 - 1/2) 0 + h0 / 2
    Rule("gru", "zero weights: h halves each step",
         (np.zeros((1, 2, 1)), a(1.0).reshape(1, 1), np.zeros((1, 3)), np.zeros((1, 3)), np.zeros(3), np.zeros(3)),
         (a(0.5, 0.25).reshape(1, 2, 1), a(0.25).reshape(1, 1))),
    Rule("gru", "reset_after: torch.nn.GRU's equations in NumPy", (XS, *GRU_W), gru),
    Rule("lstm_cell", "one step: the sequence layer's last states over a length-1 sequence", (XS[:, 0], *LSTM_W),
         lambda x, h, c, k, rk, bi, bh: lstm(x[:, None], h, c, k, rk, bi, bh)[1:]),
    Rule("gru_cell", "one step: the sequence layer's last state over a length-1 sequence", (XS[:, 0], *GRU_W),
         lambda x, h, k, rk, bi, bh: gru(x[:, None], h, k, rk, bi, bh)[1]),
    # by hand: zero weights: r = z = 1/2, n = 0, so h' = h / 2
    Rule("gru_cell", "zero weights: h halves", (np.zeros((1, 1)), a(1.0).reshape(1, 1), np.zeros((1, 3)),
                                                 np.zeros((1, 3)), np.zeros(3), np.zeros(3)), a(0.5).reshape(1, 1)),
    Rule("gru", "reset before U_n (Keras' reset_after=False)", (XS, *GRU_W),
         lambda x, h, k, rk, bi, bh: gru(x, h, k, rk, bi, bh, reset_after=False),
         {"reset_after": False}),
    # by hand: one unit, kernel 1, recurrent 0.5, h0 0, x = [1, 1]: h1 = tanh(1), h2 = tanh(1 + 0.5 tanh(1))
    Rule("simple_rnn", "h = tanh(x k + h r + biases), by hand",
         (np.ones((1, 2, 1)), a(0.0).reshape(1, 1), a(1.0).reshape(1, 1), a(0.5).reshape(1, 1), a(0.0), a(0.0)),
         (a(math.tanh(1.0), math.tanh(1.0 + 0.5 * math.tanh(1.0))).reshape(1, 2, 1),
          a(math.tanh(1.0 + 0.5 * math.tanh(1.0))).reshape(1, 1))),
    Rule("simple_rnn", "torch.nn.RNN's equation in NumPy",
         (XS, GRU_W[0], LSTM_W[2][:, :H], LSTM_W[3][:, :H], LSTM_W[4][:H], LSTM_W[5][:H]), rnn),
    Rule("embedding_layer", "rows of the table at the ids", (np.array([[2, 0], [1, 1]]), S), lambda i, t: t[i]),
    Rule("embedding_layer", "an id past the table raises", (np.array([3]), S), Raises(IndexError)),
    Rule("embedding_layer", "a negative id raises", (np.array([-1]), S), Raises(IndexError)),
    Rule("dense_layer", "x @ kernel + bias", (S, P.T, a(1.0, -1.0, 0.5)), lambda x, k, b: x @ k + b),
    Rule("attention", "softmax(q k^T / sqrt(d)) v per head (SciPy's softmax)", (Q, K, V),
         lambda q, k, v: attend(q, k, v, np.ones((1, 1, 3, 5), bool))),
    Rule("attention", "causal, lengths 3 and 5: query i attends keys 0..i (top-left)", (Q, K, V),
         lambda q, k, v: attend(q, k, v, np.tril(np.ones((3, 5), bool))[None, None]), {"is_causal": True}),
    Rule("masked_attention", "True attends", (Q, K, V, MASK), attend),
    Rule("masked_attention", "a fully masked row is NaN (softmax over nothing)", (Q, K, V, np.zeros((2, 2, 3, 5), bool)),
         np.full((2, 3, 2, 4), NAN)),
    Rule("multi_head_attention", "torch.nn.MultiheadAttention's equations in NumPy, key_keep True = attend",
         (*MHA_X, *MHA_W), lambda *x: mha(*x, heads=2), {"num_heads": 2}),
]

