"""Reproduction snippets: short native code per framework, generated from a case's results record.

Each snippet rebuilds the inputs bit-identically (the same literals, or the same NumPy
generator and seed as oracle/plan.py), calls the public API the adapter calls (the one
recorded in `native_api`) and differentiates by the framework's idiom, so a reader can
paste it into a fresh interpreter and see what the report says. Code is generated as
text from the parsed steps; nothing from a case file is evaluated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from oracle.ops import OPS
from oracle.steps import Ref, Step, parse_step

FRAMEWORKS = ("torch", "tensorflow", "jax")
IMPORTS = {
    "torch": ["import numpy as np", "import torch"],
    "tensorflow": ["import numpy as np", "import tensorflow as tf"],
    "jax": ["import numpy as np", "import jax", "import jax.numpy as jnp", "import optax"],
}
RESERVED = {"np", "torch", "tf", "jax", "jnp", "optax", "tape", "loss_fn", "ml_dtypes", "print"}
OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "pow": "**"}
KERAS_REDUCTION = {"mean": '"sum_over_batch_size"', "sum": '"sum"', "none": "None"}  # Keras' names


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

    def is_integer(self, a: Ref | float | int) -> bool:
        return isinstance(a, Ref) and self.dtypes.get(a.name, "float32").startswith(("int", "uint"))


Expr = Callable[[list[str], dict[str, Any], Step, _Ctx], str]


def _reduction_or_axis(fn: str, kw_axis: str, kw_keep: str, axis_fmt: Callable[[Any], str] = repr) -> Expr:
    def expr(a: list[str], at: dict[str, Any], step: Step, ctx: _Ctx) -> str:
        if at["axis"] is None and not at["keepdims"]:
            return f"{fn}({a[0]})"
        return f"{fn}({a[0]}, {kw_axis}={axis_fmt(at['axis'])}, {kw_keep}={at['keepdims']!r})"
    return expr


def _shape(shape: Any) -> str:
    return repr(tuple(shape)) if isinstance(shape, list) else repr(shape)


def _axis_tuple(axis: Any) -> str:
    return repr(tuple(axis)) if isinstance(axis, list) else repr(axis)


def _elementwise(matmul: str, unary: dict[str, str]) -> dict[str, Expr]:
    """matmul and the unary ops: `fn(x)` for each op -> native function name."""
    table: dict[str, Expr] = {"matmul": lambda a, at, s, c: f"{matmul}({a[0]}, {a[1]})"}
    table.update({op: (lambda fn: lambda a, at, s, c: f"{fn}({a[0]})")(fn) for op, fn in unary.items()})
    return table


def _squeeze(fn: str, kw: str, axis_fmt: Callable[[Any], str] = repr) -> Expr:
    return lambda a, at, s, c: f"{fn}({a[0]})" if at["axis"] is None else f"{fn}({a[0]}, {kw}={axis_fmt(at['axis'])})"


UNARY = ("negative", "abs", "exp", "log", "sqrt")


def _torch_ops() -> dict[str, Expr]:
    def module(cls: str) -> Expr:
        return lambda a, at, s, c: f'torch.nn.{cls}(reduction="{at["reduction"]}")({a[0]}, {a[1]})'
    return {
        **_elementwise("torch.matmul", {op: f"torch.{op}" for op in UNARY} | {"negative": "torch.neg"}),
        "sum": _reduction_or_axis("torch.sum", "dim", "keepdim"),
        "mean": _reduction_or_axis("torch.mean", "dim", "keepdim"),
        "reshape": lambda a, at, s, c: f"torch.reshape({a[0]}, {_shape(at['shape'])})",
        "squeeze": _squeeze("torch.squeeze", "dim"),
        "expand_dims": lambda a, at, s, c: f"torch.unsqueeze({a[0]}, {at['axis']!r})",
        "softmax": lambda a, at, s, c: f"torch.softmax({a[0]}, dim={at['axis']!r})",
        "log_softmax": lambda a, at, s, c: f"torch.log_softmax({a[0]}, dim={at['axis']!r})",
        "scatter_add": lambda a, at, s, c: f"{a[0]}.index_add(0, {a[1]}, {a[2]})",
        "conv2d": lambda a, at, s, c: (f"torch.nn.functional.conv2d({a[0]}, {a[1]}, stride={at['stride']!r}, "
                                       f"padding={at['padding']!r})"),
        "mse_loss": module("MSELoss"), "l1_loss": module("L1Loss"), "cross_entropy": module("CrossEntropyLoss"),
        "binary_cross_entropy": module("BCELoss"), "binary_cross_entropy_with_logits": module("BCEWithLogitsLoss"),
    }


def _tf_ops() -> dict[str, Expr]:
    def keras(cls: str, extra: str = "") -> Expr:  # Keras losses take (y_true, y_pred)
        return lambda a, at, s, c: (f"tf.keras.losses.{cls}({extra}reduction={KERAS_REDUCTION[at['reduction']]})"
                                    f"({a[1]}, {a[0]})")

    def cross_entropy(a: list[str], at: dict[str, Any], s: Step, c: _Ctx) -> str:
        cls = "SparseCategoricalCrossentropy" if c.is_integer(s.args[1]) else "CategoricalCrossentropy"
        return keras(cls, "from_logits=True, ")(a, at, s, c)
    return {
        **_elementwise("tf.linalg.matmul", {op: f"tf.math.{op}" for op in UNARY}),
        "sum": _reduction_or_axis("tf.reduce_sum", "axis", "keepdims"),
        "mean": _reduction_or_axis("tf.reduce_mean", "axis", "keepdims"),
        "reshape": lambda a, at, s, c: f"tf.reshape({a[0]}, {at['shape']!r})",
        "squeeze": _squeeze("tf.squeeze", "axis"),
        "expand_dims": lambda a, at, s, c: f"tf.expand_dims({a[0]}, axis={at['axis']!r})",
        "softmax": lambda a, at, s, c: f"tf.nn.softmax({a[0]}, axis={at['axis']!r})",
        "log_softmax": lambda a, at, s, c: f"tf.nn.log_softmax({a[0]}, axis={at['axis']!r})",
        "scatter_add": lambda a, at, s, c: f"tf.tensor_scatter_nd_add({a[0]}, tf.expand_dims({a[1]}, -1), {a[2]})",
        "conv2d": lambda a, at, s, c: (  # TensorFlow's CPU kernels want NHWC / HWIO
            f"tf.transpose(tf.nn.conv2d(tf.transpose({a[0]}, [0, 2, 3, 1]), tf.transpose({a[1]}, [2, 3, 1, 0]), "
            f"strides={at['stride']!r}, padding={at['padding'].upper()!r}), [0, 3, 1, 2])"),
        "mse_loss": keras("MeanSquaredError"), "l1_loss": keras("MeanAbsoluteError"), "cross_entropy": cross_entropy,
        "binary_cross_entropy": keras("BinaryCrossentropy", "from_logits=False, "),
        "binary_cross_entropy_with_logits": keras("BinaryCrossentropy", "from_logits=True, "),
    }


def _jax_ops() -> dict[str, Expr]:
    def reduce(inner: str, reduction: str) -> str:
        return {"mean": f"jnp.mean({inner})", "sum": f"jnp.sum({inner})", "none": inner}[reduction]

    def cross_entropy(a: list[str], at: dict[str, Any], s: Step, c: _Ctx) -> str:
        fn = "softmax_cross_entropy_with_integer_labels" if c.is_integer(s.args[1]) else "softmax_cross_entropy"
        return reduce(f"optax.losses.{fn}({a[0]}, {a[1]})", at["reduction"])
    return {
        **_elementwise("jnp.matmul", {op: f"jnp.{op}" for op in UNARY}),
        "sum": _reduction_or_axis("jnp.sum", "axis", "keepdims", _axis_tuple),
        "mean": _reduction_or_axis("jnp.mean", "axis", "keepdims", _axis_tuple),
        "reshape": lambda a, at, s, c: f"jnp.reshape({a[0]}, {_shape(at['shape'])})",
        "squeeze": _squeeze("jnp.squeeze", "axis", _axis_tuple),
        "expand_dims": lambda a, at, s, c: f"jnp.expand_dims({a[0]}, {at['axis']!r})",
        "softmax": lambda a, at, s, c: f"jax.nn.softmax({a[0]}, axis={at['axis']!r})",
        "log_softmax": lambda a, at, s, c: f"jax.nn.log_softmax({a[0]}, axis={at['axis']!r})",
        "scatter_add": lambda a, at, s, c: f"{a[0]}.at[{a[1]}].add({a[2]})",
        "conv2d": lambda a, at, s, c: (
            f"jax.lax.conv_general_dilated({a[0]}, {a[1]}, window_strides=({at['stride']!r}, {at['stride']!r}), "
            f"padding={at['padding'].upper()!r}, dimension_numbers=('NCHW', 'OIHW', 'NCHW'))"),
        "mse_loss": lambda a, at, s, c: reduce(f"optax.losses.squared_error({a[0]}, {a[1]})", at["reduction"]),
        "l1_loss": lambda a, at, s, c: reduce(f"jnp.abs({a[0]} - {a[1]})", at["reduction"]),
        "cross_entropy": cross_entropy,
        "binary_cross_entropy": lambda a, at, s, c: reduce(
            f"-({a[1]} * jnp.log({a[0]}) + (1 - {a[1]}) * jnp.log(1 - {a[0]}))", at["reduction"]),
        "binary_cross_entropy_with_logits": lambda a, at, s, c: reduce(
            f"optax.losses.sigmoid_binary_cross_entropy({a[0]}, {a[1]})", at["reduction"]),
    }


NATIVE: dict[str, dict[str, Expr]] = {"torch": _torch_ops(), "tensorflow": _tf_ops(), "jax": _jax_ops()}


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
    from oracle.cases import load_case

    loaded = load_case(case["file"]).case.inputs
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
    if case.get("training"):
        return None
    steps = [parse_step(text) for text in case["steps"]]
    table = NATIVE[framework]
    if any(s.op not in table and s.op not in OPERATORS for s in steps):
        return None
    ctx = _Ctx(_variables(case, steps), _dtypes(case))
    grad = case.get("grad")
    wrt = grad["wrt"] if grad else []
    lines = list(IMPORTS[framework])
    if any(i["dtype"] == "bfloat16" for i in case["inputs"].values()):
        lines.append("import ml_dtypes")
    lines.append("")
    for name, spec in _input_specs(case).items():
        lines.append(f"{ctx.var[name]} = {_wrap(framework, numpy_expression(spec), name in wrt, spec['dtype'])}")
    body = [f"{ctx.var[s.out]} = {_expression(s, table, ctx)}" for s in steps]
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


def _expression(step: Step, table: dict[str, Expr], ctx: _Ctx) -> str:
    args = [ctx.arg(a) for a in step.args]
    if step.op in OPERATORS:
        return f"{args[0]} {OPERATORS[step.op]} {args[1]}"
    return table[step.op](args, {**OPS[step.op].attrs, **step.attrs}, step, ctx)


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
