"""JAX column: array operators, jax.numpy, optax losses where optax has one, jax.grad.

JAX's default float32 behaviour is kept (x64 off): that is what a JAX user gets.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from typing import Any, Callable, Iterator

import numpy as np

from adapters.base import BoundBackend, NativeAdapter
from adapters.jax_custom import CUSTOM, native_names
from oracle.compiling import compiler_text
from oracle.execute import Backward, Env, Forward, python_text
from oracle.gradidioms import run
from oracle.gradopts import GradOptions
from oracle.gradrules import build
from oracle.protocol import ColumnUnavailable
from oracle.steps import Step
from oracle.training import NativeOptimizer, StepResult, canonical, plain
from oracle.vectorize import in_axes, out_axes


def _kind(value: Any) -> str:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return "scalar"
    if np.dtype(dtype) == np.bool_:
        return "bool"
    return "integer" if np.issubdtype(np.dtype(dtype), np.integer) else "floating"


class JaxBackend(BoundBackend):
    framework = "jax"

    def __init__(self, jax: Any, device: Any) -> None:
        self.jax, self.device = jax, device
        self.bind(CUSTOM, _kind, jax.Array)

    cast_to: str | None = None  # settings.autocast: floating inputs are cast to this dtype

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        if self.cast_to and array.dtype.kind == "f":
            return self.jax.device_put(array, self.device).astype(self.cast_to)
        return self.jax.device_put(array, self.device)

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value)

    def snapshot(self, value: Any) -> Any:
        return self.jax.numpy.array(value)  # an nnx BatchStat is a mutable Variable: copy its array

    def literal(self, value: Any, dtype: str | None, differentiable: bool) -> tuple[Any, str]:
        import jax.numpy as jnp

        with self.jax.default_device(self.device):
            built = jnp.array(value, dtype=dtype) if dtype else jnp.array(value)
        return built, f"jnp.array({python_text(value)}{f', dtype=jnp.{dtype}' if dtype else ''})"

    def vectorize(self, fn: Callable[..., Any], step: Step) -> Callable[..., Any]:
        return self.jax.vmap(fn, in_axes=in_axes(step), out_axes=out_axes(step))  # no randomness option

    def custom_gradient(self, forward: Callable[..., Any], backward: Backward, arity: int) -> tuple[Callable[..., Any], str]:
        return build("jax", arity, forward, backward, {"jax": self.jax}), "jax"

    def compiler(self, name: str) -> tuple[Callable[[Callable[..., Any]], Callable[..., Any]], str]:
        return self.jax.jit, compiler_text("jax", name)

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        # JAX has no TF32 switch of its own: the default matmul precision decides it
        precision = None if "tf32" not in settings else ("tensorfloat32" if settings["tf32"] else "highest")
        # JAX has no autocast: a Flax user casts the inputs (and so the weights given as inputs) to the dtype
        self.cast_to = settings.get("autocast")
        in_effect: dict[str, Any] = {}
        try:
            with self.jax.default_matmul_precision(precision) if precision else contextlib.nullcontext():
                in_effect["default_matmul_precision"] = str(self.jax.config.jax_default_matmul_precision)  # as set
                if self.cast_to:
                    in_effect["autocast"] = f"floating inputs cast to {self.cast_to} (JAX has no autocast context)"
                yield in_effect
        finally:
            self.cast_to = None
            if "autocast" in in_effect:
                in_effect["restored"] = "inputs no longer cast"

    def gradients(self, forward: Forward, inputs: Env, grad: GradOptions) -> dict[str, Any]:
        return run("jax", grad, forward, inputs, {"jax": self.jax, "jnp": self.jax.numpy})


# Flax NNX as a user of the installed flax writes it: 0.11 renamed these calls (`make versions` runs 0.10.2)
def _assign(param: Any, value: Any) -> None:
    """Param.set_value (flax 0.11 on, which deprecates the setter); before it, the .value setter."""
    if hasattr(param, "set_value"):
        param.set_value(value)
    else:
        param.value = value


def _value(param: Any) -> Any:
    return param.get_value() if hasattr(param, "get_value") else param.value


def _update(optimizer: Any, model: Any, grads: Any) -> None:
    """optimizer.update(model, grads) (flax 0.11 on); before it the optimizer holds the model: update(grads)."""
    if "model" in inspect.signature(optimizer.update).parameters:
        optimizer.update(model, grads)
    else:
        optimizer.update(grads)


class JaxTrainer(JaxBackend):
    """Training with Flax NNX (nnx.Sequential of nnx.Linear) and optax, as a Flax user writes it."""

    def __init__(self, jax: Any, device: Any) -> None:
        super().__init__(jax, device)
        import optax
        from flax import nnx

        self.optax, self.nnx = optax, nnx

    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        nnx, modules, shown = self.nnx, [], []
        for i, layer in enumerate(layers):
            kernel, bias = weights[f"dense{i}.kernel"], weights[f"dense{i}.bias"]
            linear = nnx.Linear(kernel.shape[0], kernel.shape[1], param_dtype=kernel.dtype, rngs=nnx.Rngs(0))
            _assign(linear.kernel, self.jax.device_put(kernel, self.device))
            _assign(linear.bias, self.jax.device_put(bias, self.device))
            modules.append(linear)
            shown.append(f"flax.nnx.Linear({kernel.shape[0]}, {kernel.shape[1]}, param_dtype=jnp.{kernel.dtype}, "
                         "rngs=nnx.Rngs(0))")
            if layer["activation"] != "linear":
                modules.append(getattr(nnx, layer["activation"]))
                shown.append(f"flax.nnx.{layer['activation']}")
        setter = "Param.set_value(kernel)" if hasattr(modules[0].kernel, "set_value") else "Param.value = kernel"
        return nnx.Sequential(*modules), f"flax.nnx.Sequential({', '.join(shown)}); {setter} per parameter"

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer:
        optax, nnx = self.optax, self.nnx
        names = native_names(name)  # the `<name>_step` bindings' keyword table
        kwargs = {native: pinned[c] for native, c in names.items() if c in pinned}
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
        read = canonical(native, names) | ({"weight_decay": plain(l2)} if l2 else {})
        if name == "adam" and not l2:
            read["weight_decay"] = 0.0  # optax.adam has no decay term at all
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        api = f"optax.inject_hyperparams(optax.{name})({args})"
        api = f"optax.chain(optax.add_decayed_weights({l2!r}), {api})" if l2 else api
        return NativeOptimizer(nnx.Optimizer(model, tx, wrt=nnx.Param), read, native,
                               f"{api}; flax.nnx.Optimizer; nnx.value_and_grad")

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: Any) -> StepResult:
        loss, grads = self.nnx.value_and_grad(lambda m: loss_of(m(x)))(model)
        _update(optimizer.optimizer, model, grads)
        named = {}
        for i, j in enumerate(_linear_indices(model, self.nnx)):
            for part in ("kernel", "bias"):
                named[f"dense{i}.{part}"] = _value(grads["layers"][j][part])
        return StepResult(loss, named)

    def parameters(self, model: Any) -> dict[str, Any]:
        linears = [model.layers[j] for j in _linear_indices(model, self.nnx)]
        return {f"dense{i}.{part}": _value(getattr(linear, part))
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
    import optax

    config: Any = jax.config  # its options are attributes mypy cannot see
    settings = {"x64": bool(config.jax_enable_x64), "default_matmul_precision":
                str(config.jax_default_matmul_precision), "optax": optax.__version__}
    backend = JaxTrainer(jax, select_device(jax, device))
    return NativeAdapter(backend, jax.__version__, device, settings)
