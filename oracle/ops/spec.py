"""The shape of an op declaration: arguments, attributes, reference formula, alternatives, bindings.

Declarations are data: a binding names the public API a user would call (a dotted path as
users write it, `torch.nn.functional.gelu`, `jnp.sum`, `keras.losses.MeanSquaredError`)
and how the op's arguments and attributes map onto it. The binder (oracle/native.py)
resolves and calls it inside a framework's worker; snippets and `native_api` texts are
rendered from the same binding, so what is printed is what was called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, TypedDict

from oracle.expression import calls

FRAMEWORK = "framework"  # an attribute default meaning "not passed: each framework's own default applies"
FRAMEWORKS = ("torch", "tensorflow", "jax")
_UNSET = object()


class _Required:
    def __repr__(self) -> str:
        return "required"


REQUIRED: Any = _Required()  # an attribute default meaning "the case must pin it"

ATTR_TYPES = ("int", "float", "bool", "str", "axis", "axes", "shape", "ints", "floats", "strs", "any")


@dataclass(frozen=True)
class Arg:
    """A positional argument: a tensor, an integer tensor, or a Python scalar.

    `domain` tells generated inputs what values make sense (explain, explore):
    real | positive | probability | binary | index (integers in [0, size of the first input's last axis)).
    """

    name: str
    kind: str = "tensor"  # tensor | int_tensor | scalar | object (a built layer or metric)
    domain: str = "real"


@dataclass(frozen=True)
class Attr:
    """A typed attribute. `default` is a value, or FRAMEWORK (not passed, the framework's default applies).

    `reference` is the value the reference formula uses when the case leaves it unpinned
    (required when default is FRAMEWORK and the formula reads it); it is the intended
    semantics, stated, never a framework's default copied.
    """

    type: str
    default: Any = FRAMEWORK
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    nullable: bool = False
    reference: Any = _UNSET
    doc: str = ""
    many: bool = False  # a number, or a list of them (a `float` attribute such as quantile's q)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def passed_by_default(self) -> bool:
        """A declared default value is passed when the case leaves the attribute out; FRAMEWORK is not."""
        return not self.required and not (isinstance(self.default, str) and self.default == FRAMEWORK)

    def reference_value(self) -> Any:
        if self.reference is not _UNSET:
            return self.reference
        return self.default if self.passed_by_default else None

    def check(self, value: Any) -> str | None:
        """Why `value` is not valid for this attribute, or None."""
        if value is None:
            return None if self.nullable or self.type in ("axis", "axes", "any") else "must not be null"
        if value == FRAMEWORK and isinstance(value, str) and self.type != "str":
            return None
        kind = self.type
        if kind in ("int", "axis"):
            if isinstance(value, bool) or not isinstance(value, int):
                return f"must be an integer, got {value!r}"
        elif kind == "float":
            numbers = value if self.many and isinstance(value, list) and value else [value]
            if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in numbers):
                return f"must be a number{' or a list of numbers' if self.many else ''}, got {value!r}"
        elif kind == "bool":
            if not isinstance(value, bool):
                return f"must be true or false, got {value!r}"
        elif kind == "str":
            if not isinstance(value, str):
                return f"must be a string, got {value!r}"
        elif kind in ("axes", "shape", "ints"):
            items = value if isinstance(value, list) else [value] if kind == "axes" else None
            if items is None or any(isinstance(v, bool) or not isinstance(v, int) for v in items):
                return f"must be {'an integer or ' if kind == 'axes' else ''}a list of integers, got {value!r}"
            if kind == "shape" and any(v < -1 for v in items):
                return f"dimensions must be >= 0 (or one -1), got {value!r}"
        elif kind == "floats":
            if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value):
                return f"must be a list of numbers, got {value!r}"
        elif kind == "strs":
            if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
                return f"must be a list of names, got {value!r}"
            wrong = [v for v in value if self.choices and v not in self.choices]
            if wrong:
                return f"each must be one of {', '.join(map(str, self.choices))}, got {wrong[0]!r}"
            return None
        if self.choices and value not in self.choices and value != FRAMEWORK:
            return f"must be one of {', '.join(map(str, self.choices))}, got {value!r}"
        numbers = value if isinstance(value, list) else [value]
        for v in numbers:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if self.low is not None and v < self.low:
                    return f"must be >= {self.low:g}, got {v!r}"
                if self.high is not None and v > self.high:
                    return f"must be <= {self.high:g}, got {v!r}"
        return None


@dataclass(frozen=True)
class Native:
    """An attribute's native spelling in one binding: keyword name and, where they differ, values."""

    keyword: str
    values: dict[Any, Any] = field(default_factory=dict)
    positional: bool = False  # passed positionally after the tensors, in declaration order

    def value(self, canonical: Any) -> Any:
        return self.values.get(canonical, canonical) if _hashable(canonical) else canonical


@dataclass(frozen=True)
class Fixed:
    """A keyword a binding passes though the case did not pin it, and why (shown wherever the call is shown).

    A case overrides it by pinning the attribute the binding maps to the same keyword.
    """

    value: Any
    reason: str


def fix(value: Any, reason: str) -> Fixed:
    return Fixed(value, reason)


@dataclass(frozen=True)
class Binding:
    """How one framework's public API computes an op.

    kind:
      call       target(*args, **keywords)                       a function
      construct  target(**keywords)(*args)                        torch.nn modules, Keras loss classes
      stateful   obj = target(**keywords); obj.<update>(*args); obj.<result>()   metrics
      method     args[0].<target>(*args[1:], **keywords)
      operator   args[0] <target> args[1] (or <target> args[0] for one argument)
      switch     pick a binding by an argument's dtype kind (integer/floating/bool) or an attribute's value
      expression the call as the Python a user writes over the op's names (oracle/expression.py): a list
                 argument `torch.cat([x, y], dim=axis)`, a subscript `x[start:stop]`, a method on a built
                 object `x.at[indices].add(updates)`, a layout transpose around a call, a renamed keyword
      custom     a named function in the adapter, for the few ops that need more code than an expression
      build      obj = target(**keywords): a layer or metric object that later steps use (OpDef.builds)
      attribute  args[0].<target> (a dotted path): a stateful object's state, e.g. bn.running_mean
      none       the framework has no public form: `reason` says why
    `args` orders the op's arguments for the native call ("name", "kw=name" for a keyword, or a
    constant number); `attrs` maps attribute -> Native; `fixed` are constant keywords, each a
    `fix(value, reason)` saying why the binding passes what the case did not pin;
    `then` reduces the result by an attribute's value (optax losses are per element: `jnp.mean`).
    """

    kind: str
    target: str = ""
    args: tuple[Any, ...] | None = None
    attrs: dict[str, Native] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    then: tuple[str, dict[Any, str]] | None = None
    on: str = ""
    cases: dict[str, Binding] = field(default_factory=dict)
    update: str = ""
    result: str = ""
    reason: str = ""
    code: str = ""  # custom: the code a user writes, with {arg} placeholders; expression: the code run
    infers: tuple[str, ...] = ()  # attributes this API takes no parameter for: it infers them from the inputs
    pick: int | str | None = None  # one output of a tuple result: its index, or an attribute name (`.values`)

    @property
    def supported(self) -> bool:
        return self.kind != "none"

    def fixed_values(self) -> dict[str, Any]:
        """The keywords this binding always passes, as values."""
        return {k: v.value if isinstance(v, Fixed) else v for k, v in self.fixed.items()}

    def fixed_reasons(self) -> dict[str, str]:
        return {k: v.reason for k, v in self.fixed.items() if isinstance(v, Fixed)}

    def leaves(self) -> list[Binding]:
        return [leaf for case in self.cases.values() for leaf in case.leaves()] if self.kind == "switch" else [self]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _natives(attrs: dict[str, Any]) -> dict[str, Native]:
    return {k: v if isinstance(v, Native) else Native(v) for k, v in attrs.items()}


def kw(keyword: str, values: dict[Any, Any] | None = None, positional: bool = False) -> Native:
    """An attribute's native keyword with a value map: kw("reduction", {"mean": "sum_over_batch_size"})."""
    return Native(keyword, values or {}, positional)


def call(target: str, *, args: tuple[Any, ...] | None = None, fixed: dict[str, Any] | None = None,
         then: tuple[str, dict[Any, str]] | None = None, infers: tuple[str, ...] = (), pick: int | str | None = None,
         **attrs: str | Native) -> Binding:
    return Binding("call", target, args, _natives(attrs), fixed or {}, then, infers=infers, pick=pick)


def construct(target: str, *, args: tuple[Any, ...] | None = None, fixed: dict[str, Any] | None = None,
              then: tuple[str, dict[Any, str]] | None = None, infers: tuple[str, ...] = (),
              pick: int | str | None = None, **attrs: str | Native) -> Binding:
    return Binding("construct", target, args, _natives(attrs), fixed or {}, then, infers=infers, pick=pick)


def stateful(target: str, *, update: str, result: str, args: tuple[Any, ...] | None = None,
             fixed: dict[str, Any] | None = None, infers: tuple[str, ...] = (), **attrs: str | Native) -> Binding:
    return Binding("stateful", target, args, _natives(attrs), fixed or {}, update=update, result=result,
                   infers=infers)


def method(name: str, *, args: tuple[Any, ...] | None = None, fixed: dict[str, Any] | None = None,
           pick: int | str | None = None, **attrs: str | Native) -> Binding:
    return Binding("method", name, args, _natives(attrs), fixed or {}, pick=pick)


def operator(symbol: str) -> Binding:
    return Binding("operator", symbol)


def switch(on: str, **cases: Binding) -> Binding:
    """By an argument's dtype kind (cases integer, floating, bool) or an attribute's value (cases by value)."""
    return Binding("switch", on=on, cases=cases)


def custom(name: str, code: str, *, fixed: dict[str, Any] | None = None, **attrs: str | Native) -> Binding:
    """`fixed`: keywords the adapter's function passes that the case did not pin, declared with their reasons."""
    return Binding("custom", name, attrs=_natives(attrs), fixed=fixed or {}, code=code)


def expression(code: str, *, fixed: dict[str, Any] | None = None) -> Binding:
    """The call as Python over the op's arguments and attributes by name, run and shown as written
    (oracle/expression.py); `fixed` names constants the code uses, each `fix(value, reason)`."""
    return Binding("expression", fixed=fixed or {}, code=code)


def build(target: str, *, fixed: dict[str, Any] | None = None, infers: tuple[str, ...] = (),
          **attrs: str | Native) -> Binding:
    return Binding("build", target, (), _natives(attrs), fixed or {}, infers=infers)


def attribute(path: str) -> Binding:
    return Binding("attribute", path)


def none(reason: str) -> Binding:
    return Binding("none", reason=reason)


Reference = Callable[..., Any]


@dataclass(frozen=True)
class OpDef:
    """One op, declared once. See oracle/ops/__init__.py for the families."""

    name: str
    family: str
    args: tuple[Arg, ...]
    doc: str
    reference: Reference | None
    torch: Binding
    tensorflow: Binding
    jax: Binding
    attrs: dict[str, Attr] = field(default_factory=dict)
    conventions: str = ""  # the reference's convention at kinks and ties, in words
    alternatives: tuple[str, ...] = ()  # named semantics a column may follow instead (oracle/semantics.py)
    # several results: their names, unpacked by `a, b = op(...)`; ("*",) is a list of any length,
    # observed as name.0, name.1, ... and name.count
    outputs: tuple[str, ...] = ()
    # the op builds a native object (a layer, a metric) that later steps take as their first argument
    # (Arg kind "object"); the object itself is not observed, its state is, through other ops
    builds: bool = False
    # its gradient is, by design, not the derivative of its value (stop_gradient): finite differences cannot check it
    blocks_gradient: bool = False
    # more public entry points per framework, each a named form beside the default binding above
    # (framework -> form name -> binding); see `forms_of`
    forms: dict[str, dict[str, Binding]] = field(default_factory=dict)

    @property
    def listed(self) -> bool:
        return self.outputs == ("*",)

    def binding(self, framework: str, form: str = "") -> Binding:
        """The default binding, or the named form's when `form` is one of this framework's forms."""
        if form:
            found = self.forms_of(framework).get(form)
            if found is not None:
                return found
        binding: Binding = getattr(self, framework)
        return binding

    def forms_of(self, framework: str) -> dict[str, Binding]:
        """Every form of this op in `framework`, by name, the default first (named by `form_name`)."""
        default = getattr(self, framework)
        return {form_name(default): default, **self.forms.get(framework, {})}

    def default_form(self, framework: str) -> str:
        return form_name(getattr(self, framework))

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args)


class FrameworkBindings(TypedDict):
    """One binding per framework, splatted into op(...) by a declaration built in a loop."""

    torch: Binding
    tensorflow: Binding
    jax: Binding


def op(name: str, family: str, args: str | tuple[str | Arg, ...], doc: str, reference: Reference | None, *,
       torch: Binding, tensorflow: Binding, jax: Binding, attrs: dict[str, Attr] | None = None,
       conventions: str = "", alternatives: tuple[str, ...] = (), outputs: tuple[str, ...] = (),
       builds: bool = False, blocks_gradient: bool = False,
       forms: dict[str, dict[str, Binding]] | None = None) -> OpDef:
    """Declare an op; `args` may be a space-separated string of tensor argument names.

    `forms` adds named entry points beside each framework's default binding:
    forms={"torch": {"module": construct("torch.nn.MSELoss", reduction="reduction")}}.
    """
    parsed = tuple(Arg(a) if isinstance(a, str) else a for a in (args.split() if isinstance(args, str) else args))
    declared = OpDef(name, family, parsed, doc, reference, torch, tensorflow, jax, attrs or {}, conventions,
                     alternatives, outputs, builds, blocks_gradient, forms or {})
    for framework, extra in declared.forms.items():
        if framework not in FRAMEWORKS:
            raise ValueError(f"{name}: forms for unknown framework {framework!r}")
        default = declared.default_form(framework)
        for form in extra:
            if form == default:
                raise ValueError(f"{name}: {framework} form {form!r} is also the default binding's name")
            if not re.fullmatch(FORM_NAME, form):
                raise ValueError(f"{name}: form name {form!r} is not [a-z][a-z0-9._-]*")
    return declared


FORM_NAME = r"[a-z][a-z0-9._-]*"
# a target's module as users call it -> the form's name (other modules go by their own dotted path)
_FORM_BY_MODULE = {"torch.nn.functional": "functional", "jax.numpy": "jnp", "optax.losses": "optax",
                   "optax": "optax", "flax.linen": "linen", "flax.nnx": "nnx"}
_FORM_BY_KIND = {"method": "method", "operator": "operator", "attribute": "attribute", "custom": "custom",
                 "none": "none"}


def form_name(binding: Binding) -> str:
    """The name of a binding's form, from the API it calls: `torch.nn.functional.gelu` is `functional`,
    `torch.nn.MSELoss` built then called is `module`, `keras.losses.MeanSquaredError` is `class`,
    `keras.layers.Dense` is `layer`, `keras.ops.gelu` is `keras.ops`, `x.max(...)` is `method`."""
    if binding.kind == "switch":
        return form_name(binding.leaves()[0])
    if binding.kind in _FORM_BY_KIND:
        return _FORM_BY_KIND[binding.kind]
    if binding.kind == "expression":  # named by the first module function it calls, else Python's own syntax
        first = next(calls(binding.code), None)
        return form_name(Binding("call", first[0])) if first else "method" if "(" in binding.code else "subscript"
    target = binding.target.replace(":", ".")
    module = target.rsplit(".", 1)[0] if "." in target else target
    if binding.kind in ("construct", "stateful", "build"):
        if module.startswith("torch.nn"):
            return "module"
        if module.startswith("keras.layers"):
            return "layer"
        if module.startswith(("keras.losses", "keras.metrics")):
            return "class"
    if module.startswith("keras.losses"):
        return "function"
    return _FORM_BY_MODULE.get(module, module)


# ---- forms derived from a declared binding: the same parameters through another entry point ----

def as_method(binding: Binding, name: str = "") -> Binding | None:
    """The same call as a method of the first argument: `torch.sum(x, dim=1)` -> `x.sum(dim=1)`;
    a switch maps each leaf. None where a leaf is not a plain call."""
    if binding.kind == "switch":
        cases = {k: as_method(b, name) for k, b in binding.cases.items()}
        return None if any(b is None for b in cases.values()) else \
            Binding("switch", on=binding.on, cases={k: b for k, b in cases.items() if b is not None})
    if binding.kind != "call" or binding.then:
        return None
    return Binding("method", name or binding.target.rsplit(".", 1)[-1], binding.args, binding.attrs, binding.fixed,
                   pick=binding.pick)


def retarget(binding: Binding, target: str, kind: str = "", drop: tuple[str, ...] = (),
             rename: dict[str, str] | None = None) -> Binding:
    """The same arguments and attributes through another API: `torch.nn.MSELoss` -> `torch.nn.functional.mse_loss`
    (kind "call"); `drop` attributes the API takes no parameter for; `rename` attribute -> its keyword there."""
    attrs = {k: (Native(rename[k], v.values, v.positional) if rename and k in rename else v)
             for k, v in binding.attrs.items() if k not in drop}
    return Binding(kind or binding.kind, target, binding.args, attrs, binding.fixed, binding.then,
                   infers=binding.infers, pick=binding.pick)


def with_forms(ops: list[OpDef], framework: str, form: str,
               make: Callable[[OpDef], Binding | None] | dict[str, Binding]) -> list[OpDef]:
    """Add the form `form` in `framework` to the ops `make` gives a binding for (a function of the
    declaration, or op name -> binding); the others are unchanged."""
    import dataclasses

    out = []
    for declared in ops:
        binding = make.get(declared.name) if isinstance(make, dict) else make(declared)
        if binding is not None and form != declared.default_form(framework):
            forms = {fw: dict(f) for fw, f in declared.forms.items()}
            forms.setdefault(framework, {})[form] = binding
            declared = dataclasses.replace(declared, forms=forms)
        out.append(declared)
    unknown = set(make) - {d.name for d in ops} if isinstance(make, dict) else set()
    if unknown:
        raise ValueError(f"forms for ops not declared here: {', '.join(sorted(unknown))}")
    return out


def methods(ops: list[OpDef], framework: str, names: str) -> dict[str, Binding]:
    """op -> the method form of its default call (space-separated names; `op:method` where the method's
    name differs from the function's)."""
    by_name = {d.name: d for d in ops}
    out: dict[str, Binding] = {}
    for item in names.split():
        name, _, method_name = item.partition(":")
        if name not in by_name:
            raise ValueError(f"method form for {name!r}, which is not declared here")
        found = as_method(by_name[name].binding(framework), method_name)
        if found is None:
            raise ValueError(f"{name}: its {framework} binding is not a plain call; declare its method form by hand")
        out[name] = found
    return out


def functions(ops: list[OpDef], framework: str, module: str, names: str) -> dict[str, Binding]:
    """op -> its default call with the same arguments through `module` (space-separated names;
    `op:function` where the function's name differs): tf.math.reduce_sum -> keras.ops.sum."""
    by_name = {d.name: d for d in ops}
    out: dict[str, Binding] = {}
    for item in names.split():
        name, _, function = item.partition(":")
        if name not in by_name:
            raise ValueError(f"{module} form for {name!r}, which is not declared here")
        binding = by_name[name].binding(framework)
        if binding.kind != "call":
            raise ValueError(f"{name}: its {framework} binding is not a plain call; declare its {module} form by hand")
        out[name] = retarget(binding, f"{module}.{function or name}")
    return out
