"""The case file schema: pydantic models, limits and the JSON Schema an editor can use."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator, model_validator

from oracle.cases.messages import suggest
from oracle.compiling import compile_problem
from oracle.inputs import SPECIAL_VALUES, spelled
from oracle.ops import ACTIVATIONS, OPS, OPTIMIZERS
from oracle.stats import STATS
from oracle.steps import Step, parse_step

DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "uint8", "int32", "int64", "bool", "complex64",
          "complex128")  # complex inputs take real values (imaginary part 0); build others with complex(re, im)


FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


MAX_ELEMENTS = 1 << 24  # 16M elements: enough for any semantic scenario, small enough to never exhaust memory


MAX_RANK = 8


MAX_FILE_BYTES = 1 << 20


MAX_VARIANTS = 10_000  # sub-cases of one file (a product multiplies its lists); each is a cell per column


MAX_DEPTH = 32  # nesting of YAML collections; deeper is never a case, and would exhaust the parser's stack


INT_BOUNDS = {"int8": (-128, 127), "uint8": (0, 255), "int32": (-(1 << 31), (1 << 31) - 1),
              "int64": (-(1 << 63), (1 << 63) - 1), "bool": (0, 1)}


_ID = r"^[a-z0-9][a-z0-9._-]{0,99}$"


_CASE_REF = r"^[a-z0-9][a-z0-9._-]{0,99}(\[[a-z0-9][a-z0-9._,-]{0,160}\])?$"  # a case id, or a variant's


_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


_VARIANT = r"^[a-z0-9][a-z0-9._-]{0,39}$"


VARIANT_RULE = ("1 to 40 characters: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit "
                "(it becomes part of the id `case-id[name]` and of file names)")


class _Strict(BaseModel):
    # non-finite numbers are written as the strings "nan", "inf", "-inf" where they are allowed
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


Seed = Field(ge=0, lt=1 << 63, description="NumPy default_rng seed")


class Normal(_Strict):
    seed: int = Seed
    mean: float = 0.0
    std: float = Field(default=1.0, ge=0)


class Uniform(_Strict):
    seed: int = Seed
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _range(self) -> Uniform:
        if not self.low <= self.high or not math.isfinite(self.high - self.low):
            raise ValueError(f"need low <= high with a finite range, got low={self.low}, high={self.high}")
        return self


class Integers(_Strict):
    seed: int = Seed
    low: int = 0
    high: int = Field(description="exclusive upper bound")

    @model_validator(mode="after")
    def _range(self) -> Integers:
        if not self.low < self.high:
            raise ValueError(f"need low < high, got low={self.low}, high={self.high}")
        return self


class Init(_Strict):
    """Exactly one generator: seeded normal/uniform/integers, or a constant fill."""

    normal: Normal | None = None
    uniform: Uniform | None = None
    integers: Integers | None = None
    fill: float | Literal["nan", "inf", "-inf"] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Init:
        given = [k for k in ("normal", "uniform", "integers", "fill") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of normal, uniform, integers, fill (got {given or 'none'})")
        return self


Scalar = float | int | bool | Literal["nan", "inf", "-inf"]


class InputSpec(_Strict):
    """An input array, born once in NumPy and shipped bit-identical to every column; or a `literal`.

    `literal` is a Python value (a number, true/false, "nan"/"inf", or nested lists of them) that
    each framework turns into a tensor with its own constructor (torch.tensor, tf.constant,
    jnp.array); `dtype` is passed to that constructor only when the case gives it, otherwise each
    framework infers its own. `track: false` builds the input as not differentiable (torch without
    requires_grad, a tf.constant the tape does not watch, a JAX argument outside argnums).
    """

    dtype: Literal[DTYPES] = "float32"  # type: ignore[valid-type]
    shape: list[StrictInt] | None = None  # `true` is not 1
    init: Init | None = None
    values: Scalar | list[Any] | None = None
    literal: Scalar | list[Any] | None = None
    track: bool = True

    @property
    def literal_dtype(self) -> str | None:
        """The dtype a literal asks its constructor for; None: each framework infers."""
        return self.dtype if "dtype" in self.model_fields_set else None

    @field_validator("shape")
    @classmethod
    def _shape_limits(cls, shape: list[int] | None) -> list[int] | None:
        if shape is None:
            return shape
        if len(shape) > MAX_RANK:
            raise ValueError(f"rank {len(shape)} exceeds the limit of {MAX_RANK}")
        if any(d < 0 or d > MAX_ELEMENTS for d in shape):
            raise ValueError(f"dimensions must lie in [0, {MAX_ELEMENTS}], got {shape}")
        if math.prod(shape) > MAX_ELEMENTS:
            raise ValueError(f"{math.prod(shape)} elements exceeds the limit of {MAX_ELEMENTS}")
        if math.prod(max(d, 1) for d in shape) > MAX_ELEMENTS:  # NumPy sizes an empty array by its other dims too
            raise ValueError(f"an empty shape's non-zero dimensions multiply past {MAX_ELEMENTS}: {shape}")
        return shape

    @model_validator(mode="after")
    def _one_source(self) -> InputSpec:
        given = [k for k in ("init", "values", "literal") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of `init`, `values` or `literal` (got {', '.join(given) or 'none'})")
        if self.literal is not None:
            if self.shape is not None:
                raise ValueError("a `literal` has the shape of its value: remove `shape`")
            _check_literal(self.literal)
            return self
        if self.init is not None and self.shape is None:
            raise ValueError("`shape` is required with `init`")
        if self.init and self.init.integers and self.dtype in FLOAT_DTYPES + ("bool", "complex64", "complex128"):
            raise ValueError(f"`integers` init needs an integer dtype, got {self.dtype}")
        low, high = INT_BOUNDS.get(self.dtype, (-math.inf, math.inf))
        if self.init and self.init.integers and not low <= self.init.integers.low < self.init.integers.high <= high + 1:
            raise ValueError(f"`integers` range [{self.init.integers.low}, {self.init.integers.high}) "
                             f"does not fit {self.dtype}")
        fill = self.init.fill if self.init else None
        if fill is not None and self.dtype in INT_BOUNDS and (isinstance(fill, str) or not low <= fill <= high):
            raise ValueError(f"fill {fill!r} does not fit {self.dtype}")
        return self


def _check_literal(value: Any, depth: int = 0) -> None:
    """Numbers, booleans and "nan"/"inf"/"-inf" in nested lists; ragged lists are allowed (a framework decides)."""
    if isinstance(value, list):
        if depth >= MAX_RANK:
            raise ValueError(f"a literal nested deeper than {MAX_RANK} levels")
        for item in value:
            _check_literal(item, depth + 1)
    elif isinstance(value, str) and value not in SPECIAL_VALUES:
        raise ValueError(f"literal {value!r} is not a number; special values are {', '.join(SPECIAL_VALUES)}")
    elif not isinstance(value, (int, float, bool, str)):
        raise ValueError(f"literal {value!r} is not a number")


class OtherCase(_Strict):
    """An output of this case set beside an output of another case: equal (true) or not (false)."""

    output: str
    case: str = Field(pattern=_CASE_REF, description="a case id, or a variant's: case-id[variant]")
    case_output: str
    equal: bool


class Expect(_Strict):
    """What a claim predicts, in checkable form; the claims ledger judges every column against it.

    Every field is optional; a column holds the claim when every given field matches, is
    refuted when none does, and holds partly otherwise. `error` is a builtin exception base
    (ValueError, RuntimeError, TypeError, ...) or the native class a user sees (InvalidArgumentError,
    XlaRuntimeError, tf.errors.InvalidArgumentError); `warns` is true/false or a warning category
    (UserWarning, DeprecationWarning, ...).
    """

    status: Literal["ok", "error"] | None = None
    error: str | None = Field(default=None, pattern=r"^([a-z_][a-z0-9_]*\.)*[A-Z][A-Za-z0-9]*(Error|Exception)$")
    warns: bool | str | None = Field(default=None, description="true/false, or a warning category name")
    semantics: str | None = Field(default=None, description="strict, or a key the reference names: broadcast, ...")
    shapes: dict[str, list[int]] | None = Field(default=None, description="output or grad.<input> -> shape")
    values: dict[str, Scalar | list[Any]] | None = Field(default=None, description="output -> values")
    compare: OtherCase | None = None

    @field_validator("values")
    @classmethod
    def _spelled(cls, values: dict[str, Any] | None) -> dict[str, Any] | None:
        # a YAML .inf or .nan is kept as the case language spells it, so results.json (strict JSON) can hold it
        return None if values is None else {name: spelled(v) for name, v in values.items()}

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        if self.error is not None and self.status == "ok":
            raise ValueError("`error` contradicts `status: ok`")
        if self.semantics is not None:
            from oracle.semantics import ALTERNATIVES

            if any(part not in ALTERNATIVES for part in self.semantics.split("+")) and self.semantics != "strict":
                raise ValueError(f"unknown semantics {self.semantics!r}; known: strict, {', '.join(ALTERNATIVES)}")
        return self


class Require(Expect):
    """A gate in the vocabulary of `expect`: a column that does not meet it fails `oracle check`,
    `oracle run` (exit 6) and its pytest item, naming the field, what was expected and what was seen.
    `columns` limits it (default: every framework column that ran); `rtol`/`atol` replace the output
    dtype's tolerance for `values`."""

    columns: list[str] | None = Field(default=None, min_length=1, description="the columns it applies to")
    rtol: float | None = Field(default=None, ge=0)
    atol: float | None = Field(default=None, ge=0)


class Source(_Strict):
    """Where a case comes from: a seed document's id, the example number in it, its claim."""

    doc: str
    url: str | None = Field(default=None, pattern=r"^https?://\S+$", description="a public page where users met it")
    example: int = Field(ge=1)
    claim: str = Field(min_length=1)
    expect: Expect | None = Field(default=None, description="the claim in checkable form")


FORWARD_MODE = ("jvp", "jacfwd")


class Grad(_Strict):
    """What to differentiate: `of` a step output, `wrt` inputs (any dtype: what a framework does with an
    integer or boolean input is a finding), by the framework's idiom.

    idiom `default`: torch `loss.backward()` then `.grad`, TensorFlow `tape.gradient`, JAX `jax.grad`.
    `autograd_grad`: torch `torch.autograd.grad` (others as default). `vjp` with `cotangent` (an input):
    `torch.autograd.grad(grad_outputs=)`, `tape.gradient(output_gradients=)`, `jax.vjp`. `jacobian`:
    `torch.autograd.functional.jacobian`, `tape.jacobian`, `jax.jacobian`. `value_and_grad`:
    `torch.func.grad_and_value`, `jax.value_and_grad` (TensorFlow has none).
    `unconnected`: torch `allow_unused` + `materialize_grads`, TF `unconnected_gradients`, JAX always zeros.
    Forward mode: `jvp` with `tangent` (an input, the direction of the one `wrt` input): `torch.func.jvp`,
    `tf.autodiff.ForwardAccumulator`, `jax.jvp`; grad.<wrt> is the tangent of `of` (its shape). `jacfwd`:
    `torch.func.jacfwd`, `jax.jacfwd` (TensorFlow has no forward-mode Jacobian function).
    `calls: 2` differentiates twice through one graph or tape; with `accumulate: true`, two backward
    passes into one `.grad` (torch only). `order: 2`: the gradient of the sum of the first gradients.
    """

    of: str
    wrt: list[str] = Field(min_length=1)
    idiom: Literal["default", "autograd_grad", "vjp", "jacobian", "value_and_grad", "jvp", "jacfwd"] = "default"
    cotangent: str | None = Field(default=None, description="vjp: the input holding the cotangent")
    tangent: str | None = Field(default=None, description="jvp: the input holding the tangent of the `wrt` input")
    unconnected: Literal["none", "zero"] | None = None
    calls: int = Field(default=1, ge=1, le=3)
    accumulate: bool = False
    order: int = Field(default=1, ge=1, le=2)

    @model_validator(mode="after")
    def _options(self) -> Grad:
        if (self.idiom == "vjp") != (self.cotangent is not None):
            raise ValueError("`idiom: vjp` needs a `cotangent` input, and `cotangent` needs `idiom: vjp`")
        if (self.idiom == "jvp") != (self.tangent is not None):
            raise ValueError("`idiom: jvp` needs a `tangent` input, and `tangent` needs `idiom: jvp`")
        if self.idiom == "jvp" and len(self.wrt) != 1:
            raise ValueError("`idiom: jvp` pushes one tangent forward: give one `wrt` input")
        if self.idiom in FORWARD_MODE and (self.unconnected or self.accumulate):
            raise ValueError(f"forward mode ({self.idiom}) takes neither `unconnected` nor `accumulate`")
        if self.accumulate and self.calls < 2:
            raise ValueError("`accumulate: true` needs `calls: 2` or more")
        if self.order == 2 and self.idiom not in ("default", "autograd_grad"):
            raise ValueError(f"`order: 2` is a gradient of a gradient; it does not combine with idiom {self.idiom}")
        return self


class CustomRule(_Strict):
    """A custom gradient for one step's output (the step's arguments are names): `backward` steps over the
    step's arguments, its output and the cotangent, and `grads`, one name per argument of the step.
    Each column builds it with its framework's mechanism: jax.custom_vjp, tf.custom_gradient,
    torch.autograd.Function (no jvp rule: forward mode through it is each framework's own answer)."""

    backward: list[str] = Field(default=[], description="steps of the rule (may be empty: `grads: [g]`)")
    grads: list[str] = Field(min_length=1, description="the gradient of each argument of the step, in order")
    cotangent: str = Field(default="g", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                           description="the name the rule gives the incoming gradient")


class Settings(_Strict):
    """Numerical settings a case pins; anything left out stays at each framework's default.

    tf32: TensorFloat-32 for float32 matmuls and convolutions (torch allow_tf32, JAX default
    matmul precision, TensorFlow tensor_float_32_execution). It only changes results on GPUs.
    """

    tf32: bool | None = None  # YAML reads on/off as true/false
    # mixed precision: torch.autocast on the column's device, Keras' global policy mixed_<dtype>, JAX: every
    # floating input cast to <dtype> (as Flax users cast); each restored after the case
    autocast: Literal["float16", "bfloat16"] | None = None


class WeightSpec(_Strict):
    """A layer's kernel or bias: seeded `init` or explicit `values`; the shape follows from the layer."""

    init: Init | None = None
    values: Scalar | list[Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> WeightSpec:
        if (self.init is None) == (self.values is None):
            raise ValueError("give exactly one of `init` or `values`")
        if self.init is not None and self.init.integers is not None:
            raise ValueError("weights are floats: use normal, uniform or fill")
        return self


class Dense(_Strict):
    """A dense layer y = activation(x @ kernel + bias); kernel [in, units], bias [units] (zeros if omitted)."""

    units: int = Field(ge=1, le=4096)
    activation: Literal[ACTIVATIONS] = "linear"  # type: ignore[valid-type]
    kernel: WeightSpec
    bias: WeightSpec | None = None


class Model(_Strict):
    """A stack of dense layers applied to the input `input`; its output is named `output` in the steps."""

    input: str
    output: str = Field(pattern=_NAME)
    dtype: Literal["float32", "float64"] = "float32"
    layers: list[Dense] = Field(min_length=1, max_length=16)


class Optimizer(_Strict):
    """`hyperparameters` pins values (canonical names); the rest is each framework's own default.

    `defaults: framework` says so on purpose; with `defaults: pinned` (the default) every
    hyperparameter of the optimizer must be given, so a case cannot leave one to chance.
    """

    name: Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
    hyperparameters: dict[str, float | bool] = {}
    defaults: Literal["pinned", "framework"] = "pinned"

    @model_validator(mode="after")
    def _known_and_complete(self) -> Optimizer:
        known = OPTIMIZERS[self.name]
        for key in self.hyperparameters:
            if key not in known:
                raise ValueError(f"{self.name} has no hyperparameter {key!r}{suggest(key, known)}; "
                                 f"hyperparameters: {', '.join(known)}")
        missing = [k for k in known if k not in self.hyperparameters]
        if self.defaults == "pinned" and missing:
            raise ValueError(f"unpinned hyperparameters {', '.join(missing)}: pin them or say `defaults: framework`")
        return self


class Train(_Strict):
    """`steps` rounds of forward, loss (the step output `loss`), native gradient, optimizer update."""

    steps: int = Field(ge=1, le=1000)
    loss: str


class Tolerance(_Strict):
    rtol: float | None = Field(default=None, ge=0)
    atol: float | None = Field(default=None, ge=0)


class StatsObserve(_Strict):
    """An output observed as statistics of its values (oracle/stats.py states the test that judges them)."""

    stats: str = Field(description="a step output or input whose values are a sample")
    of: list[Literal[STATS]] = Field(min_length=1)  # type: ignore[valid-type]


def _stats_entries(value: Any) -> Any:
    """A mapping in `observe` is a stats observation: its own error, not the union's 'should be a string'."""
    if not isinstance(value, list):
        return value
    out = []
    for item in value:
        if isinstance(item, dict):
            try:
                item = StatsObserve.model_validate(item)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"{{stats: ..., of: [...]}}: {where}: {first['msg']}") from None
        out.append(item)
    return out


class Variant(_Strict):
    """A named change to the case: input fields (shape, dtype, init, values, literal, track), step
    attributes (by the step's output name), the steps and observed outputs themselves (a wrong/fixed
    pair differs in code), `grad` fields, the case to set it beside, and the claim it tests (with the
    source's example number, when that differs). Each runs as its own sub-case with its own status."""

    name: str = Field(json_schema_extra={"pattern": _VARIANT}, description=VARIANT_RULE)
    inputs: dict[str, dict[str, Any]] = {}
    steps: list[str] | None = Field(default=None, min_length=1, description="replace the case's steps")
    attrs: dict[str, dict[str, Any]] = Field(default={}, description="step output -> attribute -> value")
    grad: dict[str, Any] = Field(default={}, description="fields of `grad` to change: idiom, calls, order, ...")
    observe: list[str | StatsObserve] | None = Field(default=None, description="replace the case's `observe`")
    forms: dict[str, str] = Field(default={}, description="framework -> form name, over the case's `forms`")
    compile: bool | dict[str, str] | None = Field(default=None, description="replace the case's `compile`")
    custom_gradient: dict[str, dict[str, Any]] | None = Field(
        default=None, description="replace the case's `custom_gradient`")
    contrast_with: str | None = Field(default=None, pattern=_CASE_REF,
                                      description="a training case (or variant) to set this variant beside")
    example: int | None = Field(default=None, ge=1, description="the source's example this variant tests")
    claim: str | None = None
    expect: Expect | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not re.match(_VARIANT, name):
            raise ValueError(f"variant name {name!r} is not valid: {VARIANT_RULE}")
        return name


class Product(_Strict):
    """Every combination of one variant from each list; names joined by commas."""

    product: list[list[Variant]] = Field(min_length=1, max_length=4)


class Case(_Strict):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = []
    source: Source | None = None
    inputs: dict[str, InputSpec] = Field(min_length=1)
    steps: list[str] = Field(min_length=1, description="each `out = op(arg, ..., key=value)`")
    grad: Grad | None = None
    observe: list[str | StatsObserve] | None = Field(
        default=None, description="outputs to record (a name, or {stats: name, of: [mean, ...]}); default all steps")
    tolerance: Tolerance | None = None
    require: Require | None = Field(default=None, description="what every column must do, or the run fails")
    settings: Settings | None = None
    forms: dict[str, str] | None = Field(default=None, description="framework -> form name (an entry point: "
                                         "functional, module, keras.ops, ...) for every step whose op has it")
    compile: bool | dict[str, str] | None = Field(
        default=None, description="true: the steps run inside each framework's compiler (jax.jit, tf.function, "
        "torch.compile); or framework -> compiler (jax: jit; tensorflow: function, xla; torch: compile; eager)")
    custom_gradient: dict[str, CustomRule] | None = Field(
        default=None, description="step output -> a custom gradient rule for the step that makes it")
    model: Model | None = None
    optimizer: Optimizer | None = None
    train: Train | None = None
    contrast_with: str | None = Field(default=None, pattern=_CASE_REF,
                                      description="id of a training case (or variant) to set this one beside in the report")
    timeout_s: float | None = Field(default=None, gt=0)
    isolate: bool | list[str] | None = Field(
        default=None, description="true: a step (or the gradient) that raises or is unsupported records its error for "
        "its outputs and what depends on them, and the other steps still run, as one try/except per output; "
        "or a list of the step outputs whose steps are isolated so")
    variants: list[Variant] | Product | None = Field(default=None, description="sub-cases, each `id[name]`")
    explored: dict[str, Any] | None = Field(default=None, description="written by `oracle explore`: seed, examples, "
                                                                      "the signature of the class this case shows")

    _observe_entries = field_validator("observe", mode="before")(_stats_entries)

    @field_validator("inputs")
    @classmethod
    def _input_names(cls, inputs: dict[str, InputSpec]) -> dict[str, InputSpec]:
        for name in inputs:
            if not re.match(_NAME, name):
                raise ValueError(f"input name {name!r} is not an identifier")
        return inputs

    @field_validator("compile")
    @classmethod
    def _compile(cls, value: bool | dict[str, str] | None) -> bool | dict[str, str] | None:
        problem = compile_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("variants")
    @classmethod
    def _variant_count(cls, variants: list[Variant] | Product | None) -> list[Variant] | Product | None:
        if isinstance(variants, list) and len(variants) > MAX_VARIANTS:
            raise ValueError(f"{len(variants)} variants exceeds the limit of {MAX_VARIANTS}")
        return variants

    @model_validator(mode="after")
    def _training_fields(self) -> Case:
        given = [k for k in ("model", "optimizer", "train") if getattr(self, k) is not None]
        if given and len(given) != 3:
            missing = [k for k in ("model", "optimizer", "train") if getattr(self, k) is None]
            raise ValueError(f"a training case needs model, optimizer and train; missing {', '.join(missing)}")
        if given and self.grad is not None:
            raise ValueError("a training case takes its gradients from `train`; remove `grad`")
        if given and self.compile:
            raise ValueError("`compile` applies to a case's steps; a training case has none")
        return self

    def parsed_steps(self) -> list[Step]:
        return [parse_step(text) for text in self.steps]

    def observed(self) -> list[str]:
        """The observed names; by default every literal input (its dtype as built is the finding) and every step output."""
        if self.observe is not None:
            return [o if isinstance(o, str) else o.stats for o in self.observe]
        literals = [n for n, spec in self.inputs.items() if spec.literal is not None]
        return literals + [name for s in self.parsed_steps() if not OPS[s.op].builds for name in s.names]

    def observed_stats(self) -> dict[str, list[str]]:
        """Outputs observed as statistics: name -> the statistics asked for."""
        return {o.stats: list(o.of) for o in self.observe or [] if not isinstance(o, str)}


def json_schema() -> dict[str, Any]:
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Oracle case file"
    # the op names come from the registry: an editor can complete and check each step's op
    ops = "|".join(sorted(OPS, key=len, reverse=True))
    steps = schema["properties"]["steps"]
    steps["items"] = {"type": "string", "pattern": rf"^\s*[A-Za-z_]\w*\s*=\s*({ops})\s*\(",
                      "description": "out = op(arg, ..., key=value); op one of the registry's ops (oracle ops)"}
    schema["x-ops"] = {name: {"family": d.family, "args": list(d.arg_names), "attrs": list(d.attrs), "doc": d.doc}
                       for name, d in OPS.items()}
    return schema
