"""Reproduction snippets: short native code per framework, generated from a case's results record.

Each snippet rebuilds the inputs bit-identically (the same values, or the same NumPy
generator and seed as oracle/plan.py; a `literal` input through the framework's own
constructor, as the adapter builds it), calls the public API the adapter calls (the one
recorded in `native_api`), unpacks several results as the worker does, keeps a built layer
or metric for the later steps, and differentiates by the framework's idiom with the case's
options (the lines its adapter executes, oracle/gradidioms.py), so a reader can paste it into a
fresh interpreter and see what the report says. Code is generated as text from the parsed steps; nothing
from a case file is evaluated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from oracle.execute import python_text
from oracle.expression import paths as expression_paths
from oracle.gradidioms import NAMES as GRAD_NAMES
from oracle.gradidioms import indent
from oracle.gradopts import GradOptions
from oracle.gradrules import NAMES as RULE_NAMES
from oracle.inputs import special
from oracle.model import CaseRecord, InputRecord
from oracle.native import effective_attrs, module_of, render, select
from oracle.ops import FRAMEWORKS, OPS, Binding
from oracle.request import Unsupported
from oracle.snippet_grad import gradient_code
from oracle.snippet_rule import rule_code
from oracle.steps import Ref, Step, parse_step
from oracle.vectorize import vmap_call

IMPORTS = {
    "torch": ["import numpy as np", "import torch"],
    "tensorflow": ["import numpy as np", "import tensorflow as tf"],
    "jax": ["import numpy as np", "import jax", "import jax.numpy as jnp"],
}
RESERVED = {"np", "torch", "tf", "jax", "jnp", "optax", "keras", "ml_dtypes", "print", "torchmetrics",
            "flax_metrics", "flax", "builtins"} | GRAD_NAMES | RULE_NAMES
# how a built layer's state is read: a copy now, not the buffer later calls update in place (adapters' snapshot)
SNAPSHOT = {"torch": "{}.clone()", "tensorflow": "tf.identity({})", "jax": "jnp.array({})"}


@dataclass
class Snippet:
    framework: str
    code: str
    # output (or grad.<input>) -> where the code holds it: a variable, `parts[0]` (an item of a list
    # result, recorded as parts.0) or `len(parts)` (parts.count)
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class _Ctx:
    """What the generator knows about one case: a variable per name, each name's dtype."""

    var: dict[str, str]
    dtypes: dict[str, str]

    def arg(self, a: Ref | float | int | list[Any]) -> str:
        return self.var[a.name] if isinstance(a, Ref) else python_text(a)

    def kind(self, a: Ref | float | int | list[Any]) -> str:
        if not isinstance(a, Ref):
            return "scalar"
        dtype = self.dtypes.get(a.name, "float32")
        return "bool" if dtype == "bool" else "integer" if dtype.startswith(("int", "uint")) else "floating"


def _leaf(step: Step, framework: str, ctx: _Ctx, form: str = "") -> Binding | None:
    """The binding this step's call took in `framework` through `form` (the op's default when it has no
    form of that name), a switch resolved by the recorded dtypes."""
    declared = OPS.get(step.op)
    if declared is None:
        return None
    attrs = effective_attrs(declared, step.attrs)
    try:
        leaf = select(declared.binding(framework, form), declared, dict(zip(declared.arg_names, map(ctx.kind, step.args))),
                      attrs)
    except Exception:  # no native form for this use
        return None
    if leaf.kind == "custom" and not _runnable(leaf, declared.arg_names, attrs):
        return None  # the custom binding's code describes the calls in words: the report shows native_api
    return None if leaf.kind == "none" else leaf


MODULES = {"tf", "jnp", "jax", "torch", "keras", "np", "optax", "flax"}


def _runnable(leaf: Binding, args: tuple[str, ...], attrs: dict[str, Any]) -> bool:
    """A custom binding's code is a snippet only if it is Python expressions over its arguments and modules,
    separated by `; ` (a layer's `bn.train(True); bn(x)`: the calls before the last one are statements)."""
    import ast
    import builtins

    try:
        text = leaf.code.format(**{a: a for a in args}, **{k: python_text(v) for k, v in attrs.items()})
        trees = [ast.parse(part, mode="eval") for part in text.split("; ")]
    except (KeyError, IndexError, ValueError, SyntaxError):
        return False
    nodes = [n for tree in trees for n in ast.walk(tree)]
    names = {n.id for n in nodes if isinstance(n, ast.Name)}
    elided = any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in nodes)  # `epsilon=...`
    return not elided and names <= set(args) | MODULES | set(dir(builtins))


# the import a custom binding's code needs, by what it names
CUSTOM_IMPORTS = {"tf.": "import tensorflow as tf", "jax.lax": "import jax", "jnp.": "import jax.numpy as jnp",
                  "keras.": "import keras", "optax.": "import optax", "flax.nnx": "import flax.nnx"}


def _imports(leaf: Binding) -> list[str]:
    targets = [leaf.target] if leaf.kind in ("call", "construct", "stateful", "build") else []
    if leaf.then:
        targets += list(leaf.then[1].values())
    if leaf.kind == "expression":
        targets += expression_paths(leaf.code)
    found = [module_of(t) for t in targets]
    return found + [line for t, line in CUSTOM_IMPORTS.items() if leaf.kind == "custom" and t in leaf.code]


def _literal(values: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_literal(v) for v in values) + "]"
    if isinstance(values, float) and values != values or values in (float("inf"), float("-inf")):
        values = "nan" if values != values else ("inf" if values > 0 else "-inf")
    return {"nan": "np.nan", "inf": "np.inf", "-inf": "-np.inf"}.get(values, repr(values)) \
        if isinstance(values, str) else repr(values)


def numpy_expression(spec: InputRecord) -> str:
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


def _literal_input(framework: str, spec: InputRecord, differentiable: bool) -> str:
    """A `literal` input through the framework's own constructor, written as the adapter's `literal` builds it;
    `dtype=` only where the case gave one (else the framework infers it)."""
    value, dtype = python_text(special(spec["literal"])), spec.get("dtype")
    if framework == "torch":
        keywords = [f"dtype=torch.{dtype}"] * bool(dtype) + ["requires_grad=True"] * differentiable
        return f"torch.tensor({', '.join([value, *keywords])})"
    if framework == "tensorflow":  # a source the tape watches without being told: a Variable
        text = f"tf.constant({value}{f', dtype=tf.{dtype}' if dtype else ''})"
        return f"tf.Variable({text})" if differentiable else text
    return f"jnp.array({value}{f', dtype=jnp.{dtype}' if dtype else ''})"


def _input_specs(case: CaseRecord) -> dict[str, InputRecord]:
    """The inputs as results.json records them; explicit values from the case file for older results."""
    specs = case["inputs"]
    if all(i.get("init") != "values" or "values" in i for i in specs.values()):
        return specs
    from oracle.cases import load_file

    found = load_file(case["file"])
    loaded = next((c for c in found if c.id == case["id"]), found[0]).case.inputs
    return {n: {**i, "values": loaded[n].values} if i.get("init") == "values" else i for n, i in specs.items()}


def _input_lines(case: CaseRecord, framework: str, var: dict[str, str], tracked: set[str]) -> list[str]:
    """NumPy-born inputs, then literals, in the order the worker builds them (oracle/execute.py build_inputs)."""
    specs = _input_specs(case)
    lines = [f"{var[name]} = {_wrap(framework, numpy_expression(spec), name in tracked, spec['dtype'] or '')}"
             for name, spec in specs.items() if spec.get("init") != "literal"]
    return lines + [f"{var[name]} = {_literal_input(framework, spec, name in tracked)}"
                    for name, spec in specs.items() if spec.get("init") == "literal"]


def _variables(case: CaseRecord, steps: list[Step]) -> dict[str, str]:
    names = list(case["inputs"]) + [n for s in steps for n in s.names]
    return {n: f"{n}_" if n in RESERVED else n for n in names}


def _dtypes(case: CaseRecord, framework: str) -> dict[str, str]:
    """Each name's dtype: the case's for an input, else what this framework recorded (a literal's inferred
    dtype, a step output's), else another column's."""
    found = {n: dtype for n, i in case["inputs"].items() if (dtype := i.get("dtype"))}
    own = case["columns"].get(framework)  # a run may leave a framework's column out
    columns = ([own] if own else []) + [o for fw, o in case["columns"].items() if fw != framework]
    for name, dtype in _notes(case, framework).get("input_dtypes", {}).items():
        found.setdefault(name, dtype)
    for o in columns:
        for name, t in o["outputs"].items():
            if (dtype := t["dtype"]) and name not in found:
                found[name] = dtype
    return found


def _notes(case: CaseRecord, column: str) -> dict[str, Any]:
    """A column's notes ({} where the run left the column out)."""
    outcome = case["columns"].get(column)
    return outcome["notes"] if outcome else {}


def _grad(case: CaseRecord) -> GradOptions | None:
    """The case's `grad` with `untracked`: its inputs built with `track: false` (as oracle/plan.py adds it)."""
    grad = case.get("grad")
    if not grad:
        return None
    return GradOptions.from_json({**grad, "untracked": [n for n, i in case["inputs"].items()
                                                        if not i.get("track", True)]})


def make_snippet(case: CaseRecord, framework: str, column: str = "") -> Snippet | None:
    """The snippet for one framework, or None (`snippet_or_reason` says why)."""
    made = snippet_or_reason(case, framework, column)
    return made if isinstance(made, Snippet) else None


def snippet_or_reason(case: CaseRecord, framework: str, column: str = "") -> Snippet | str:
    """The snippet for one framework, or why there is none: a case kind without snippets yet, an op with no
    native form there (or a custom binding whose code describes the calls in words), or a gradient option the
    framework has no idiom for. Each step is written through the form its column (`column`, else the
    framework's) recorded in notes.form."""
    reason = no_snippet_reason(case)
    if reason:
        return reason
    steps = [parse_step(text) for text in case["steps"]]
    ctx = _Ctx(_variables(case, steps), _dtypes(case, framework))
    used = _notes(case, column or framework).get("form", {})
    leaves = [_leaf(s, framework, ctx, used.get(s.out, "")) for s in steps]
    if any(leaf is None for leaf in leaves):
        return "an op with no native form here, or a custom binding whose code describes the calls in words"
    grad = _grad(case)
    tracked = set(grad.tracked) if grad else set()
    lines = list(IMPORTS[framework])
    lines += _imports_of([leaf for leaf in leaves if leaf], lines)
    if any(i["dtype"] == "bfloat16" for i in case["inputs"].values()):
        lines.append("import ml_dtypes")
    lines += [""] + _input_lines(case, framework, ctx.var, tracked)
    try:
        body: list[str] = []
        for s, leaf in zip(steps, leaves):
            assert leaf is not None
            made = _expression(s, leaf, ctx, framework)
            if s.out in (case.get("custom_gradient") or {}):  # the step inside its rule, defined before the body
                ruled = _ruled(case["custom_gradient"][s.out], s, made, framework, ctx)
                if isinstance(ruled, str):
                    return ruled
                lines += _imports_of(ruled[0], lines) + [""] + ruled[1]
                made = [ruled[2]]
            body += made
    except Unsupported as exc:  # an attribute this API cannot express, or statements vmap's lambda cannot hold
        return str(exc)
    names = _observed(case, framework, steps, ctx.var)
    statistics = _statistics(case, column or framework, framework, ctx.var)
    if statistics:  # each statistic a variable of its own, computed after the steps
        names = {name: variable for name, (variable, _) in statistics.items()}
    compiled = _notes(case, column or framework).get("compiled")
    if compiled:  # the steps as one decorated function; a gradient differentiates through its call
        made = [ctx.var[n] for s in steps if not OPS[s.op].builds for n in s.names]
        params = [ctx.var[n] for n in case["inputs"]]
        returned = ", ".join(made) + ("," if len(made) == 1 else "")
        body = ["", f"@{compiled}", f"def forward({', '.join(params)}):", *indent(body),
                f"    return {returned}", "", f"{returned} = forward({', '.join(params)})"]
    if grad:
        section = gradient_code(framework, grad, ctx.var, body)
        if section is None:
            return "a gradient option with no idiom in this framework"
        lines += section
        names.update({f"grad.{n}": f"grad_{ctx.var[n]}" for n in grad.wrt})
    else:
        lines += body
    lines += [f"{variable} = {expression}" for variable, expression in statistics.values()]
    lines += [""] + [f'print("{name} =", {var})' for name, var in names.items()]
    return Snippet(framework, "\n".join(lines) + "\n", names)


def _ruled(rule: dict[str, Any], step: Step, forward: list[str], framework: str,
           ctx: _Ctx) -> tuple[list[Binding], list[str], str] | str:
    """(the rule's bindings, its definition, the call replacing the step), or why there is none."""
    inner = [parse_step(text) for text in rule["backward"]]
    for name in [rule["cotangent"]] + [n for s in inner for n in s.names]:
        ctx.var.setdefault(name, f"{name}_" if name in RESERVED else name)
    leaves = [_leaf(s, framework, ctx) for s in inner]
    if any(leaf is None for leaf in leaves):
        return "a custom gradient rule with an op that has no native form here"
    backward = [line for s, leaf in zip(inner, leaves) if leaf for line in _expression(s, leaf, ctx, framework)]
    definition, call = rule_code(framework, ctx.var[step.out], [ctx.arg(a) for a in step.args], forward, backward,
                                 ctx.var[rule["cotangent"]], [ctx.var[g] for g in rule["grads"]])
    return [leaf for leaf in leaves if leaf], definition, call


def _imports_of(leaves: list[Binding], present: list[str]) -> list[str]:
    """The imports these bindings need that `present` does not already hold, each once."""
    return [line for line in dict.fromkeys(i for leaf in leaves for i in _imports(leaf)) if line not in present]


def snippet_supported(case: CaseRecord) -> bool:
    """Whether make_snippet may write one for this case (else the report shows the recorded `native_api`).

    Every case but a training one (model, optimizer, loop): NumPy-born and literal inputs, several results
    and list results, built layers and metrics, conversions to Python values, and every gradient option.
    A framework still gets none where its column has no native form: an op bound to `none`, a custom
    binding whose code describes the calls in words, or a gradient option its adapter declares
    unsupported (TensorFlow: value_and_grad, accumulate; JAX: accumulate; torch: accumulate without
    backward()).
    Nor a case that isolates its outputs: a snippet is one straight script, which stops at the first error.
    Not yet a case observed as statistics of a sample, nor one run under a mixed-precision context: the
    snippet would need the statistics and the context written out (the report shows `native_api`).
    """
    return not no_snippet_reason(case)


def no_snippet_reason(case: CaseRecord) -> str:
    """Why no framework gets a snippet for this case ('' when one may)."""
    notes = [o.get("notes") or {} for o in case.get("columns", {}).values()]
    if case.get("training"):
        return "a training loop (model, optimizer, steps): no snippet yet"
    if case.get("isolate"):
        return "isolated outputs: a snippet is one straight script and stops at the first error"
    if any("autocast" in (n.get("settings") or {}) for n in notes):
        return "run under a mixed-precision context: no snippet yet"
    return ""


def _expression(step: Step, leaf: Binding, ctx: _Ctx, framework: str) -> list[str]:
    """The step as code: the same text the worker records as `native_api`, with the snippet's names.

    Several results are unpacked as the worker unpacks them (`values, indices = torch.topk(x, k=2)`); a
    layer's state is read as a copy (the adapter's snapshot); the calls a custom binding makes before its
    result (`bn.train(True); bn(x)`) are statements before the assignment.
    """
    declared = OPS[step.op]
    texts = dict(zip(declared.arg_names, (ctx.arg(a) for a in step.args)))
    text = render(leaf, declared, texts, effective_attrs(declared, step.attrs), var=f"{ctx.var[step.out]}_metric")
    *prelude, expression = text.split("; ") if leaf.kind in ("stateful", "custom", "expression") else [text]
    if leaf.kind == "attribute":
        expression = SNAPSHOT[framework].format(expression)
    if step.vmap is not None:  # the op's call inside the framework's vmap, as the worker made it
        if prelude:
            raise Unsupported("statements before the call cannot go inside vmap's lambda")
        expression = vmap_call(framework, step, [ctx.arg(a) for a in step.args], expression)
    return prelude + [f"{', '.join(ctx.var[n] for n in step.names)} = {expression}"]


# a sample as float64 NumPy, as each framework's users read a tensor out (a torch parameter carries a gradient)
AS_NUMPY = {"torch": "np.asarray({}.detach().cpu(), dtype=np.float64)", "tensorflow": "np.asarray({}, dtype=np.float64)",
            "jax": "np.asarray({}, dtype=np.float64)"}
# the statistics oracle/stats.py records, as NumPy calls over the whole sample (std: the population one)
STATISTICS = {"mean": "np.mean({})", "std": "np.std({})", "min": "np.min({})", "max": "np.max({})",
              "frac_zero": "np.mean({} == 0)"}


def _statistics(case: CaseRecord, column: str, framework: str,
                var: dict[str, str]) -> dict[str, tuple[str, str]]:
    """A case observed as statistics (`w.mean`, `w.std`, ...): each statistic's variable (`w_mean`) and its NumPy
    expression over the sample; {} for any other case."""
    sampled = _notes(case, column).get("stats_of") or {}
    if not sampled:
        return {}
    recorded = case["columns"].get(column, {"outputs": {}})["outputs"]
    found = {}
    for name in recorded:
        sample, _, stat = name.rpartition(".")
        if sample in sampled and stat in STATISTICS:
            found[name] = (f"{var[sample]}_{stat}", STATISTICS[stat].format(AS_NUMPY[framework].format(var[sample])))
    return found


def _observed(case: CaseRecord, framework: str, steps: list[Step], var: dict[str, str]) -> dict[str, str]:
    """What the oracle recorded (this column's names first, else any column's): observed inputs, then step
    outputs in step order; a list result as its items `parts[i]` and `len(parts)`."""
    def recorded(o: Mapping[str, Any]) -> list[str]:
        return [n for n in o["outputs"] if not n.startswith("grad.")]

    own = recorded(case["columns"].get(framework, {"outputs": {}}))
    anywhere = list(dict.fromkeys(own + [n for o in case["columns"].values() for n in recorded(o)]))
    known = set(anywhere)  # membership tests stay linear in a case of many steps
    outputs: dict[str, str] = {}
    for step in steps:
        if OPS[step.op].listed:
            items = [n for n in own if n.startswith(f"{step.out}.")] or \
                    [n for n in anywhere if n.startswith(f"{step.out}.")]
            for name in items:
                index = name.split(".", 1)[1]
                outputs[name] = f"len({var[step.out]})" if index == "count" else f"{var[step.out]}[{index}]"
        outputs.update({n: var[n] for n in step.names if n in known})
    inputs = {n: var[n] for n in case["inputs"] if n in known}
    return {**inputs, **(outputs or {steps[-1].out: var[steps[-1].out]})}


def snippets(case: CaseRecord) -> dict[str, Snippet]:
    """Every framework's snippet that exists for this case."""
    subs = {n: o["framework"] for n, o in case["columns"].items() if "/" in n and o.get("framework") in FRAMEWORKS}
    # a framework run only as `--forms all` sub-columns has a snippet per form, none in its plain name
    found = {fw: make_snippet(case, fw) for fw in FRAMEWORKS if fw in case["columns"] or fw not in subs.values()}
    found.update({name: make_snippet(case, fw, name) for name, fw in subs.items()})
    return {fw: s for fw, s in found.items() if s is not None}
