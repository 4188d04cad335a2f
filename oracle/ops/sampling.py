"""Random sampling and more default initialisers, compared as distributions (observe them as `stats`).

A sampler has an intended distribution, stated in its doc; the reference draws its own sample from it with
NumPy (default_rng(0)), never with a column's code, and the columns' statistics are judged against it by
oracle/stats.py's test. Each framework is seeded as its users seed it (torch.manual_seed(0) in a forked
generator, keras' seed=0, jax.random.key(0)). A default initialiser has no intended value: the reference
has none (see oracle/ops/stochastic.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.ops.spec import REQUIRED, Attr, custom, expression, fix, op
from oracle.ops.stochastic import _no_default


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _categorical(r: Any, logits: Any, num_samples: int) -> Any:
    """num_samples class indices drawn independently from softmax(logits) (a 1-D logits vector)."""
    z = np.asarray(r.concrete(logits), dtype=np.float64)
    p = np.exp(z - z.max())
    return r.xp.asarray(_rng().choice(z.shape[-1], size=num_samples, p=p / p.sum()))


def _normal(r: Any, num_samples: int, mean: float, std: float) -> Any:
    """num_samples draws from N(mean, std^2)."""
    return r.xp.asarray(_rng().normal(mean, std, num_samples))


def _uniform(r: Any, num_samples: int, low: float, high: float) -> Any:
    """num_samples draws from U[low, high)."""
    return r.xp.asarray(_rng().uniform(low, high, num_samples))


def _truncated_normal(r: Any, num_samples: int, std: float) -> Any:
    """num_samples draws from N(0, std^2) truncated to two standard deviations, [-2 std, 2 std] (redrawn
    outside), the convention the op's name promises; a framework whose bounds are absolute values differs."""
    rng, found = _rng(), np.empty(0)
    while found.size < num_samples:
        draw = rng.normal(0.0, std, 2 * num_samples)
        found = np.concatenate([found, draw[np.abs(draw) <= 2 * std]])
    return r.xp.asarray(found[:num_samples])


_SEED = {"seed": fix(0, "a seeded draw repeats from run to run; the statistics, not the seed, are compared")}
_GEN = {"seed": fix(0, "a seeded draw repeats from run to run; the statistics, not the seed, are compared: a "
                      "generator of its own, so the worker's global random state is left alone")}
_RNGS = {"rngs": fix("flax.nnx.Rngs(0)", "flax.nnx layers draw their initial weights from the Rngs they are given")}
_COUNT = Attr("int", REQUIRED, low=1, high=1_000_000)
_SIZE = Attr("int", REQUIRED, low=1, high=4096)
OPS = [
    op("categorical_sample", "stochastic", "logits", "num_samples class indices drawn from softmax(logits), 1-D "
       "logits (each API's logits form)", _categorical, attrs={"num_samples": _COUNT},
       torch=custom("torch_categorical_sample", "torch.manual_seed(0); torch.distributions.Categorical(logits={logits})"
                    ".sample((num_samples,))"),
       tensorflow=expression("tf.random.categorical(logits[None, :], num_samples, seed=seed)[0]", fixed=_SEED),
       jax=expression("jax.random.categorical(jax.random.key(0), logits, shape=(num_samples,))")),
    op("multinomial_sample", "stochastic", "probs", "num_samples class indices drawn with replacement from the "
       "weights `probs` (non-negative, normalized by their sum): the probability form of categorical_sample",
       lambda r, probs, num_samples: _categorical(r, r.xp.log(probs), num_samples),
       attrs={"num_samples": _COUNT},
       # replacement is torch's own default (False): more samples than classes raise, as users meet it
       torch=expression("torch.multinomial(probs, num_samples, generator=torch.Generator().manual_seed(seed))",
                        fixed=_GEN),
       # tf.random.categorical takes logits only: the probabilities' form is their log
       tensorflow=expression("tf.random.categorical(tf.math.log(probs)[None, :], num_samples, seed=seed)[0]",
                             fixed=_SEED),
       jax=expression("jax.random.choice(jax.random.key(0), probs.shape[0], shape=(num_samples,), p=probs)")),
    op("normal_sample", "stochastic", (), "num_samples draws from N(mean, std^2)", _normal,
       attrs={"num_samples": _COUNT, "mean": Attr("float", 0.0), "std": Attr("float", 1.0, low=0)},
       torch=expression("torch.normal(mean, std, (num_samples,), generator=torch.Generator().manual_seed(seed))",
                        fixed=_GEN),
       tensorflow=expression("keras.random.normal((num_samples,), mean, std, seed=seed)", fixed=_SEED),
       jax=expression("mean + std * jax.random.normal(jax.random.key(0), (num_samples,))")),
    op("uniform_sample", "stochastic", (), "num_samples draws from U[low, high)", _uniform,
       attrs={"num_samples": _COUNT, "low": Attr("float", 0.0), "high": Attr("float", 1.0)},
       torch=expression("torch.empty(num_samples).uniform_(low, high, generator=torch.Generator().manual_seed(seed))",
                        fixed=_GEN),
       tensorflow=expression("keras.random.uniform((num_samples,), low, high, seed=seed)", fixed=_SEED),
       jax=expression("jax.random.uniform(jax.random.key(0), (num_samples,), minval=low, maxval=high)")),
    op("truncated_normal_sample", "stochastic", (), "num_samples draws from N(0, std^2) truncated at two standard "
       "deviations, as each API's truncated-normal initialiser or sampler is called with its own defaults for "
       "the bounds", _truncated_normal,
       attrs={"num_samples": _COUNT, "std": Attr("float", 1.0, low=0)},
       conventions="bounds at +-2 std; torch.nn.init.trunc_normal_'s default bounds a=-2, b=2 are absolute values",
       torch=expression("torch.nn.init.trunc_normal_(torch.empty(num_samples), std=std, "
                        "generator=torch.Generator().manual_seed(seed))", fixed=_GEN),
       tensorflow=expression("keras.random.truncated_normal((num_samples,), stddev=std, seed=seed)", fixed=_SEED),
       jax=expression("std * jax.random.truncated_normal(jax.random.key(0), -2.0, 2.0, (num_samples,))")),
    op("default_conv2d_kernel", "stochastic", (), "the kernel [k, k, in_channels, out_channels] a 2-D convolution "
       "layer starts with when no initialiser is given (torch's [out, in, k, k] weight permuted)", _no_default,
       attrs={"in_channels": _SIZE, "out_channels": _SIZE, "kernel_size": Attr("int", REQUIRED, low=1, high=15)},
       torch=custom("torch_default_conv2d_kernel", "torch.manual_seed(0); torch.nn.Conv2d({in_channels}, "
                    "{out_channels}, {kernel_size}).weight.permute(2, 3, 1, 0)"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.Conv2D(out_channels, kernel_size); "
                             "layer.build((None, None, None, in_channels)); layer.kernel.value"),
       jax=custom("nnx_default_conv2d_kernel", "flax.nnx.Conv({in_channels}, {out_channels}, ({kernel_size}, "
                  "{kernel_size}), rngs=flax.nnx.Rngs(0)).kernel", fixed=_RNGS)),
    op("default_dense_bias", "stochastic", (), "the bias [out_features] a Dense / Linear layer starts with when no "
       "initialiser is given", _no_default, attrs={"in_features": _SIZE, "out_features": _SIZE},
       torch=custom("torch_default_dense_bias", "torch.manual_seed(0); torch.nn.Linear({in_features}, "
                    "{out_features}).bias"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.Dense(out_features); "
                             "layer.build((None, in_features)); layer.bias.value"),
       jax=custom("nnx_default_dense_bias", "flax.nnx.Linear({in_features}, {out_features}, "
                  "rngs=flax.nnx.Rngs(0)).bias", fixed=_RNGS)),
    op("default_lstm_recurrent_kernel", "stochastic", (), "the recurrent kernel [units, 4*units] (gates along the "
       "last axis) an LSTM layer starts with when no initialiser is given", _no_default,
       attrs={"input_size": _SIZE, "units": _SIZE},
       torch=custom("torch_default_lstm_recurrent_kernel", "torch.manual_seed(0); torch.nn.LSTM({input_size}, "
                    "{units}).weight_hh_l0.T"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.LSTM(units); "
                             "layer.build((None, None, input_size)); layer.cell.recurrent_kernel.value"),
       jax=custom("nnx_default_lstm_recurrent_kernel", "cell = flax.nnx.LSTMCell({input_size}, {units}, "
                  "rngs=flax.nnx.Rngs(0)); the gates' kernels hi, hf, hg, ho joined along the last axis", fixed=_RNGS)),
    op("default_conv1d_kernel", "stochastic", (), "the kernel [k, in_channels, out_channels] a 1-D convolution layer "
       "starts with when no initialiser is given (torch's [out, in, k] weight permuted)", _no_default,
       attrs={"in_channels": _SIZE, "out_channels": _SIZE, "kernel_size": Attr("int", REQUIRED, low=1, high=15)},
       torch=custom("torch_default_conv1d_kernel", "torch.manual_seed(0); torch.nn.Conv1d({in_channels}, "
                    "{out_channels}, {kernel_size}).weight.permute(2, 1, 0)"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.Conv1D(out_channels, kernel_size); "
                             "layer.build((None, None, in_channels)); layer.kernel.value"),
       jax=custom("nnx_default_conv1d_kernel", "flax.nnx.Conv({in_channels}, {out_channels}, ({kernel_size},), "
                  "rngs=flax.nnx.Rngs(0)).kernel", fixed=_RNGS)),
    op("default_conv2d_bias", "stochastic", (), "the bias [out_channels] a 2-D convolution layer starts with when no "
       "initialiser is given", _no_default,
       attrs={"in_channels": _SIZE, "out_channels": _SIZE, "kernel_size": Attr("int", REQUIRED, low=1, high=15)},
       torch=custom("torch_default_conv2d_bias", "torch.manual_seed(0); torch.nn.Conv2d({in_channels}, "
                    "{out_channels}, {kernel_size}).bias"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.Conv2D(out_channels, kernel_size); "
                             "layer.build((None, None, None, in_channels)); layer.bias.value"),
       jax=custom("nnx_default_conv2d_bias", "flax.nnx.Conv({in_channels}, {out_channels}, ({kernel_size}, "
                  "{kernel_size}), rngs=flax.nnx.Rngs(0)).bias", fixed=_RNGS)),
    op("default_gru_kernel", "stochastic", (), "the input kernel [input_size, 3*units] (gates along the last axis, "
       "in each framework's order) a GRU layer starts with when no initialiser is given", _no_default,
       attrs={"input_size": _SIZE, "units": _SIZE},
       torch=custom("torch_default_gru_kernel", "torch.manual_seed(0); torch.nn.GRU({input_size}, {units})"
                    ".weight_ih_l0.T"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.GRU(units); "
                             "layer.build((None, None, input_size)); layer.cell.kernel.value"),
       jax=custom("nnx_default_gru_kernel", "flax.nnx.GRUCell({input_size}, {units}, rngs=flax.nnx.Rngs(0))"
                  ".dense_i.kernel", fixed=_RNGS)),
]
