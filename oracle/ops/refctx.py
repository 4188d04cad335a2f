"""What a reference formula receives as its first argument: an array namespace and stated semantics.

Formulas are written once against `r.xp` (jax.numpy in float64 in the reference column,
NumPy float64 in the cross-check test) and `r.special` (jax.scipy.special or
scipy.special). The strict semantics every verdict is measured against live here, with the
named alternatives (oracle/semantics.py) a column may follow instead: `r.follows(key)`
is true when the reference is computing under that alternative.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class ShapeMismatch(ValueError):
    """Operands of different shapes where the reference's strict semantics needs one shape."""


class NonScalarTarget(TypeError):
    """A gradient target that is not a scalar under strict semantics."""


class Undefined(Exception):
    """The reference does not define this use of the op (the column is `unsupported`, with the reason)."""


class R:
    """The reference's context: `xp`, `special`, the active alternatives, and a trace of what they did."""

    def __init__(self, xp: Any, special: Any, active: frozenset[str] = frozenset(), trace: list[str] | None = None,
                 ) -> None:
        self.xp, self.special, self.active = xp, special, active
        self.trace: list[str] = trace if trace is not None else []

    def follows(self, key: str) -> bool:
        return key in self.active

    def note(self, text: str) -> None:
        self.trace.append(text)

    @staticmethod
    def axis(axis: Any) -> Any:
        return tuple(axis) if isinstance(axis, list) else axis

    def is_integer(self, a: Any) -> bool:
        return bool(np.issubdtype(np.dtype(str(a.dtype)) if str(a.dtype) != "bfloat16" else np.float32, np.integer))

    def complex(self, re: Any, im: Any) -> Any:
        """re + i*im with each part kept exactly: `re + 1j * im` multiplies, which turns -0.0 into 0.0 and
        an infinite part into NaN. NumPy: the parts side by side viewed as complex; JAX: its constructor."""
        if self.xp is np:
            wide = np.complex128 if np.result_type(re, im) == np.float64 else np.complex64
            pairs = np.ascontiguousarray(np.stack(np.broadcast_arrays(re, im), axis=-1))
            return pairs.view(wide)[..., 0]
        import jax

        return jax.lax.complex(re, im)

    def stop_gradient(self, a: Any) -> Any:
        """`a`, with no gradient through it: NumPy has no gradients; JAX has its primitive for it."""
        if self.xp is np:
            return a
        import jax

        return jax.lax.stop_gradient(a)

    def concrete(self, a: Any) -> np.ndarray:
        """An input's values as NumPy, for checks that need them (indices are never differentiated)."""
        return np.asarray(a)

    def check_indices(self, name: str, indices: Any, size: int) -> None:
        values = self.concrete(indices)
        if values.size and (values.min() < -size or values.max() >= size):
            raise IndexError(f"{name}: index {int(values.max() if values.max() >= size else values.min())} is out "
                             f"of range for size {size}")

    def operands(self, name: str, a: Any, b: Any) -> tuple[Any, Any]:
        """Strict: one shape. Alternatives: NumPy broadcasting, or Keras' rank alignment then broadcasting."""
        if a.shape == b.shape:
            return a, b
        if not (self.follows("broadcast") or self.follows("align_ranks")):
            raise ShapeMismatch(f"{name} needs operands of one shape, got {list(a.shape)} and {list(b.shape)}")
        shapes = f"{list(a.shape)} with {list(b.shape)}"
        if self.follows("align_ranks"):
            a, b = self._align_ranks(a, b)
            shapes += f" aligned to {list(a.shape)} and {list(b.shape)}"
        a, b = self.xp.broadcast_arrays(a, b)
        self.note(f"{name}: {shapes} -> {list(a.shape)}")
        return a, b

    def _align_ranks(self, a: Any, b: Any) -> tuple[Any, Any]:
        """Keras' squeeze_or_expand_to_same_rank: ranks one apart -> squeeze a trailing 1 or expand."""
        xp = self.xp
        if a.ndim == b.ndim + 1:
            return (xp.squeeze(a, -1), b) if a.shape[-1] == 1 else (a, xp.expand_dims(b, -1))
        if b.ndim == a.ndim + 1:
            return (a, xp.squeeze(b, -1)) if b.shape[-1] == 1 else (xp.expand_dims(a, -1), b)
        return a, b

    def reduce(self, values: Any, reduction: str) -> Any:
        """A loss reduction: mean or sum over all elements, or none."""
        if reduction == "mean":
            return self.xp.mean(values)
        if reduction == "sum":
            return self.xp.sum(values)
        return values

    def loss(self, per_element: Any, reduction: str) -> Any:
        """Per-element loss -> `reduction`; under `last_axis_mean`, each sample's mean over the last axis first."""
        if self.follows("last_axis_mean") and per_element.ndim >= 1:
            self.note(f"per-sample mean over the last axis of {list(per_element.shape)}")
            per_element = self.xp.mean(per_element, axis=-1)
        return self.reduce(per_element, reduction)

    def ratio(self, num: Any, den: Any) -> Any:
        """num / den; 0/0 is NaN (undefined) unless the column follows `zero_division_zero`."""
        xp = self.xp
        if self.follows("zero_division_zero"):
            if float(den) == 0:
                self.note("a metric's 0/0 gave 0")
            return xp.where(den == 0, 0.0, num / xp.where(den == 0, 1.0, den))
        return num / den
