"""JAX column: array operators, jax.numpy, optax losses where optax has one, jax.grad.

JAX's default float32 behaviour is kept (x64 off): that is what a JAX user gets.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from typing import Any, Iterator

import numpy as np

from adapters.base import NativeAdapter, arithmetic, reduce
from oracle.execute import Env, Forward, NativeOp, Unsupported, record_api
from oracle.protocol import ColumnUnavailable
from oracle.training import NativeOptimizer, StepResult, canonical, plain

OPTAX_NAMES = {"learning_rate": "learning_rate", "momentum": "momentum", "nesterov": "nesterov", "b1": "beta1",
               "b2": "beta2", "eps": "epsilon", "weight_decay": "weight_decay", "decay": "rho"}


def _ops(jax: Any, jnp: Any, optax: Any) -> dict[str, NativeOp]:
    def loss(per_element: Any, reduction: str) -> Any:
        return reduce(per_element, reduction, jnp.mean, jnp.sum)

    def cross_entropy(logits: Any, labels: Any, reduction: str) -> Any:
        if jnp.issubdtype(labels.dtype, jnp.integer):
            record_api("optax.losses.softmax_cross_entropy_with_integer_labels + jnp reduction")
            return loss(optax.losses.softmax_cross_entropy_with_integer_labels(logits, labels), reduction)
        record_api("optax.losses.softmax_cross_entropy + jnp reduction")
        return loss(optax.losses.softmax_cross_entropy(logits, labels), reduction)

    def bce(probs: Any, target: Any, reduction: str) -> Any:
        # optax has no probability-input BCE; this is the formula a JAX user writes with jax.numpy
        return loss(-(target * jnp.log(probs) + (1 - target) * jnp.log(1 - probs)), reduction)

    def accuracy(preds: Any, target: Any, task: str, threshold: float, num_classes: Any) -> Any:
        from flax import nnx

        kwargs = {"threshold": threshold} if task == "binary" else {}
        record_api(f"flax.nnx.metrics.Accuracy({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
                   ".update(logits=preds, labels=target); compute()")
        metric = nnx.metrics.Accuracy(**kwargs)
        metric.update(logits=preds, labels=target)
        return metric.compute()

    def flax_metric(cls_name: str) -> NativeOp:
        """flax_metrics (Flax NNX metrics on PyPI): binary only; flax.nnx.metrics itself has Accuracy alone."""

        def call(preds: Any, target: Any, task: str, threshold: float, num_classes: Any) -> Any:
            try:
                import flax_metrics
            except ModuleNotFoundError:
                raise Unsupported(f"flax_metrics is not installed (flax.nnx.metrics has no {cls_name})") from None
            if task != "binary":
                raise Unsupported(f"flax_metrics.{cls_name} is binary only")
            record_api(f"flax_metrics.{cls_name}(threshold={threshold!r}).update(labels=target, logits=preds); "
                       "compute()")
            return getattr(flax_metrics, cls_name)(threshold=threshold).update(labels=target, logits=preds).compute()

        return NativeOp(call, f"flax_metrics.{cls_name}")

    return {
        "precision": flax_metric("Precision"),
        "recall": flax_metric("Recall"),
        "f1": flax_metric("F1Score"),
        "accuracy": NativeOp(accuracy, "flax.nnx.metrics.Accuracy"),
        **arithmetic("Array"),
        "matmul": NativeOp(jnp.matmul, "jnp.matmul"),
        "negative": NativeOp(jnp.negative, "jnp.negative"),
        "abs": NativeOp(jnp.abs, "jnp.abs"),
        "exp": NativeOp(jnp.exp, "jnp.exp"),
        "log": NativeOp(jnp.log, "jnp.log"),
        "sqrt": NativeOp(jnp.sqrt, "jnp.sqrt"),
        "sum": NativeOp(lambda x, axis, keepdims: jnp.sum(x, axis=_axis(axis), keepdims=keepdims), "jnp.sum"),
        "mean": NativeOp(lambda x, axis, keepdims: jnp.mean(x, axis=_axis(axis), keepdims=keepdims), "jnp.mean"),
        "reshape": NativeOp(lambda x, shape: jnp.reshape(x, tuple(shape)), "jnp.reshape"),
        "squeeze": NativeOp(lambda x, axis: jnp.squeeze(x, axis=_axis(axis)), "jnp.squeeze"),
        "expand_dims": NativeOp(lambda x, axis: jnp.expand_dims(x, axis), "jnp.expand_dims"),
        "softmax": NativeOp(lambda x, axis: jax.nn.softmax(x, axis=axis), "jax.nn.softmax"),
        "log_softmax": NativeOp(lambda x, axis: jax.nn.log_softmax(x, axis=axis), "jax.nn.log_softmax"),
        "scatter_add": NativeOp(lambda x, idx, upd: x.at[idx].add(upd), "x.at[indices].add(updates)"),
        "conv2d": NativeOp(lambda x, w, stride, padding: jax.lax.conv_general_dilated(
            x, w, window_strides=(stride, stride), padding=padding.upper(),
            dimension_numbers=("NCHW", "OIHW", "NCHW")), "jax.lax.conv_general_dilated (NCHW, OIHW)"),
        "mse_loss": NativeOp(lambda p, t, reduction: loss(optax.losses.squared_error(p, t), reduction),
                             "optax.losses.squared_error + jnp reduction"),
        "l1_loss": NativeOp(lambda p, t, reduction: loss(jnp.abs(p - t), reduction),
                            "jnp.abs(pred - target) + jnp reduction (optax has no L1 loss)"),
        "cross_entropy": NativeOp(cross_entropy, "optax.losses.softmax_cross_entropy*"),
        "binary_cross_entropy": NativeOp(bce, "jax.numpy formula -(t*log(p) + (1-t)*log(1-p)) (no optax form)"),
        "binary_cross_entropy_with_logits": NativeOp(
            lambda x, t, reduction: loss(optax.losses.sigmoid_binary_cross_entropy(x, t), reduction),
            "optax.losses.sigmoid_binary_cross_entropy + jnp reduction"),
    }


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


class JaxBackend:
    def __init__(self, jax: Any, device: Any, ops: dict[str, NativeOp], framework: str = "jax") -> None:
        self.jax, self.device, self.ops, self.framework = jax, device, ops, framework

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        return self.jax.device_put(array, self.device)

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value)

    def gradient_api(self, idiom: str) -> str:
        return "jax.grad(f, argnums)"

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        # JAX has no TF32 switch of its own: the default matmul precision decides it
        precision = None if "tf32" not in settings else ("tensorfloat32" if settings["tf32"] else "highest")
        with self.jax.default_matmul_precision(precision) if precision else contextlib.nullcontext():
            yield {"default_matmul_precision": str(self.jax.config.jax_default_matmul_precision)}

    def gradients(self, forward: Forward, inputs: Env, of: str, wrt: list[str], idiom: str) -> dict[str, Any]:
        forward(inputs, True)  # the observed forward values; jax.grad re-traces it below
        return self.grad(forward, inputs, of, wrt)

    def grad(self, forward: Forward, inputs: Env, of: str, wrt: list[str]) -> dict[str, Any]:
        def target(*sources: Any) -> Any:
            return forward({**inputs, **dict(zip(wrt, sources))}, False)[of]

        found = self.jax.grad(target, argnums=tuple(range(len(wrt))))(*(inputs[name] for name in wrt))
        return dict(zip(wrt, found))


class JaxTrainer(JaxBackend):
    """Training with Flax NNX (nnx.Sequential of nnx.Linear) and optax, as a Flax user writes it."""

    def __init__(self, jax: Any, device: Any, ops: dict[str, NativeOp]) -> None:
        super().__init__(jax, device, ops)
        import optax
        from flax import nnx

        self.optax, self.nnx = optax, nnx

    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        nnx, modules = self.nnx, []
        for i, layer in enumerate(layers):
            kernel, bias = weights[f"dense{i}.kernel"], weights[f"dense{i}.bias"]
            linear = nnx.Linear(kernel.shape[0], kernel.shape[1], param_dtype=kernel.dtype, rngs=nnx.Rngs(0))
            linear.kernel.set_value(self.jax.device_put(kernel, self.device))
            linear.bias.set_value(self.jax.device_put(bias, self.device))
            modules.append(linear)
            if layer["activation"] != "linear":
                modules.append(getattr(nnx, layer["activation"]))
        return nnx.Sequential(*modules), "flax.nnx.Sequential(flax.nnx.Linear, ...); Param.set_value"

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer:
        optax, nnx = self.optax, self.nnx
        kwargs = {native: pinned[c] for native, c in OPTAX_NAMES.items() if c in pinned}
        l2 = name == "adam" and kwargs.pop("weight_decay", 0.0)
        factory = getattr(optax, name)
        inner = optax.inject_hyperparams(factory)(**kwargs)  # exposes the values it uses in its state
        # optax.adam has no weight decay: the optax idiom for Adam + L2 adds decayed weights to the gradient
        tx = optax.chain(optax.add_decayed_weights(l2), inner) if l2 else inner
        params = nnx.state(model, nnx.Param)
        used = {k: plain(v) for k, v in inner.init(params).hyperparams.items()}
        declared = {k: p.default for k, p in inspect.signature(factory).parameters.items()
                    if p.default is not inspect.Parameter.empty and isinstance(p.default, (bool, int, float, type(None)))}
        native = {**declared, **kwargs, **used} | ({"add_decayed_weights": l2} if l2 else {})
        read = canonical(native, OPTAX_NAMES) | ({"weight_decay": plain(l2)} if l2 else {})
        if name == "adam" and not l2:
            read["weight_decay"] = 0.0  # optax.adam has no decay term at all
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        api = f"optax.{name}({args})" + (f" chained after optax.add_decayed_weights({l2!r})" if l2 else "")
        return NativeOptimizer(nnx.Optimizer(model, tx, wrt=nnx.Param), read, native,
                               f"{api}; flax.nnx.Optimizer; nnx.value_and_grad")

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: Any) -> StepResult:
        loss, grads = self.nnx.value_and_grad(lambda m: loss_of(m(x)))(model)
        optimizer.optimizer.update(model, grads)
        named = {}
        for i, j in enumerate(_linear_indices(model, self.nnx)):
            for part in ("kernel", "bias"):
                named[f"dense{i}.{part}"] = grads["layers"][j][part].get_value()
        return StepResult(loss, named)

    def parameters(self, model: Any) -> dict[str, Any]:
        linears = [model.layers[j] for j in _linear_indices(model, self.nnx)]
        return {f"dense{i}.{part}": getattr(linear, part).get_value()
                for i, linear in enumerate(linears) for part in ("kernel", "bias")}


def _linear_indices(model: Any, nnx: Any) -> list[int]:
    return [j for j, layer in enumerate(model.layers) if isinstance(layer, nnx.Linear)]


def select_device(jax: Any, device: str) -> Any:
    platform = "gpu" if device == "gpu" else "cpu"
    try:
        return jax.devices(platform)[0]
    except RuntimeError as exc:
        raise ColumnUnavailable(f"device {device} requested but JAX has no {platform} backend ({exc})") from None


def load(device: str) -> NativeAdapter:
    if device == "cpu":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # share a GPU with other workers
    import jax
    import jax.numpy as jnp
    import optax

    settings = {"x64": bool(jax.config.jax_enable_x64), "default_matmul_precision":
                str(jax.config.jax_default_matmul_precision), "optax": optax.__version__}
    backend = JaxTrainer(jax, select_device(jax, device), _ops(jax, jnp, optax))
    return NativeAdapter(backend, jax.__version__, device, settings)
