"""The idiom ops (oracle/ops/idioms.py) as a PyTorch user writes them: the function, then torch.compile.

torch.compile needs a C++ compiler for its default backend (inductor); where it cannot compile, the
cell is `unsupported` with the compiler's reason, not the framework's behaviour.

The first torch.compile in a process warns (DeprecationWarning: `torch.jit.script_method` is
deprecated, from torch's own lazy imports, 14 times in torch 2.13) whatever is compiled. That is a
fact of the process, not of an idiom: recorded on whichever case ran first it would make outcomes
depend on case order, so the adapter pays that first compile once, with its warnings ignored.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import torch

from oracle.request import Unsupported

scale = 1.0  # the global that compiled_global_read's function reads


_warmed: list[bool] = []


def _warm_up() -> None:
    if not _warmed:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.compile(lambda t: t + 1)(torch.ones(1))
        _warmed.append(True)


def _compiler_missing(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def guarded(*args: Any) -> Any:
        try:
            _warm_up()
            return call(*args)
        except Exception as exc:
            if type(exc).__module__.startswith("torch._inductor") or \
                    type(exc).__name__ in ("BackendCompilerFailed", "InvalidCxxCompiler"):
                raise Unsupported(f"torch.compile cannot compile here: {type(exc).__name__}: {exc}"[:300]) from exc
            raise

    return guarded


@_compiler_missing
def compiled_if_on_value(x: Any) -> Any:
    def f(x: Any) -> Any:
        return x * 2 if x.sum() > 0 else -x

    return torch.compile(f)(x)


@_compiler_missing
def compiled_side_effect_count(x: Any) -> Any:
    calls: list[int] = []

    def f(x: Any) -> Any:
        calls.append(1)
        return x + 1

    g = torch.compile(f)
    g(x)
    g(x)
    return torch.tensor(float(len(calls)), dtype=torch.float32)  # the Python count, as a tensor


@_compiler_missing
def compiled_scalar_argument_runs(x: Any) -> Any:
    runs: list[int] = []

    def f(x: Any, s: float) -> Any:
        runs.append(1)
        return x * s

    g = torch.compile(f)
    g(x, 1.0)
    g(x, 2.0)
    return torch.tensor(float(len(runs)), dtype=torch.float32)  # how many times the Python body ran


@_compiler_missing
def compiled_global_read(x: Any) -> Any:
    global scale
    scale = 1.0
    f = torch.compile(lambda x: x * scale)
    f(x)
    scale = 2.0
    return f(x)


CUSTOM: dict[str, Callable[..., Any]] = {
    "compiled_if_on_value": compiled_if_on_value,
    "compiled_side_effect_count": compiled_side_effect_count,
    "compiled_global_read": compiled_global_read,
    "compiled_scalar_argument_runs": compiled_scalar_argument_runs,
}
