"""The idiom ops (oracle/ops/idioms.py) in PyTorch: the user's function (adapters/idioms.py), then torch.compile.

torch.compile needs a C++ compiler for its default backend (inductor); where it cannot compile, the
cell is `unsupported` with the compiler's reason, not the framework's behaviour.

The first torch.compile in a process warns (DeprecationWarning: `torch.jit.script_method` is
deprecated, from torch's own lazy imports, 14 times in torch 2.13) whatever is compiled, and so does
the first torch.func forward-mode call (its jvp decompositions are torch.jit.script-ed on import).
Those are facts of the process, not of a case: recorded on whichever case ran first they would make
outcomes depend on case order, so `pay_once` makes each first call once, with its warnings ignored
(the worker before a case's compile or forward-mode call, oracle/snippet_runner.py before snippets).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import torch

from adapters.idioms import table
from oracle.request import Unsupported

# what warns on its first call in a process, whatever it transforms: a trivial call of each
FIRST_CALLS: dict[str, Callable[[], Any]] = {
    "torch.compile": lambda: torch.compile(lambda t: t + 1)(torch.ones(1)),
    "torch.func.jvp": lambda: torch.func.jvp(lambda t: t, (torch.zeros(1),), (torch.zeros(1),)),
}
_paid: set[str] = set()


def pay_once(what: str) -> None:
    """Make FIRST_CALLS[what] once in this process, its warnings ignored."""
    if what not in _paid:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            FIRST_CALLS[what]()
        _paid.add(what)


def _warm_up() -> None:
    pay_once("torch.compile")


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
