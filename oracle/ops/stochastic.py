"""Stochastic layers and default initialisers: outcomes compared as distributions (observe them as `stats`).

A default initialiser has no single intended value: each framework documents its own (the case's source
says which), so the reference has none and the columns are judged against each other by oracle/stats.py's
test. Each framework's generator is seeded (torch.manual_seed(0), keras' seed=0, flax Rngs(0)), so a run
is repeatable; the statistics, not the seed, are the finding. Dropout has an intended semantics, so the
reference draws its own mask (NumPy default_rng(0)).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.ops.refctx import Undefined
from oracle.ops.spec import FRAMEWORK, REQUIRED, Attr, custom, expression, fix, op


def _no_default(r: Any, **sizes: Any) -> Any:
    raise Undefined("each framework documents its own default initialiser: the columns are compared with each "
                    "other as distributions")


def _dropout(r: Any, x: Any, rate: float, training: bool = False) -> Any:
    """Training: each element is kept with probability 1 - rate and scaled by 1 / (1 - rate) (inverted
    dropout), else zero; inference: x unchanged."""
    if not training:
        return x
    keep = np.random.default_rng(0).random(tuple(x.shape)) >= rate
    return r.xp.where(keep, x / (1 - rate), 0.0)


_SIZE = Attr("int", REQUIRED, low=1, high=4096)
OPS = [
    op("default_dense_kernel", "stochastic", (), "the kernel [in_features, out_features] a Dense / Linear layer "
       "starts with when no initialiser is given", _no_default,
       attrs={"in_features": _SIZE, "out_features": _SIZE},
       torch=custom("torch_default_dense_kernel", "torch.manual_seed(0); torch.nn.Linear({in_features}, "
                    "{out_features}).weight.T"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.Dense(out_features); "
                             "layer.build((None, in_features)); layer.kernel.value"),
       jax=custom("nnx_default_dense_kernel", "flax.nnx.Linear({in_features}, {out_features}, "
                  "rngs=flax.nnx.Rngs(0)).kernel")),
    op("default_embedding_table", "stochastic", (), "the table [num_embeddings, embedding_dim] an embedding layer "
       "starts with when no initialiser is given", _no_default,
       attrs={"num_embeddings": _SIZE, "embedding_dim": _SIZE},
       torch=custom("torch_default_embedding_table", "torch.manual_seed(0); torch.nn.Embedding({num_embeddings}, "
                    "{embedding_dim}).weight"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = "
                             "keras.layers.Embedding(num_embeddings, embedding_dim); layer.build((None,)); "
                             "layer.embeddings.value"),
       jax=custom("nnx_default_embedding_table", "flax.nnx.Embed({num_embeddings}, {embedding_dim}, "
                  "rngs=flax.nnx.Rngs(0)).embedding")),
    op("default_lstm_kernel", "stochastic", (), "the input kernel [input_size, 4*units] (gates along the last axis) "
       "an LSTM layer starts with when no initialiser is given", _no_default,
       attrs={"input_size": _SIZE, "units": _SIZE},
       torch=custom("torch_default_lstm_kernel", "torch.manual_seed(0); torch.nn.LSTM({input_size}, {units})"
                    ".weight_ih_l0.T"),
       tensorflow=expression("keras.utils.set_random_seed(0); layer = keras.layers.LSTM(units); "
                             "layer.build((None, None, input_size)); layer.cell.kernel.value"),
       jax=custom("nnx_default_lstm_kernel", "cell = flax.nnx.LSTMCell({input_size}, {units}, "
                  "rngs=flax.nnx.Rngs(0)); concatenate([cell.ii.kernel, cell.if_.kernel, cell.ig.kernel, "
                  "cell.io.kernel], axis=-1)")),
    op("dropout_layer", "stochastic", "x", "a dropout layer with drop probability `rate` applied to x; `training` "
       "pins the mode (unpinned: the layer called as it is built, in each framework's own default mode)",
       _dropout,
       attrs={"rate": Attr("float", REQUIRED, low=0, high=0.99),
              "training": Attr("bool", FRAMEWORK, reference=False,
                               doc="the reference: a layer called without a mode is in inference")},
       conventions="inverted dropout: kept elements scaled by 1 / (1 - rate) in training",
       torch=custom("torch_dropout_layer", "torch.manual_seed(0); layer = torch.nn.Dropout(p={rate}); "
                    "layer.train(training) if training is pinned; layer({x})"),
       tensorflow=expression("keras.layers.Dropout(rate, seed=seed)(x, training=training)",
                             fixed={"seed": fix(0, "a seeded layer: the same draws on every run")}),
       jax=custom("nnx_dropout_layer", "flax.nnx.Dropout({rate}, rngs=flax.nnx.Rngs(0))({x}, deterministic=not "
                  "training if pinned)")),
]
