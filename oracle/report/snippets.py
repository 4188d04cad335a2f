"""Reproduction snippets: short native code per framework, generated from a case's results record.

Each snippet rebuilds the inputs bit-identically (the same literals, or the same NumPy
generator and seed as oracle/plan.py), calls the public API the adapter calls (the one
recorded in `native_api`) and differentiates by the framework's idiom, so a reader can
paste it into a fresh interpreter and see what the report says. Code is generated as
text from the parsed steps; nothing from a case file is evaluated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oracle.native import effective_attrs, module_of, render, select
from oracle.ops import OPS, Binding
from oracle.request import Unsupported
from oracle.steps import Ref, Step, parse_step

FRAMEWORKS = ("torch", "tensorflow", "jax")
IMPORTS = {
    "torch": ["import numpy as np", "import torch"],
    "tensorflow": ["import numpy as np", "import tensorflow as tf"],
    "jax": ["import numpy as np", "import jax", "import jax.numpy as jnp"],
}
RESERVED = {"np", "torch", "tf", "jax", "jnp", "optax", "keras", "tape", "loss_fn", "ml_dtypes", "print",
            "torchmetrics", "flax_metrics", "flax"}


@dataclass
class Snippet:
    framework: str
    code: str
    names: dict[str, str] = field(default_factory=dict)  # output (or grad.<input>) -> variable in the code


@dataclass
class _Ctx:
    """What the generator knows about one case: a variable per name, each name's dtype."""

    var: dict[str, str]
    dtypes: dict[str, str]

    def arg(self, a: Ref | float | int) -> str:
        return self.var[a.name] if isinstance(a, Ref) else repr(a)

    def kind(self, a: Ref | float | int) -> str:
        if not isinstance(a, Ref):
            return "scalar"
        dtype = self.dtypes.get(a.name, "float32")
        return "bool" if dtype == "bool" else "integer" if dtype.startswith(("int", "uint")) else "floating"


def _leaf(step: Step, framework: str, ctx: _Ctx) -> Binding | None:
    """The binding this step's call took in `framework` (a switch resolved by the recorded dtypes)."""
    declared = OPS.get(step.op)
    if declared is None:
        return None
    attrs = effective_attrs(declared, step.attrs)
    try:
        leaf = select(declared.binding(framework), declared, dict(zip(declared.arg_names, map(ctx.kind, step.args))),
                      attrs)
    except Exception:  # no native form for this use
        return None
    if leaf.kind == "custom" and not _runnable(leaf, declared.arg_names, attrs):
        return None  # the custom binding's code describes the calls in words: the report shows native_api
    return None if leaf.kind == "none" else leaf


MODULES = {"tf", "jnp", "jax", "torch", "keras", "np", "optax", "flax"}


def _runnable(leaf: Binding, args: tuple[str, ...], attrs: dict[str, Any]) -> bool:
    """A custom binding's code is a snippet only if it is one Python expression over its arguments and modules."""
    import ast
    import builtins

    try:
        text = leaf.code.format(**{a: a for a in args}, **{k: repr(v) for k, v in attrs.items()})
        tree = ast.parse(text, mode="eval")
    except (KeyError, IndexError, ValueError, SyntaxError):
        return False
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    elided = any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(tree))  # `epsilon=...`
    return not elided and names <= set(args) | MODULES | set(dir(builtins))


def _imports(leaf: Binding) -> list[str]:
    targets = [leaf.target] if leaf.kind in ("call", "construct", "stateful") else []
    if leaf.kind == "custom":
        targets += [t for t in ("tf.", "jax.lax", "jnp.", "keras.", "optax.", "flax.nnx") if t in leaf.code]
    if leaf.then:
        targets += list(leaf.then[1].values())
    return [module_of(t.rstrip(".")) for t in targets]


def _literal(values: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_literal(v) for v in values) + "]"
    if isinstance(values, float) and values != values or values in (float("inf"), float("-inf")):
        values = "nan" if values != values else ("inf" if values > 0 else "-inf")
    return {"nan": "np.nan", "inf": "np.inf", "-inf": "-np.inf"}.get(values, repr(values)) \
        if isinstance(values, str) else repr(values)


def numpy_expression(spec: dict[str, Any]) -> str:
    """The NumPy code that builds an input exactly as oracle/plan.py does."""
    dtype = spec["dtype"]
    cast = '.astype(ml_dtypes.bfloat16)' if dtype == "bfloat16" else f'.astype("{dtype}")'
    if spec.get("init") == "values" or "values" in spec:
        if dtype == "bfloat16":  # NumPy has no bfloat16 literal: through float64, as plan.py does
            return f'np.array({_literal(spec["values"])}, dtype="float64"){cast}'
        return f'np.array({_literal(spec["values"])}, dtype="{dtype}")'
    (kind, params), = spec["init"].items()
    size = repr(tuple(spec["shape"]))
    if kind == "fill":
        return f"np.full({size}, {_literal(params)}){cast}"
    args = {"normal": ("mean", "std"), "uniform": ("low", "high"), "integers": ("low", "high")}[kind]
    given = ", ".join(repr(params[a]) for a in args)
    return f"np.random.default_rng({params['seed']}).{kind}({given}, size={size}){cast}"


def _wrap(framework: str, array: str, differentiable: bool, dtype: str = "") -> str:
    if framework == "torch" and dtype == "bfloat16":  # torch cannot read NumPy's bfloat16; float32 holds it exactly
        return f"torch.tensor({array}.astype('float32'), dtype=torch.bfloat16, requires_grad={differentiable})"
    if framework == "torch":
        return f"torch.tensor({array}, requires_grad=True)" if differentiable else f"torch.tensor({array})"
    if framework == "tensorflow":
        return f"tf.Variable({array})" if differentiable else f"tf.constant({array})"
    return f"jnp.asarray({array})"


def _input_specs(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The inputs as results.json records them; explicit values from the case file for older results."""
    specs = case["inputs"]
    if all(i.get("init") != "values" or "values" in i for i in specs.values()):
        return specs
    from oracle.cases import load_file

    found = load_file(case["file"])
    loaded = next((c for c in found if c.id == case["id"]), found[0]).case.inputs
    return {n: {**i, "values": loaded[n].values} if i.get("init") == "values" else i for n, i in specs.items()}


def _variables(case: dict[str, Any], steps: list[Step]) -> dict[str, str]:
    names = list(case["inputs"]) + [s.out for s in steps]
    return {n: f"{n}_" if n in RESERVED else n for n in names}


def _dtypes(case: dict[str, Any]) -> dict[str, str]:
    found = {n: i["dtype"] for n, i in case["inputs"].items()}
    for o in case["columns"].values():  # step outputs: the dtype a framework recorded
        for name, t in o["outputs"].items():
            if t.get("dtype") and name not in found:
                found[name] = t["dtype"]
    return found


def make_snippet(case: dict[str, Any], framework: str) -> Snippet | None:
    """The snippet for one framework, or None when an op has no native form there.

    Training cases (model, optimizer, loop) and metric ops have no generated snippet yet.
    """
    if case.get("training") or not _plain_case(case):
        return None
    steps = [parse_step(text) for text in case["steps"]]
    ctx = _Ctx(_variables(case, steps), _dtypes(case))
    leaves = [_leaf(s, framework, ctx) for s in steps]
    if any(leaf is None for leaf in leaves):
        return None
    grad = case.get("grad")
    wrt = grad["wrt"] if grad else []
    lines = list(IMPORTS[framework])
    lines += [line for line in dict.fromkeys(i for leaf in leaves if leaf for i in _imports(leaf)) if line not in lines]
    if any(i["dtype"] == "bfloat16" for i in case["inputs"].values()):
        lines.append("import ml_dtypes")
    lines.append("")
    for name, spec in _input_specs(case).items():
        lines.append(f"{ctx.var[name]} = {_wrap(framework, numpy_expression(spec), name in wrt, spec['dtype'])}")
    try:
        body = [line for s, leaf in zip(steps, leaves) if leaf for line in _expression(s, leaf, ctx)]
    except Unsupported:  # an attribute this API cannot express: no native form for this use
        return None
    names = {n: ctx.var[n] for n in _observed(case, steps)}
    if grad and framework == "tensorflow":
        lines += ["with tf.GradientTape() as tape:"] + [f"    {line}" for line in body]
    else:
        lines += body
    if grad:
        names.update({f"grad.{n}": f"grad_{ctx.var[n]}" for n in wrt})
        lines += _gradient(framework, grad, ctx, body)
    lines += [""] + [f'print("{name} =", {var})' for name, var in names.items()]
    return Snippet(framework, "\n".join(lines) + "\n", names)


def snippet_supported(case: dict[str, Any]) -> bool:
    """Whether make_snippet writes one for this case (else the report shows the recorded `native_api`)."""
    return not case.get("training") and _plain_case(case)


def _plain_case(case: dict[str, Any]) -> bool:
    """What snippets cover so far: NumPy-born inputs, one tensor output per step, a first-order gradient by
    default options. Literal inputs, unpacked results, stateful objects and the gradient options show their
    calls in `native_api` instead.
    """
    steps = [parse_step(text) for text in case["steps"]]
    if any(OPS[s.op].builds or OPS[s.op].outputs or s.op in ("item", "to_float", "to_list") for s in steps):
        return False
    grad = case.get("grad") or {}
    options = {k: v for k, v in grad.items() if k not in ("of", "wrt", "idiom")}
    return (all(i.get("init") != "literal" and i.get("track", True) for i in case["inputs"].values())
            and not any("," in text.split("=", 1)[0] for text in case["steps"])
            and grad.get("idiom", "default") in ("default", "autograd_grad")
            and all(v in (None, False, 1) for v in options.values()))


def _expression(step: Step, leaf: Binding, ctx: _Ctx) -> list[str]:
    """The step as code: the same text the worker records as `native_api`, with the snippet's names."""
    declared = OPS[step.op]
    texts = dict(zip(declared.arg_names, (ctx.arg(a) for a in step.args)))
    text = render(leaf, declared, texts, effective_attrs(declared, step.attrs), var=f"{ctx.var[step.out]}_metric")
    *prelude, expression = text.split("; ") if leaf.kind == "stateful" else [text]
    return prelude + [f"{ctx.var[step.out]} = {expression}"]


def _gradient(framework: str, grad: dict[str, Any], ctx: _Ctx, body: list[str]) -> list[str]:
    of, wrt = ctx.var[grad["of"]], [ctx.var[n] for n in grad["wrt"]]
    targets = ", ".join(f"grad_{w}" for w in wrt) + ("," if len(wrt) == 1 else "")
    if framework == "torch":
        if grad.get("idiom") == "autograd_grad":
            return [f"{targets} = torch.autograd.grad({of}, [{', '.join(wrt)}])"]
        return [f"{of}.backward()"] + [f"grad_{w} = {w}.grad" for w in wrt]
    if framework == "tensorflow":
        return [f"{targets} = tape.gradient({of}, [{', '.join(wrt)}])"]
    argnums = ", ".join(str(i) for i in range(len(wrt))) + ("," if len(wrt) == 1 else "")
    return ["", f"def loss_fn({', '.join(wrt)}):"] + [f"    {line}" for line in body] + [
        f"    return {of}", "", f"{targets} = jax.grad(loss_fn, argnums=({argnums}))({', '.join(wrt)})"]


def _observed(case: dict[str, Any], steps: list[Step]) -> list[str]:
    """The step outputs the oracle recorded (any column's), in step order."""
    recorded = {n for o in case["columns"].values() for n in o["outputs"] if not n.startswith("grad.")}
    chosen = [s.out for s in steps if s.out in recorded]
    return chosen or [steps[-1].out]


def snippets(case: dict[str, Any]) -> dict[str, Snippet]:
    """Every framework's snippet that exists for this case."""
    found = {fw: make_snippet(case, fw) for fw in FRAMEWORKS}
    return {fw: s for fw, s in found.items() if s is not None}
