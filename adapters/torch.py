"""PyTorch column: tensor operators, torch.* functions, torch.nn loss modules, loss.backward()."""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Iterator

import numpy as np
import torch

from adapters.base import BoundBackend, NativeAdapter
from adapters.torch_custom import CUSTOM
from oracle.execute import Env, Forward
from oracle.protocol import ColumnUnavailable
from oracle.training import NativeOptimizer, StepResult, canonical

# canonical hyperparameter -> torch.optim keyword; betas is a pair in torch
TORCH_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}
TORCH_NAMES = {"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov", "eps": "epsilon",
               "weight_decay": "weight_decay", "alpha": "rho"}
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def _kind(value: Any) -> str:
    if not isinstance(value, torch.Tensor):
        return "scalar"
    if value.dtype == torch.bool:
        return "bool"
    return "floating" if value.is_floating_point() or value.is_complex() else "integer"


class TorchBackend(BoundBackend):
    framework = "torch"

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.bind(CUSTOM, _kind, torch.Tensor)  # adapters/torch_custom.py

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        if str(array.dtype) == "bfloat16":  # torch cannot read ml_dtypes' bfloat16: pass the bits
            bits = torch.from_numpy(array.view(np.int16).copy()).view(torch.bfloat16)
            return bits.to(self.device).requires_grad_(differentiable)
        return torch.tensor(array, device=self.device, requires_grad=differentiable)

    def to_numpy(self, value: Any) -> np.ndarray:
        if not isinstance(value, torch.Tensor):
            return np.asarray(value)
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            import ml_dtypes

            return value.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return value.numpy()

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
        if "tf32" in settings:
            torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = bool(settings["tf32"])
        try:
            yield {"allow_tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
                   "allow_tf32_cudnn": torch.backends.cudnn.allow_tf32,
                   "cudnn_deterministic": torch.backends.cudnn.deterministic,
                   "float32_matmul_precision": torch.get_float32_matmul_precision()}
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved

    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        modules: list[torch.nn.Module] = []
        for i, layer in enumerate(layers):
            kernel, bias = weights[f"dense{i}.kernel"], weights[f"dense{i}.bias"]
            linear = torch.nn.Linear(kernel.shape[0], kernel.shape[1], device=self.device,
                                     dtype=getattr(torch, str(kernel.dtype)))
            with torch.no_grad():  # torch keeps weight as [out, in]: the case's kernel transposed
                linear.weight.copy_(torch.tensor(kernel.T))
                linear.bias.copy_(torch.tensor(bias))
            modules.append(linear)
            if layer["activation"] != "linear":
                modules.append(ACTIVATIONS[layer["activation"]]())
        return torch.nn.Sequential(*modules), "torch.nn.Sequential(torch.nn.Linear, ...)"

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer:
        cls = getattr(torch.optim, TORCH_OPTIMIZERS[name])
        kwargs = {native: pinned[c] for native, c in TORCH_NAMES.items() if c in pinned}
        if "beta1" in pinned or "beta2" in pinned:  # torch takes the pair; an unpinned half keeps its default
            defaults = inspect.signature(cls).parameters["betas"].default
            kwargs["betas"] = (pinned.get("beta1", defaults[0]), pinned.get("beta2", defaults[1]))
        optimizer = cls(model.parameters(), **kwargs)
        used = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
        read = canonical(used, TORCH_NAMES)
        if "betas" in used:
            read["beta1"], read["beta2"] = (float(b) for b in used["betas"])
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        return NativeOptimizer(optimizer, read, {k: _jsonable(v) for k, v in used.items()},
                               f"torch.optim.{cls.__name__}(model.parameters(){', ' if args else ''}{args})")

    def train_step(self, model: Any, optimizer: NativeOptimizer, x: Any, loss_of: Any) -> StepResult:
        optimizer.optimizer.zero_grad()
        loss = loss_of(model(x))
        loss.backward()
        grads = {name: g.detach().clone() for name, g in _named(model, lambda t: t.grad)}
        optimizer.optimizer.step()
        return StepResult(loss.detach(), grads)

    def parameters(self, model: Any) -> dict[str, Any]:
        return {name: p.detach().clone() for name, p in _named(model, lambda t: t)}

    def gradient_api(self, idiom: str) -> str:
        return "torch.autograd.grad(target, inputs)" if idiom == "autograd_grad" else "target.backward(); input.grad"

    def gradients(self, forward: Forward, inputs: Env, of: str, wrt: list[str], idiom: str) -> dict[str, Any]:
        target = forward(inputs, True)[of]
        if idiom == "autograd_grad":
            found = torch.autograd.grad(target, [inputs[name] for name in wrt])
            return dict(zip(wrt, found))
        target.backward()
        return {name: inputs[name].grad for name in wrt}


def _named(model: Any, part: Any) -> list[tuple[str, Any]]:
    """(case name, part(tensor)) per parameter; torch's weight [out, in] is shown as the case's kernel [in, out]."""
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    named = []
    for i, linear in enumerate(linears):
        named += [(f"dense{i}.kernel", part(linear.weight).T), (f"dense{i}.bias", part(linear.bias))]
    return named


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value if isinstance(value, (bool, int, float, str, type(None))) else str(value)


def load(device: str) -> NativeAdapter:
    if device == "gpu" and not torch.cuda.is_available():
        raise ColumnUnavailable("device gpu requested but torch.cuda.is_available() is False")
    native = torch.device("cuda" if device == "gpu" else "cpu")
    settings: dict[str, Any] = {"default_dtype": str(torch.get_default_dtype()).removeprefix("torch.")}
    if device == "gpu":
        settings.update(allow_tf32_matmul=torch.backends.cuda.matmul.allow_tf32,
                        allow_tf32_cudnn=torch.backends.cudnn.allow_tf32,
                        cudnn_deterministic=torch.backends.cudnn.deterministic,
                        gpu_name=torch.cuda.get_device_name(0))
    return NativeAdapter(TorchBackend(native), torch.__version__, device, settings)
