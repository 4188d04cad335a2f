"""PyTorch column: tensor operators, torch.* functions, torch.nn loss modules, loss.backward()."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np
import torch

from adapters.base import BoundBackend, NativeAdapter
from adapters.torch_custom import CUSTOM, STEP_CLASSES, betas, native_names
from adapters.torch_idioms import guarded_compile, pay_once
from adapters.torch_layers import autocast
from oracle.compiling import compiler_text
from oracle.execute import Backward, Env, Forward, python_text
from oracle.gradidioms import run
from oracle.gradopts import FORWARD_MODE, GradOptions
from oracle.gradrules import build
from oracle.protocol import ColumnUnavailable
from oracle.steps import Step
from oracle.training import NativeOptimizer, StepResult, canonical
from oracle.vectorize import in_axes, out_axes, randomness

# canonical hyperparameter -> torch.optim keyword; betas is a pair in torch
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
        self.bind(CUSTOM, _kind, torch.Tensor, place=self._place)

    def _place(self, built: Any) -> Any:
        """A layer or metric the binder built goes where the inputs are (torchmetrics metrics are Modules)."""
        return built.to(self.device) if isinstance(built, torch.nn.Module) else built

    def context_lost(self) -> str | None:
        if self.device.type != "cuda":
            return None
        try:  # a device-side assert is sticky: every later CUDA call in this process fails with it
            torch.cuda.synchronize(self.device)
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return None

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        if str(array.dtype) == "bfloat16":  # torch cannot read ml_dtypes' bfloat16: pass the bits
            bits = torch.from_numpy(array.view(np.int16).copy()).view(torch.bfloat16)
            return bits.to(self.device).requires_grad_(differentiable)
        return torch.tensor(array, device=self.device, requires_grad=differentiable)

    def to_numpy(self, value: Any) -> np.ndarray:
        if not isinstance(value, torch.Tensor):
            return np.asarray(value)
        value = value.detach().cpu().resolve_conj().resolve_neg()  # lazy conj/neg views: .numpy() refuses them
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
            in_effect = {"allow_tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
                         "allow_tf32_cudnn": torch.backends.cudnn.allow_tf32,
                         "cudnn_deterministic": torch.backends.cudnn.deterministic,
                         "float32_matmul_precision": torch.get_float32_matmul_precision()}
            with autocast(self.device.type, settings.get("autocast"), in_effect):
                yield in_effect
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved

    def build_model(self, layers: list[dict[str, Any]], weights: dict[str, np.ndarray]) -> tuple[Any, str]:
        modules: list[torch.nn.Module] = []
        shown: list[str] = []
        for i, layer in enumerate(layers):
            kernel, bias = weights[f"dense{i}.kernel"], weights[f"dense{i}.bias"]
            linear = torch.nn.Linear(kernel.shape[0], kernel.shape[1], device=self.device,
                                     dtype=getattr(torch, str(kernel.dtype)))
            with torch.no_grad():  # torch keeps weight as [out, in]: the case's kernel transposed
                linear.weight.copy_(torch.tensor(kernel.T))
                linear.bias.copy_(torch.tensor(bias))
            modules.append(linear)
            shown.append(f"torch.nn.Linear({kernel.shape[0]}, {kernel.shape[1]}, dtype=torch.{kernel.dtype})")
            if layer["activation"] != "linear":
                modules.append(ACTIVATIONS[layer["activation"]]())
                shown.append(f"torch.nn.{type(modules[-1]).__name__}()")
        return torch.nn.Sequential(*modules), (f"torch.nn.Sequential({', '.join(shown)}); with torch.no_grad(): "
                                               "linear.weight.copy_(kernel.T); linear.bias.copy_(bias)")

    def build_optimizer(self, name: str, pinned: dict[str, Any], model: Any) -> NativeOptimizer:
        cls = getattr(torch.optim, STEP_CLASSES[name])
        names = native_names(name)  # the `<name>_step` bindings' keyword table
        kwargs = {native: pinned[c] for native, c in names.items() if c in pinned} | betas(cls, pinned)
        optimizer = cls(model.parameters(), **kwargs)
        used = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
        read = canonical(used, names)
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

    def snapshot(self, value: Any) -> Any:
        return value.detach().clone()

    def literal(self, value: Any, dtype: str | None, differentiable: bool) -> tuple[Any, str]:
        keywords = {"dtype": getattr(torch, dtype)} if dtype else {}
        if differentiable:
            keywords["requires_grad"] = True
        text = ", ".join([python_text(value)] + [f"dtype=torch.{dtype}"] * bool(dtype)
                         + ["requires_grad=True"] * differentiable)
        return torch.tensor(value, device=self.device, **keywords), f"torch.tensor({text})"

    def vectorize(self, fn: Callable[..., Any], step: Step) -> Callable[..., Any]:
        rule = randomness(step)  # passed only where the case gives it: torch.func's default is its own
        if rule:
            return torch.func.vmap(fn, in_dims=in_axes(step), out_dims=out_axes(step), randomness=rule)
        return torch.func.vmap(fn, in_dims=in_axes(step), out_dims=out_axes(step))

    def custom_gradient(self, forward: Callable[..., Any], backward: Backward, arity: int) -> tuple[Callable[..., Any], str]:
        return build("torch", arity, forward, backward, {"torch": torch}), "torch"

    def compiler(self, name: str) -> tuple[Callable[[Callable[..., Any]], Callable[..., Any]], str]:
        return guarded_compile, compiler_text("torch", name)

    def gradients(self, forward: Forward, inputs: Env, grad: GradOptions) -> dict[str, Any]:
        if grad.idiom in FORWARD_MODE:
            pay_once("torch.func.jvp")  # its first call's warning is the process's, not this case's
        return run("torch", grad, forward, inputs, {"torch": torch})


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
