"""A layer op's binding in one framework as data: what is built, how it is called, what it refuses.

Every layer op (oracle/ops/weighted.py, conv_layers.py, pool_layers.py) is bound in each framework by one
idiom: the framework's layer built as a user builds it, called with the canonical weights mapped onto its
own parameters (oracle/ops/layer_weights.py) by the framework's stateless call. What differs from op to op
is data, held here as a `Layer`: the expression that builds and calls the layer (oracle/expression.py's
language, over the op's argument and attribute names; `run(layer, ...)` calls it with the mapped weights),
the attribute values the framework has no counterpart for, and the checks of the input's rank. Each
adapter keeps one function that runs a `Layer` (adapters/<framework>_layers.py); nothing here imports a
framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from oracle import expression
from oracle.native import resolve
from oracle.ops.conv_layers import spatial_rank
from oracle.request import Unsupported

PINNED = "<pinned>"  # a refusal of any value the case gives (None is the attribute left unset)


@dataclass(frozen=True)
class Layer:
    """One op's layer binding in one framework; `{nd}` in code, weights and messages is the spatial rank."""

    inputs: str  # the op's arguments, in order, as the binder passes them
    code: str  # builds and calls the layer; names: the arguments, the pinned attributes, nd, tuple, run, extras
    weights: str | None = None  # the WEIGHTS entry (oracle/ops/weighted.py) whose mapping `run` applies
    rank: str | None = None  # "kernel": x and kernel share a spatial rank of 1 to 3; else x's rank error text
    refuse: tuple[tuple[str, Any, str], ...] = ()  # (attribute, value or PINNED, why the framework cannot)
    spell: tuple[tuple[str, Any, Any], ...] = ()  # (attribute, value, the framework's spelling of that value)
    # (attribute, value, other attribute, its value, its spelling): one keyword spelling two attributes
    # (flax's padding CIRCULAR: a padding mode with 'same' padding); applied before `spell`
    joint: tuple[tuple[str, Any, str, Any, Any], ...] = ()
    per_axis: tuple[str, ...] = ()  # attributes passed as one value per spatial axis
    other_weights: tuple[str, Any, str] | None = None  # (attribute, value, the WEIGHTS entry for that value)
    sizes: tuple[tuple[str, str], ...] = ()  # (name, expression): sizes a weight mapping's reshape names
    scope: str = ""  # the sub-tree of a flax parameter tree that holds the weights (flax.linen.RNN's 'cell')
    depth: int = 1  # how many trailing parts of a Keras variable's path name it (query/kernel: 2)
    # the layer's state (torch's buffers the mapping names, Keras' non-trainable variables, flax's collections
    # beside params: a BatchNorm's moving statistics) mapped in from canonical weights too, and `run` returning
    # (the call's result, {native name: the state after the call})
    state: bool = False
    least: int = 0  # the smallest spatial rank `{nd}` names (torch's BatchNorm1d also takes x [N, C])

    def prepare(self, args: tuple[Any, ...], attrs: dict[str, Any]) -> tuple[dict[str, Any], str | None, str]:
        """The names the code sees, the WEIGHTS entry and the code with the rank filled in; Unsupported or
        ValueError as the framework's layer cannot take the case."""
        values = dict(zip(self.inputs.split(), args)) | {k: v for k, v in attrs.items() if v is not None}
        x = values[self.inputs.split()[0]]
        nd = max(len(x.shape) - 2, self.least)
        if self.rank == "kernel":
            nd = spatial_rank(x, values["kernel"])
        elif self.rank is not None and nd not in (1, 2, 3):
            raise ValueError(self.rank.format(rank=len(x.shape)))
        for name, value, why in self.refuse:
            if name in values and (value == PINNED or values[name] == value):
                raise Unsupported(why.format(nd=nd, **values))
        for name, value, other, its, native in self.joint:
            if values.get(name) == value and values.get(other) == its:
                values[other] = native
        for name, value, native in self.spell:
            if values.get(name) == value:
                values[name] = native
        for name in self.per_axis:
            if name in values:
                values[name] = (values[name],) * nd
        weights = self.weights
        if self.other_weights is not None and attrs.get(self.other_weights[0]) == self.other_weights[1]:
            weights = self.other_weights[2]
        values |= {"nd": nd, "tuple": tuple}
        return values, None if weights is None else weights.replace("{nd}", str(nd)), \
            self.code.replace("{nd}", str(nd))

    def run(self, args: tuple[Any, ...], attrs: dict[str, Any],
            call: Callable[[str, dict[str, Any], dict[str, Any]], Callable[..., Any]],
            extras: dict[str, Any] | None = None) -> Any:
        """The code run with `run` bound by the adapter's `call(weights, values, sizes)`."""
        values, weights, code = self.prepare(args, attrs)
        values |= extras or {}
        if weights is not None:
            sizes = {name: expression.run(e, values, resolve) for name, e in self.sizes}
            values["run"] = call(weights, values, sizes)
        return expression.run(code, values, resolve)
