"""The op registry: every op a case step may name, declared once (oracle/ops/<family>.py).

Each declaration holds the op's arguments, typed attributes, intended semantics (doc and
a reference formula over an array namespace), the alternatives a column may follow, and
one binding per framework. Everything else (case validation, the binder in each worker,
snippets, `oracle ops`, explain, the README's op list) is derived from here.
This package imports no framework.
"""

from __future__ import annotations

from typing import Any

from oracle.ops import (
    activations,
    casting,
    comparison,
    complex_numbers,
    conv,
    conv_layers,
    conversions,
    elementwise,
    fft,
    gradient,
    idioms,
    indexing,
    layers,
    linalg,
    losses,
    matrix_functions,
    metrics,
    normalization,
    optimizers,
    outputs,
    pool_layers,
    pooling,
    reductions,
    sampling,
    segment,
    shape,
    stochastic,
    weighted,
)
from oracle.ops.spec import FRAMEWORK, FRAMEWORKS, REQUIRED, Arg, Attr, Binding, Native, OpDef
from oracle.ops.weighted import WEIGHTS

_FAMILIES = (elementwise, comparison, casting, reductions, shape, indexing, activations, normalization, losses, linalg,
             matrix_functions, conv, pooling, metrics, optimizers, outputs, conversions, layers, complex_numbers, fft,
             segment, gradient, weighted, conv_layers, pool_layers, stochastic, sampling, idioms)
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(o.family for m in _FAMILIES for o in m.OPS))


def _registry() -> dict[str, OpDef]:
    found: dict[str, OpDef] = {}
    for module in _FAMILIES:
        for declared in module.OPS:
            if declared.name in found:
                raise ValueError(f"op {declared.name!r} is declared twice")
            found[declared.name] = declared
    return found


OPS: dict[str, OpDef] = _registry()

# Models and optimizers of training cases (oracle/training.py); canonical hyperparameter names,
# which each adapter maps to its framework's spelling and reads back the same way.
ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")
OPTIMIZERS: dict[str, tuple[str, ...]] = {
    "sgd": ("learning_rate", "momentum", "nesterov"),
    "adam": ("learning_rate", "beta1", "beta2", "epsilon", "weight_decay"),
    "adamw": ("learning_rate", "beta1", "beta2", "epsilon", "weight_decay"),
    "rmsprop": ("learning_rate", "rho", "epsilon"),
}


def describe_binding(binding: Binding) -> str:
    """The API text of a binding, for listings: `torch.nn.MSELoss(reduction=...)`, or `no native form: ...`."""
    if binding.kind == "none":
        return f"no native form: {binding.reason}"
    if binding.kind == "switch":
        return "; ".join(f"{case}: {describe_binding(b)}" for case, b in binding.cases.items())
    if binding.kind == "operator":
        return f"x {binding.target} y"
    if binding.kind == "custom":
        return binding.code
    if binding.kind == "expression":
        return binding.code + describe_fixed(binding)
    # where the binding reorders or renames the op's arguments, the listing shows the call's own order:
    # keras.losses.cosine_similarity(x2, x1), keras.losses.X(...)(target, pred)
    order = f"({', '.join(map(str, binding.args))})" if binding.args is not None else ""
    text = {"call": "{t}{o}", "construct": "{t}(...){o}", "stateful": "{t}(...).{u}{o}; {r}()", "method": "x.{t}{o}",
            "build": "{t}(...)", "attribute": "obj.{t}"}[
        binding.kind].format(t=binding.target.replace(":", "."), u=binding.update, r=binding.result, o=order)
    if binding.then:
        attr, fns = binding.then
        text += f" + {'/'.join(fns.values())} by {attr}"
    return text + describe_fixed(binding)


def describe_fixed(binding: Binding) -> str:
    """The keywords a binding passes unpinned, with why: ` [fixed: axes=1 (tf.tensordot has no default ...)]`."""
    if not binding.fixed:
        return ""
    why = binding.fixed_reasons()
    items = [f"{k}={v!r}" + (f" ({why[k]})" if k in why else "") for k, v in binding.fixed_values().items()]
    return f" [fixed: {'; '.join(items)}]"


def catalogue(family: str | None = None) -> list[dict[str, Any]]:
    """Every op as plain data (`oracle ops --format json`)."""
    rows = []
    for declared in OPS.values():
        if family is not None and declared.family != family:
            continue
        rows.append({
            "name": declared.name, "family": declared.family, "doc": declared.doc,
            "args": [{"name": a.name, "kind": a.kind, "domain": a.domain} for a in declared.args],
            "attrs": {name: {"type": a.type, "default": repr(a.default) if a.required else a.default,
                             "choices": list(a.choices), "reference": a.reference_value(), "doc": a.doc}
                      for name, a in declared.attrs.items()},
            "bindings": {fw: describe_binding(declared.binding(fw)) for fw in FRAMEWORKS},
            "fixed": {fw: {k: {"value": leaf.fixed_values()[k], "reason": leaf.fixed_reasons().get(k, "")}
                           for leaf in declared.binding(fw).leaves() for k in leaf.fixed}
                      for fw in FRAMEWORKS},
            # every form by name, the default first (its binding is also `bindings`)
            "forms": {fw: {name: describe_binding(b) for name, b in declared.forms_of(fw).items()}
                      for fw in FRAMEWORKS},
            "default_forms": {fw: declared.default_form(fw) for fw in FRAMEWORKS},
            "reference": declared.reference is not None, "conventions": declared.conventions,
            "alternatives": list(declared.alternatives),
            # a layer built from canonical weights: their names and layouts; a stochastic op: judged as statistics
            "weights": dict(WEIGHTS[declared.name].canonical) if declared.name in WEIGHTS else {},
            "statistics": declared.family == "stochastic",
        })
    return rows


__all__ = ["ACTIVATIONS", "FAMILIES", "FRAMEWORK", "FRAMEWORKS", "OPS", "OPTIMIZERS", "REQUIRED", "Arg", "Attr",
           "Binding", "Native", "OpDef", "catalogue", "describe_binding", "describe_fixed"]
