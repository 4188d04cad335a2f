"""Case files: the schema (pydantic), the YAML loader and validation errors with file, line, field.

A case file is data. It is read with PyYAML's safe composer (no tags that construct
objects, no anchors or aliases), validated against `Case`, and its steps are parsed by
oracle.steps; nothing in it is ever evaluated.
"""

from __future__ import annotations

import difflib
import math
import re
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator, model_validator

from oracle.compiling import compile_problem
from oracle.forms import check_forms
from oracle.inputs import SPECIAL_VALUES, make_input, shape_of_values
from oracle.ops import ACTIVATIONS, OPS, OPTIMIZERS
from oracle.stats import STATS
from oracle.steps import Ref, Step, StepSyntaxError, parse_step
from oracle.vectorize import vmap_problem

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


class CaseError(Exception):
    """A case file is malformed: one message naming file, line and field."""

    def __init__(self, path: str | Path, line: int | None, field: str, message: str) -> None:
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


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
                raise ValueError(f"{self.name} has no hyperparameter {key!r}{_suggest(key, known)}; "
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


class LoadedCase:
    """A validated case and the file it came from; a variant's id is `base[variant]`."""

    def __init__(self, case: Case, path: Path, steps: list[Step], variant: str | None = None) -> None:
        self.case, self.path, self.steps, self.variant = case, path, steps, variant

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def base_id(self) -> str:
        """The id the file declares (its name); the case id without a variant."""
        return self.case.id.split("[", 1)[0]


# --- YAML with line numbers -------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 floats: `3.0e9` and `1e-3` are numbers, not strings.

    PyYAML resolves floats by YAML 1.1, which needs a dot and a signed exponent (`3.0e+9`);
    the extra resolver runs after the 1.1 ones, so integers still resolve as integers."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def _compose(text: str, path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely, returning plain data and a map from field path to line number."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise CaseError(path, event.start_mark.line + 1, "",
                                "YAML anchors and aliases are not allowed in case files")
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                raise CaseError(path, event.start_mark.line + 1, "", f"nested deeper than {MAX_DEPTH} levels")
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise CaseError(path, line, "", f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except (ValueError, OverflowError) as exc:  # PyYAML's scanner lets some (e.g. "\U00110000" -> chr) escape
        raise CaseError(path, None, "", f"invalid YAML: {str(exc).splitlines()[0]}") from None
    if node is None:
        raise CaseError(path, 1, "", "the file is empty")
    lines: dict[tuple[Any, ...], int] = {}
    return _plain(node, (), lines, path, _Loader("")), lines


def _plain(node: yaml.Node, at: tuple[Any, ...], lines: dict[tuple[Any, ...], int], path: Path,
           loader: yaml.SafeLoader) -> Any:
    lines[at] = node.start_mark.line + 1
    if node.tag.startswith("tag:yaml.org,2002:python") or not node.tag.startswith("tag:yaml.org,2002:"):
        raise CaseError(path, lines[at], _dotted(at), f"invalid value: YAML tag {node.tag!r} is not allowed")
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(key_node, at, {}, path, loader)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise CaseError(path, key_node.start_mark.line + 1, _dotted(at), f"mapping key {key!r} is not a name")
            if key in out:
                raise CaseError(path, key_node.start_mark.line + 1, _dotted(at + (key,)), "duplicate key")
            out[key] = _plain(value_node, at + (key,), lines, path, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, at + (i,), lines, path, loader) for i, item in enumerate(node.value)]
    try:  # a scalar: only the safe, standard tags construct
        value = loader.construct_object(node)
        if isinstance(value, str):
            value.encode("utf-8")  # a lone surrogate ("\ud800") cannot be written to any report
    except UnicodeEncodeError:
        raise CaseError(path, lines[at], _dotted(at), "invalid value: not valid Unicode (lone surrogate)") from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise CaseError(path, lines[at], _dotted(at), f"invalid value: {str(exc).splitlines()[0]}") from None
    return value


def _dotted(at: tuple[Any, ...]) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f", did you mean {close[0]!r}?" if close else ""


_PYDANTIC_TAGS = {"float", "int", "bool", "str"}  # union-member tags pydantic adds to error locations


def _data_loc(raw: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Pydantic's error location with its own tags (`list[int]`, `function-after[...]`) removed.

    A part is kept when it is a key or index of the document at that point, so a user's key
    that looks like a tag (`observe[0]`) survives; a last part not in the document (a missing
    field) is kept unless it is a tag."""
    loc: list[Any] = []
    node = data
    for i, part in enumerate(raw):
        if isinstance(node, dict) and part in node:
            loc.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            loc.append(part)
            node = node[part]
        elif i == len(raw) - 1 and (isinstance(part, int) or (
                part not in _PYDANTIC_TAGS and "[" not in part and "(" not in part)):
            loc.append(part)
    return tuple(loc)


def _pydantic_message(path: Path, err: ValidationError, lines: dict[tuple[Any, ...], int],
                      data: Any) -> CaseError:
    errors = err.errors()
    # a misspelt field is both unknown and (if required) missing: name the unknown one, with its nearest field
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = _data_loc(tuple(first["loc"]), data)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden" and loc:
        message = f"unknown field {str(loc[-1])!r}{_suggest(loc[-1], _fields_at(loc[:-1]))}"
    elif first["type"] == "missing":
        message = "required field is missing"
    return CaseError(path, _line_for(loc, lines), _dotted(loc), message)


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names the schema allows at `loc`, for a did-you-mean suggestion."""
    model: Any = Case
    skip_key = False
    for part in loc:
        if skip_key or isinstance(part, int):
            skip_key = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        skip_key = getattr(annotation, "__origin__", None) is dict
        members = getattr(annotation, "__args__", (annotation,))
        model = next((t for t in members if isinstance(t, type) and issubclass(t, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)


# --- semantic checks beyond the schema --------------------------------------------------


def _check_steps(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> list[Step]:
    defined = set(case.inputs)
    if case.model is not None:
        _check_model(case, path, lines)
        defined.add(case.model.output)
    steps: list[Step] = []
    for i, text in enumerate(case.steps):
        at = ("steps", i)

        def fail(message: str) -> CaseError:
            return CaseError(path, _line_for(at, lines), _dotted(at), message)  # noqa: B023

        try:
            step = parse_step(text)
        except StepSyntaxError as exc:
            raise fail(f"{exc} in {text!r}; expected `out = op(arg, ..., key=value)`") from None
        spec = OPS.get(step.op)
        if spec is None:
            raise fail(f"unknown op {step.op!r}{_suggest(step.op, OPS)}")
        several = spec.outputs and not spec.listed
        if several and len(step.names) != len(spec.outputs):
            raise fail(f"{step.op} gives {len(spec.outputs)} outputs ({', '.join(spec.outputs)}): write "
                       f"`{', '.join(spec.outputs)} = {step.op}(...)`")
        if not several and step.outs:
            kind = "a list (observed as name.0, name.1, ...)" if spec.listed else "one output"
            raise fail(f"{step.op} gives {kind}: name it once")
        names = spec.arg_names
        if len(step.args) != len(names):
            raise fail(f"{step.op} takes {len(names)} arguments ({', '.join(names)}), got {len(step.args)}")
        for arg in step.args:
            if isinstance(arg, Ref) and arg.name not in defined:
                raise fail(f"{arg.name!r} is not defined before this step{_suggest(arg.name, defined)}")
        if step.vmap is not None and (wrong := vmap_problem(step)):
            raise fail(f"vmap({step.op}, ...): {wrong}")
        for key, value in step.attrs.items():
            attr = spec.attrs.get(key)
            if attr is None:
                known = ", ".join(spec.attrs) or "none"
                raise fail(f"{step.op} has no attribute {key!r}{_suggest(key, spec.attrs)}; attributes: {known}")
            problem = attr.check(value)
            if problem:
                close = _suggest(str(value), attr.choices) if attr.choices and isinstance(value, str) else ""
                raise fail(f"{step.op}: {key} {problem}{close}")
        for key, attr in spec.attrs.items():
            if attr.required and key not in step.attrs:
                raise fail(f"{step.op} needs the attribute {key!r} ({attr.type})")
        for name in step.names:
            if name in case.inputs:
                raise fail(f"step output {name!r} shadows an input")
        defined.update(step.names)
        steps.append(step)
    outputs = {name for s in steps for name in s.names}
    listed = {s.out for s in steps if OPS[s.op].listed}
    if case.grad is not None:
        if case.grad.of not in outputs:
            raise CaseError(path, _line_for(("grad", "of"), lines), "grad.of",
                            f"{case.grad.of!r} is not a step output{_suggest(case.grad.of, outputs)}")
        for j, name in enumerate(case.grad.wrt):  # an integer or boolean input is allowed: the frameworks decide
            if name not in case.inputs:
                raise CaseError(path, _line_for(("grad", "wrt", j), lines), f"grad.wrt[{j}]",
                                f"{name!r} is not an input{_suggest(name, case.inputs)}")
        for key, given in (("cotangent", case.grad.cotangent), ("tangent", case.grad.tangent)):
            if given is not None and given not in case.inputs:
                raise CaseError(path, _line_for(("grad", key), lines), f"grad.{key}",
                                f"{given!r} is not an input{_suggest(given, case.inputs)}")
    for out, rule in (case.custom_gradient or {}).items():
        _check_rule(case, out, rule, steps, path, lines)
    if case.train is not None and case.train.loss not in outputs:
        raise CaseError(path, _line_for(("train", "loss"), lines), "train.loss",
                        f"{case.train.loss!r} is not a step output{_suggest(case.train.loss, outputs)}")
    objects = {s.out for s in steps if OPS[s.op].builds}
    for j, name in enumerate(case.observed() if case.observe is not None else []):
        if name in objects:
            raise CaseError(path, _line_for(("observe", j), lines), f"observe[{j}]",
                            f"{name!r} is a layer or metric object; observe its state through ops (running_mean, ...)")
        if name.startswith("grad.") and name not in outputs and name.split(".", 1)[0] not in listed:
            wrt = case.grad.wrt if case.grad else []  # gradients are outputs: observe may name them
            if name[5:] not in wrt:
                known = ", ".join(f"grad.{w}" for w in wrt) or "none (the case has no `grad`)"
                raise CaseError(path, _line_for(("observe", j), lines), f"observe[{j}]",
                                f"{name!r} is not a gradient the case takes; gradients: {known}")
        elif name not in outputs and name not in case.inputs and name.split(".", 1)[0] not in listed:
            raise CaseError(path, _line_for(("observe", j), lines), f"observe[{j}]",
                            f"{name!r} is not a step output{_suggest(name, outputs)}")
    if isinstance(case.isolate, list):
        for j, name in enumerate(case.isolate):
            if name not in outputs:
                raise CaseError(path, _line_for(("isolate", j), lines), f"isolate[{j}]",
                                f"{name!r} is not a step output{_suggest(name, outputs)}")
    _check_expect(case, path, lines)
    return steps


def _check_expect(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    """Outputs named by a claim's expectation (and by `require`) must be ones the case records."""
    if case.source and case.source.expect:
        _check_named(case, case.source.expect, ("source", "expect"), path, lines)
    if case.require:
        _check_named(case, case.require, ("require",), path, lines)


def _check_named(case: Case, expect: Expect, prefix: tuple[str, ...], path: Path,
                 lines: dict[tuple[Any, ...], int]) -> None:
    recorded = set(case.observed()) | {f"grad.{n}" for n in (case.grad.wrt if case.grad else [])}
    recorded |= {f"{s.out}.{i}" for s in case.parsed_steps() if OPS[s.op].listed for i in range(8)}
    named = [(("shapes", n), n) for n in expect.shapes or {}] + [(("values", n), n) for n in expect.values or {}]
    if expect.compare:
        named.append((("compare", "output"), expect.compare.output))
    for at, name in named:
        if name not in recorded:
            where = prefix + at
            raise CaseError(path, _line_for(where, lines), _dotted(where),
                            f"{name!r} is not a recorded output{_suggest(name, recorded)}; recorded: "
                            f"{', '.join(sorted(recorded))}")
def _check_model(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    """The model's input is a float matrix [batch, features]; explicit weights fit their layer."""
    model = case.model
    assert model is not None
    spec = case.inputs.get(model.input)
    at = ("model", "input")
    if spec is None:
        raise CaseError(path, _line_for(at, lines), "model.input",
                        f"{model.input!r} is not an input{_suggest(model.input, case.inputs)}")
    if spec.literal is not None:
        raise CaseError(path, _line_for(at, lines), "model.input", "a model's input is born in NumPy, not a literal")
    shape = spec.shape if spec.shape is not None else list(shape_of_values(spec.values))
    if len(shape) != 2 or spec.dtype not in FLOAT_DTYPES:
        raise CaseError(path, _line_for(at, lines), "model.input",
                        f"{model.input!r} must be a float [batch, features] matrix, got {spec.dtype} {shape}")
    if model.output in case.inputs:
        raise CaseError(path, _line_for(("model", "output"), lines), "model.output",
                        f"model output {model.output!r} shadows an input")
    fan_in = shape[1]
    for i, layer in enumerate(model.layers):
        for part, want in (("kernel", [fan_in, layer.units]), ("bias", [layer.units])):
            weight = getattr(layer, part)
            if weight is None or weight.values is None:
                continue
            where = ("model", "layers", i, part, "values")
            try:
                got = list(shape_of_values(weight.values))
            except ValueError as exc:
                raise CaseError(path, _line_for(where, lines), _dotted(where), str(exc)) from None
            if got != want:
                raise CaseError(path, _line_for(where, lines), _dotted(where),
                                f"{part} values have shape {got} but layer {i} needs {want}")
        fan_in = layer.units


def _check_values(case: Case, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    for name, spec in case.inputs.items():
        if spec.values is None:
            continue  # a literal is the frameworks' to build, ragged or not
        at = ("inputs", name, "values")
        try:
            shape = shape_of_values(spec.values)
        except ValueError as exc:
            raise CaseError(path, _line_for(at, lines), _dotted(at), str(exc)) from None
        if len(shape) > MAX_RANK:
            raise CaseError(path, _line_for(at, lines), _dotted(at), f"rank {len(shape)} exceeds the limit of {MAX_RANK}")
        if spec.shape is not None and list(shape) != spec.shape:
            raise CaseError(path, _line_for(at, lines), _dotted(at),
                            f"values have shape {list(shape)} but shape says {spec.shape}")
        try:  # small by construction (the file is at most MAX_FILE_BYTES): build it once to see it fits the dtype
            make_input(spec)
        except (ValueError, OverflowError, TypeError) as exc:
            raise CaseError(path, _line_for(at, lines), _dotted(at),
                            f"values do not fit {spec.dtype}: {str(exc).splitlines()[0]}") from None


def load_case(path: str | Path) -> LoadedCase:
    """Load and validate one case file (its variants not expanded: see load_file); raises CaseError."""
    path = Path(path)
    data, lines = _read(path)
    return _validate(data, path, lines)


def _read(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """A case file's mapping and each field's line, read within the size limit; raises CaseError."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would hang the read, /dev/zero would never end
            raise CaseError(path, None, "", "not a regular file (a FIFO, device or socket)")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the limit and the byte that breaks it
    except OSError as exc:
        raise CaseError(path, None, "", f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CaseError(path, None, "", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(path, raw[: exc.start].count(b"\n") + 1, "", "file is not valid UTF-8") from None
    data, lines = _compose(text, path)
    if not isinstance(data, dict):
        raise CaseError(path, 1, "", "a case file must be a mapping of fields")
    return data, lines


def _validate(data: dict[str, Any], path: Path, lines: dict[tuple[Any, ...], int],
              variant: str | None = None) -> LoadedCase:
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_message(path, exc, lines, data) from None
    _check_values(case, path, lines)
    steps = _check_steps(case, path, lines)
    if case.forms:
        wrong = check_forms(case.forms, steps)
        if wrong is not None:
            raise CaseError(path, _line_for(("forms", wrong[0]), lines), f"forms.{wrong[0]}", wrong[1])
    if variant is not None:
        case = case.model_copy(update={"id": f"{case.id}[{variant}]", "title": f"{case.title} [{variant}]"})
    return LoadedCase(case, path, steps, variant)


def load_file(path: str | Path) -> list[LoadedCase]:
    """Every case a file holds: the case itself, or one per variant (ids `case-id[variant]`); raises CaseError."""
    path = Path(path)
    data, lines = _read(path)
    base = _validate(data, path, lines)
    if base.case.variants is None:
        return [base]
    found = []
    variants = base.case.variants
    if isinstance(variants, Product) and math.prod(map(len, variants.product)) > MAX_VARIANTS:
        sizes = [len(names) for names in variants.product]  # four lists of 200: 1.6 billion, never to be built
        raise CaseError(path, _line_for(("variants", "product"), lines), "variants.product",
                        f"{' x '.join(map(str, sizes))} = {math.prod(sizes)} combinations exceeds the limit of "
                        f"{MAX_VARIANTS} variants")
    for i, (name, changes) in enumerate(_variant_list(variants)):
        try:
            found.append(_validate(_apply_variant(data, changes, path, lines), path, lines, name))
        except CaseError as exc:
            line = _variant_line(exc, i, changes, lines) if isinstance(base.case.variants, list) else exc.line
            raise CaseError(path, line, f"variants[{i}] ({name}): {exc.field}".rstrip(": "), exc.message) from None
    return found


def _check_rule(case: Case, out: str, rule: CustomRule, steps: list[Step], path: Path,
                lines: dict[tuple[Any, ...], int]) -> None:
    """A rule names a step output whose arguments are names; its steps use those, the output and the cotangent."""
    def fail(at: tuple[Any, ...], message: str) -> CaseError:
        return CaseError(path, _line_for(("custom_gradient", out) + at, lines),
                         ".".join(["custom_gradient", out] + [str(a) for a in at]), message)

    made = [s for s in steps if out in s.names]
    if not made:
        raise fail((), f"{out!r} is not a step output{_suggest(out, [n for s in steps for n in s.names])}")
    step = made[0]
    if step.outs or step.vmap or not all(isinstance(a, Ref) for a in step.args):
        raise fail((), "a custom gradient wraps a step with one output whose arguments are names")
    if len(rule.grads) != len(step.args):
        raise fail(("grads",), f"{step.op} takes {len(step.args)} arguments: give one gradient name each")
    known = {a.name for a in step.args if isinstance(a, Ref)} | {out, rule.cotangent}
    for j, text in enumerate(rule.backward):
        try:
            inner = parse_step(text)
        except StepSyntaxError as exc:
            raise fail(("backward", j), f"{exc} in {text!r}") from None
        if inner.op not in OPS:
            raise fail(("backward", j), f"unknown op {inner.op!r}{_suggest(inner.op, OPS)}")
        for arg in inner.args:
            if isinstance(arg, Ref) and arg.name not in known:
                raise fail(("backward", j), f"{arg.name!r} is not the step's argument, output, the cotangent or an "
                                            f"earlier backward output{_suggest(arg.name, known)}")
        known.update(inner.names)
    for j, name in enumerate(rule.grads):
        if name not in known:
            raise fail(("grads", j), f"{name!r} is not defined by the rule{_suggest(name, known)}")


def _variant_line(exc: CaseError, i: int, changes: list[Variant], lines: dict[tuple[Any, ...], int]) -> int | None:
    """An error in steps or observe a variant replaced points at the variant's line, not the base case's."""
    key, _, index = exc.field.partition("[")
    if key.startswith("forms.") and any(key.split(".", 1)[1] in c.forms for c in changes):
        return _line_for(("variants", i, "forms", key.split(".", 1)[1]), lines)
    if not any(getattr(c, key, None) is not None for c in changes if key in ("steps", "observe")):
        return exc.line
    at = ("variants", i, key) + ((int(index.split("]")[0]),) if index[:1].isdigit() else ())
    return _line_for(at, lines)


def load_id(path: str | Path, case_id: str) -> LoadedCase:
    """The case `case_id` of a file: the case itself, or one of its variants (`case-id[variant]`)."""
    found = load_file(path)
    match = [c for c in found if c.id == case_id]
    if not match:
        raise CaseError(path, None, "", f"no case {case_id!r} here; it holds {', '.join(c.id for c in found)}")
    return match[0]


def _variant_list(variants: list[Variant] | Product) -> list[tuple[str, list[Variant]]]:
    import itertools

    if isinstance(variants, Product):
        return [(",".join(v.name for v in combo), list(combo)) for combo in itertools.product(*variants.product)]
    return [(v.name, [v]) for v in variants]


def _apply_variant(data: dict[str, Any], changes: list[Variant], path: Path,
                   lines: dict[tuple[Any, ...], int]) -> dict[str, Any]:
    """The case file's data with a variant's changes applied, ready to validate as one case."""
    import copy

    out = copy.deepcopy({k: v for k, v in data.items() if k != "variants"})  # not the others: n copies of n variants
    for change in changes:
        for name, fields in change.inputs.items():
            if name not in out["inputs"]:
                raise CaseError(path, _line_for(("variants",), lines), "inputs",
                                f"{name!r} is not an input{_suggest(name, out['inputs'])}")
            spec = out["inputs"][name]
            if {"init", "values", "literal"} & fields.keys():  # a new source replaces the old one
                for key in ("init", "values", "literal"):
                    spec.pop(key, None)
                if {"values", "literal"} & fields.keys() and "shape" not in fields:
                    spec.pop("shape", None)  # explicit values carry their own shape
                if "literal" in fields and "dtype" not in fields:
                    spec.pop("dtype", None)  # a literal without a dtype is each framework's to infer
            spec.update(fields)
        if change.steps is not None:
            out["steps"] = list(change.steps)
        if change.observe is not None:
            out["observe"] = [o if isinstance(o, str) else o.model_dump() for o in change.observe]
        if change.forms:
            out["forms"] = {**(out.get("forms") or {}), **change.forms}
        if change.compile is not None:
            out["compile"] = change.compile
        if change.custom_gradient is not None:
            out["custom_gradient"] = change.custom_gradient
        if change.contrast_with is not None:
            out["contrast_with"] = change.contrast_with
        for target, attrs in change.attrs.items():
            steps = [parse_step(t) if isinstance(t, str) else None for t in out["steps"]]
            at = [i for i, s in enumerate(steps) if s is not None and target in s.names]
            if not at:
                raise CaseError(path, _line_for(("variants",), lines), "attrs", f"{target!r} is not a step output")
            step = steps[at[0]]
            assert step is not None
            out["steps"][at[0]] = step.with_attrs(attrs).text
        if change.grad:
            if not isinstance(out.get("grad"), dict):
                raise CaseError(path, _line_for(("variants",), lines), "grad", "the case has no `grad` to change")
            out["grad"].update(change.grad)
        if (change.claim or change.expect or change.example) and isinstance(out.get("source"), dict):
            if change.claim:
                out["source"]["claim"] = change.claim
            if change.expect:
                out["source"]["expect"] = change.expect.model_dump(exclude_none=True)
            if change.example:
                out["source"]["example"] = change.example
    return out


def case_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand directories to their *.yaml files, sorted, so runs are deterministic."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for found in sorted(p.rglob("*.yaml")):
                if found.is_file():
                    files.append(found)
                else:  # a FIFO, socket, device or dangling link in a folder: say so and go on
                    sys.stderr.write(f"{found}: not a regular file; skipped\n")
        elif p.exists():
            files.append(p)
        else:
            raise CaseError(p, None, "", "no such file or directory")
    return files


def load_cases(paths: Sequence[str | Path]) -> list[LoadedCase]:
    """Load every case under `paths` (each file once); the id must be the file name; duplicate ids name both files."""
    seen: dict[str, LoadedCase] = {}
    files: dict[Path, Path] = {}
    for path in case_files(paths):
        files.setdefault(path.resolve(), path)  # `cases cases/x.yaml` names x.yaml twice: one case
    for path in files.values():
        for loaded in load_file(path):
            check_identity(loaded, seen)
    return list(seen.values())


def check_identity(loaded: LoadedCase, seen: dict[str, LoadedCase]) -> None:
    """The id must be the file name and unique among `seen` (which it joins); CaseError naming both files if not.
    `oracle run` and the pytest plugin both hold case files to this."""
    path = loaded.path
    if loaded.base_id != path.stem:
        raise CaseError(path, _id_line(path), "id", f"id {loaded.base_id!r} differs from the file name "
                        f"{path.stem!r}; the file name is the id")
    other = seen.get(loaded.id)
    if other is not None and other.path.resolve() != path.resolve():
        raise CaseError(path, 1, "id", f"duplicate id {loaded.id!r}, also in {other.path}")
    seen[loaded.id] = loaded


def _id_line(path: Path) -> int | None:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((i + 1 for i, line in enumerate(lines) if line.startswith("id:")), None)


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
