"""Layers built from one set of weights: canonical parameters and, per framework, the native ones as data.

A layer op (oracle/ops/weighted.py) takes its canonical weights as ordinary inputs. For each framework the
declaration maps every native parameter to an expression over the canonical names:

    "kernel"                      the canonical array as it is
    ("T", e)                      transposed (a 2-D kernel: torch keeps [out, in])
    ("chunk", e, i, n)            the i-th of n equal parts of the last axis (one gate of a fused kernel)
    ("cat", e1, e2, ...)          joined along the last axis (gates in another order)
    ("add", e1, e2)               summed (two bias vectors merged into one)
    ("stack", e1, e2)             stacked on a new first axis (Keras GRU's [2, 3*units] bias)
    ("reshape", e, shape)         reshaped; a shape entry may name a size the layer gives (heads, head_dim)
    ("permute", e, axes)          axes reordered (a conv kernel [*k, in, out] as torch's [out, in, *k])

Each worker evaluates the expressions with its own array functions and runs its layer with the results
(torch.func.functional_call, Keras Layer.stateless_call, flax.linen Module.apply), so the gradient with
respect to a canonical weight is the framework's own autodiff through the mapping: it comes back in the
canonical layout. A native parameter the mapping does not name, or a canonical weight no native
parameter uses, is `unsupported` with the name, never dropped silently. Nothing here imports a framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from oracle.request import Unsupported

Expr = str | tuple[Any, ...]


@dataclass(frozen=True)
class LayerWeights:
    """A layer's canonical parameters (name -> layout in words) and framework -> native name -> expression."""

    canonical: dict[str, str]
    native: dict[str, dict[str, Expr]]


class ArrayOps(Protocol):
    """The few array functions an adapter lends the mapping (its own framework's)."""

    transpose: Callable[[Any], Any]
    chunk: Callable[[Any, int, int], Any]  # (array, index, parts) along the last axis
    cat: Callable[[list[Any]], Any]  # along the last axis
    stack: Callable[[list[Any]], Any]  # on a new first axis
    reshape: Callable[[Any, tuple[int, ...]], Any]
    permute: Callable[[Any, tuple[int, ...]], Any]


def evaluate(expr: Expr, canon: dict[str, Any], ops: ArrayOps, sizes: dict[str, int] | None = None) -> Any:
    if isinstance(expr, str):
        return canon[expr]
    head, *rest = expr
    if head == "reshape":
        shape = tuple(int((sizes or {})[d]) if isinstance(d, str) else d for d in rest[1])
        return ops.reshape(evaluate(rest[0], canon, ops, sizes), shape)
    if head == "T":
        return ops.transpose(evaluate(rest[0], canon, ops, sizes))
    if head == "permute":
        return ops.permute(evaluate(rest[0], canon, ops, sizes), tuple(rest[1]))
    if head == "chunk":
        return ops.chunk(evaluate(rest[0], canon, ops, sizes), rest[1], rest[2])
    if head == "add":
        return evaluate(rest[0], canon, ops, sizes) + evaluate(rest[1], canon, ops, sizes)
    parts = [evaluate(e, canon, ops, sizes) for e in rest]
    if head == "cat":
        return ops.cat(parts)
    if head == "stack":
        return ops.stack(parts)
    raise ValueError(f"unknown weight expression {head!r}")


def names_in(expr: Expr) -> set[str]:
    if isinstance(expr, str):
        return {expr}
    parts = expr[1:2] if expr[0] in ("reshape", "permute") else expr[1:]
    return set().union(*(names_in(e) for e in parts if isinstance(e, (str, tuple))))


def text(expr: Expr) -> str:
    """An expression as a user would write it: kernel.T, bias_ih + bias_hh, cat(kernel[1/3], ...)."""
    if isinstance(expr, str):
        return expr
    head, *rest = expr
    if head == "T":
        return f"{text(rest[0])}.T"
    if head == "chunk":
        return f"{text(rest[0])}[gate {rest[1]} of {rest[2]}]"
    if head == "reshape":
        return f"{text(rest[0])}.reshape({', '.join(map(str, rest[1]))})"
    if head == "permute":
        return f"{text(rest[0])}.permute({', '.join(map(str, rest[1]))})"
    if head == "add":
        return f"({text(rest[0])} + {text(rest[1])})"
    return f"{head}({', '.join(text(e) for e in rest)})"


def mapping_text(layer: LayerWeights, framework: str) -> str:
    return "{" + ", ".join(f"{k}: {text(e)}" for k, e in layer.native[framework].items()) + "}"


def native_params(layer: LayerWeights, framework: str, canon: dict[str, Any], native_names: list[str],
                  ops: ArrayOps, sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """The native parameters from the canonical weights; a parameter on one side only is Unsupported."""
    mapping = layer.native[framework]
    extra = [n for n in native_names if n not in mapping]
    if extra:
        raise Unsupported(f"native parameter(s) {', '.join(extra)} have no canonical counterpart")
    absent = [n for n in mapping if n not in native_names]
    if absent:
        raise Unsupported(f"the native layer has no parameter {', '.join(absent)} (its parameters: "
                          f"{', '.join(native_names)})")
    used = set().union(*(names_in(e) for e in mapping.values()))
    unused = [n for n in canon if n not in used]
    if unused:
        raise Unsupported(f"canonical weight(s) {', '.join(unused)} have no native counterpart")
    return {name: evaluate(e, canon, ops, sizes) for name, e in mapping.items()}
