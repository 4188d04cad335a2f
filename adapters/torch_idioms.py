"""The idiom ops (oracle/ops/idioms.py) in PyTorch: the user's function (adapters/idioms.py), then torch.compile.

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

from adapters.idioms import table
from oracle.request import Unsupported

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


def guarded_compile(fn: Callable[..., Any]) -> Callable[..., Any]:
    """torch.compile(fn), `unsupported` where the compiler cannot run (a compiled case's forward)."""
    _warm_up()  # torch.compile itself imports what warns: pay that before the case's own compile
    return _compiler_missing(torch.compile(fn))


CUSTOM: dict[str, Callable[..., Any]] = {
    name: _compiler_missing(call)
    for name, call in table(torch.compile, lambda x: x.sum(), lambda n: torch.tensor(float(n), dtype=torch.float32),
                            strict=lambda f: torch.compile(f, fullgraph=True), static=torch.compile).items()}
