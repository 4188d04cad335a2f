"""Stateful layers in steps: a step builds the layer once (`bn = batch_norm(num_features=3)`), later steps
call it and read its state (`y = bn_call(bn, x, training=true)`, `m = running_mean(bn)`), so training then
inference, and the running statistics after each call, are outputs like any other."""

from __future__ import annotations

from typing import Any

from oracle.ops.spec import FRAMEWORK, REQUIRED, Arg, Attr, attribute, build, expression, fix, kw, op


class RunningStats:
    """The reference's batch-norm layer: running mean (zeros) and variance (ones), updated in training."""

    def __init__(self, xp: Any, num_features: int, momentum: float, eps: float) -> None:
        self.mean, self.var = xp.zeros(num_features), xp.ones(num_features)
        self.momentum, self.eps = momentum, eps


def _bn_call(r: Any, layer: RunningStats, x: Any, training: bool) -> Any:
    xp = r.xp
    if not training:
        return (x - layer.mean) / xp.sqrt(layer.var + layer.eps)
    n, mean, var = x.shape[0], xp.mean(x, axis=0), xp.var(x, axis=0)
    m = layer.momentum  # the weight of the new batch
    layer.mean = (1 - m) * layer.mean + m * mean
    layer.var = (1 - m) * layer.var + m * var * n / (n - 1)  # the running variance is the unbiased one
    return (x - mean) / xp.sqrt(var + layer.eps)


LAYER = Arg("layer", "object")
OPS = [
    op("batch_norm_layer", "normalization", (), "a batch-normalization layer over the features of [batch, features] inputs, "
       "built once; no scale or offset learned yet (gamma 1, beta 0)",
       lambda r, num_features, momentum, eps: RunningStats(r.xp, num_features, momentum, eps), builds=True,
       attrs={"num_features": Attr("int", REQUIRED, low=1),
              "momentum": Attr("float", FRAMEWORK, low=0, high=1, reference=0.1,
                               doc="the reference: the weight of the new batch in the running statistics"),
              "eps": Attr("float", FRAMEWORK, low=0, reference=1e-5)},
       conventions="running = (1 - momentum) * running + momentum * batch; the running variance is unbiased",
       torch=build("torch.nn.BatchNorm1d", num_features="num_features", momentum="momentum", eps="eps"),
       tensorflow=build("keras.layers.BatchNormalization", momentum="momentum", eps=kw("epsilon"),
                        infers=("num_features",)),
       jax=expression("flax.nnx.BatchNorm(num_features, momentum=momentum, epsilon=eps, rngs=flax.nnx.Rngs(0))",
                      fixed={"rngs": fix("nnx.Rngs(0)", "flax.nnx layers need an Rngs to build; a batch norm's "
                                                         "initial scale 1 and offset 0 do not depend on it")})),
    op("bn_call", "normalization", (LAYER, "x"), "the layer applied to x; `training` normalizes by the batch's statistics "
       "and updates the running ones, otherwise the running ones are used", _bn_call,
       attrs={"training": Attr("bool", REQUIRED)},
       torch=expression("layer.train(training); layer(x)"),
       tensorflow=expression("layer(x, training=training)"),
       jax=expression("layer(x, use_running_average=not training)")),
    op("running_mean", "normalization", (LAYER,), "the layer's running mean now", lambda r, layer: layer.mean,
       torch=attribute("running_mean"), tensorflow=attribute("moving_mean"), jax=attribute("mean")),
    op("running_var", "normalization", (LAYER,), "the layer's running variance now", lambda r, layer: layer.var,
       torch=attribute("running_var"), tensorflow=attribute("moving_variance"), jax=attribute("var")),
]


# A metric object works the same way: built once (`m = mean_metric()`), updated per batch by later steps.


class RunningMean:
    """The reference's mean metric: the mean of every value seen in all updates so far."""

    def __init__(self) -> None:
        self.total, self.count = 0.0, 0


def _metric_update(r: Any, metric: RunningMean, values: Any) -> Any:
    metric.total = metric.total + r.xp.sum(values)
    metric.count += int(values.size)
    return metric.total / metric.count


METRIC = Arg("metric", "object")
OPS += [
    op("mean_metric", "metric", (), "a metric holding the mean of every value it was updated with",
       lambda r: RunningMean(), builds=True,
       torch=build("torchmetrics.MeanMetric"), tensorflow=build("keras.metrics.Mean"),
       jax=build("flax.nnx:metrics.Average")),
    op("metric_update", "metric", (METRIC, "values"), "update the metric with a batch, then its result so far",
       _metric_update,
       torch=expression("metric.update(values); metric.compute()"),
       tensorflow=expression("metric.update_state(values); metric.result()"),
       jax=expression("metric.update(values=values); metric.compute()")),
]
