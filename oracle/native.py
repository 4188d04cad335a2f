"""The binder, run inside a framework's worker: resolve each op's binding, check it, call it, record it.

Only what the case pinned (or the declaration gives a value for) is passed, mapped to the
framework's spelling; an attribute left to the framework is not passed, and the value in
effect is read from the callable's signature or the built object where the framework shows
it. Every binding is checked against its callable's signature when the worker starts, so
an oracle mistake is a `crash` ("binding error: ..."), never the framework's error.
`render` writes the exact call, with the keywords passed: it is both the outcome's
`native_api` and the report's snippet.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import operator as pyop
import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from oracle import expression
from oracle.ops import FRAMEWORK, OPS, Binding, OpDef
from oracle.request import Unsupported
from oracle.steps import python_text

# How users write module names: `tf.math.log`, `jnp.sum`.
ALIASES = {"tf": "tensorflow", "jnp": "jax.numpy", "np": "numpy"}
IMPORTS = {"tf": "import tensorflow as tf", "jnp": "import jax.numpy as jnp", "np": "import numpy as np"}
OPERATORS: dict[str, Callable[..., Any]] = {"+": pyop.add, "-": pyop.sub, "*": pyop.mul, "/": pyop.truediv,
                                            "//": pyop.floordiv, "%": pyop.mod, "**": pyop.pow, "@": pyop.matmul,
                                            "==": pyop.eq, "!=": pyop.ne, "<": pyop.lt, "<=": pyop.le,
                                            ">": pyop.gt, ">=": pyop.ge, "&": pyop.and_, "|": pyop.or_,
                                            "^": pyop.xor, "~": pyop.invert, "neg": pyop.neg}
NOT_SHOWN = "not shown by the framework"
# what a custom binding's code, written for listings, holds where a value is only known when called:
# `<pinned keywords>`, `epsilon=...`, `{name}` left unfilled, `if pinned` (an Ellipsis index `[...]` is code)
PLACEHOLDER = re.compile(r"\*\*pinned|(?<!\[)\.\.\.(?!\])|<[A-Za-z_][^<>\n]*>|\{[A-Za-z_]\w*\}|\b(?:if|when|is) pinned\b")


class BindingError(Exception):
    """The oracle's declaration does not fit the framework's API: an oracle bug, reported as a crash."""


def shown(path: str) -> str:
    """A target as users write it: 'flax.nnx:metrics.Accuracy' -> 'flax.nnx.metrics.Accuracy'."""
    return path.replace(":", ".")


def resolve(path: str) -> Any:
    """'torch.nn.functional.gelu' -> the object, importing the longest module prefix that exists.

    'module:attr.attr' names the module to import explicitly, where an attribute path
    looks like a module (flax.nnx:metrics.Accuracy).
    """
    if ":" in path:
        module, _, rest = path.partition(":")
        found: Any = importlib.import_module(ALIASES.get(module, module))
        for name in rest.split("."):
            found = getattr(found, name)
        return found
    parts = path.split(".")
    parts[:1] = ALIASES.get(parts[0], parts[0]).split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(f"No module named {parts[0]!r}")


def module_of(path: str) -> str:
    """The import line a snippet needs for a dotted target."""
    if ":" in path:
        return f"import {path.split(':')[0]}"
    head = path.split(".")[0]
    if head in IMPORTS:
        return IMPORTS[head]
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if parts[cut - 1][:1].islower() and not parts[cut][:1].isupper():
            continue
        return f"import {'.'.join(parts[:cut])}"
    return f"import {head}"



def missing_api(exc: BaseException) -> bool:
    """An attribute a module lacks, looked up by the adapter's own code (a custom binding on an older
    framework: `nnx.InstanceNorm` before flax had it). Raised deeper, inside the framework, it is the
    framework's error and stays so."""
    if not isinstance(exc, AttributeError) or not isinstance(getattr(exc, "obj", None), types.ModuleType):
        return False
    frames = [tb.tb_frame.f_code for tb in _traceback(exc.__traceback__)]
    frames = [f for f in frames if f.co_name != "__getattr__"]  # a lazy module's own lookup hook
    return bool(frames) and Path(frames[-1].co_filename).parent.name == "adapters"


def _traceback(tb: types.TracebackType | None) -> Iterator[types.TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next

@dataclass
class Made:
    """A custom binding's own record, where its calls depend on what the case pinned (an optimizer's keywords,
    a loop): the value, the code it ran with the values passed (the outcome's `native_api`; `{arg}` stands
    for an argument's name in the case), and the defaults in effect it read back from the object it built."""

    value: Any
    api: str
    defaults: dict[str, str]


def shown_call(target: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> str:
    """`target(1, 4, staircase=True)`: a call as made, with the values passed (a Made's `api`)."""
    return f"{target}({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in (kwargs or {}).items()])})"


def as_made(call: Callable[[], Any], text: str) -> Any:
    """Make a custom binding's call; a framework error keeps `text`, the call as made (the failed cell's
    `native_api`)."""
    try:
        return call()
    except Exception as exc:
        exc.oracle_api = text  # type: ignore[attr-defined]
        raise


def _named(code: str, texts: Mapping[str, str]) -> str:
    """`{arg}` -> the argument's text in the case; other braces (a dict literal) stay as written."""
    for name, text in texts.items():
        code = code.replace("{" + name + "}", text)
    return code


@dataclass
class Applied:
    value: Any
    api: str  # the exact call, with the keywords actually passed
    defaults: dict[str, str]  # unpinned attribute -> the framework's value in effect, where it shows one
    form: str = ""  # the name of the form (entry point) called, `functional`, `module`, `keras.ops`, ...


def effective_attrs(declared: OpDef, pinned: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes passed: pinned ones and declared default values; `framework` ones are left out."""
    out = {}
    for name, attr in declared.attrs.items():
        if name in pinned:
            if not (isinstance(pinned[name], str) and pinned[name] == FRAMEWORK):
                out[name] = pinned[name]
        elif attr.passed_by_default:
            out[name] = attr.default
    return out


def select(binding: Binding, declared: OpDef, kinds: Mapping[str, str], attrs: Mapping[str, Any]) -> Binding:
    """A switch's leaf: by an argument's dtype kind (integer / floating / bool) or an attribute's value."""
    while binding.kind == "switch":
        key = kinds.get(binding.on, "") if binding.on in declared.arg_names else str(attrs.get(binding.on, FRAMEWORK))
        if key not in binding.cases:
            raise Unsupported(f"no native form for {binding.on}={key}: the binding covers "
                              f"{', '.join(binding.cases)}")
        binding = binding.cases[key]
    return binding


def _plain(value: Any) -> Any:
    return tuple(_plain(v) for v in value) if isinstance(value, list) else value


def _split_args(binding: Binding, declared: OpDef, values: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    order = binding.args if binding.args is not None else declared.arg_names
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for item in order:
        if isinstance(item, str) and "=" in item:
            native, name = item.split("=", 1)
            keywords[native] = values[name]
        elif isinstance(item, str):
            positional.append(values[item])
        else:
            positional.append(item)  # a constant, e.g. index_add's dim 0
    return positional, keywords


def _native_attrs(binding: Binding, declared: OpDef, attrs: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Attributes in the framework's spelling; one the binding cannot express is `unsupported`."""
    positional: list[Any] = []
    keywords: dict[str, Any] = binding.fixed_values()  # pinned attributes below override them
    skip = {binding.then[0]} if binding.then else set()
    for name, value in attrs.items():
        if name in skip or binding.kind == "custom" or name in binding.infers:
            continue
        native = binding.attrs.get(name)
        if native is None:
            if value is None or _is_switch_attr(declared, name):
                continue
            raise Unsupported(f"{binding.target} has no parameter for {name}={value!r}")
        # a list of numbers (quantile's q) goes as the list users write; axes and shapes as tuples
        many = name in declared.attrs and declared.attrs[name].many
        plain = native.value(value) if many else _plain(native.value(value))
        if native.positional:
            positional.append(plain)
        else:
            keywords[native.keyword] = plain
    return positional, keywords


def _is_switch_attr(declared: OpDef, name: str) -> bool:
    from oracle.ops import FRAMEWORKS

    return any(b.kind == "switch" and b.on == name for fw in FRAMEWORKS for b in declared.forms_of(fw).values())


def _kw_text(keywords: Mapping[str, Any]) -> list[str]:
    return [f"{k}={python_text(v)}" for k, v in keywords.items()]  # inf as float('inf'): the text runs


def render(binding: Binding, declared: OpDef, texts: Mapping[str, str], attrs: Mapping[str, Any],
           var: str = "metric") -> str:
    """The call as code, with argument texts (variable names) and the attributes passed."""
    if binding.kind == "none":
        return f"no native form: {binding.reason}"
    if binding.kind == "custom":
        code = binding.code
        for k in (k for k in declared.attrs if k not in attrs):  # not passed: its keyword is left out, as called
            code = re.sub(rf",\s*\w+=\{{{k}\}}|\b\w+=\{{{k}\}}(,\s*)?", "", code)
        unpinned = {k: "..." for k in declared.attrs if k not in attrs}  # any other use: the adapter call is recorded
        return code.format(**texts, **unpinned, **{k: repr(_plain(v)) for k, v in attrs.items()})
    if binding.kind == "expression":
        values = {**binding.fixed_values(), **{k: _plain(v) for k, v in attrs.items()}}
        return expression.text(binding.code, texts, values, set(declared.attrs) - set(attrs))
    pos, kws = _split_args(binding, declared, texts)
    attr_pos, attr_kws = _native_attrs(binding, declared, attrs)
    args = [str(p) for p in pos] + [python_text(p) for p in attr_pos] + [f"{k}={v}" for k, v in kws.items()]
    if binding.kind == "operator":
        text = f"{binding.target}{args[0]}" if len(args) == 1 else f"{args[0]} {binding.target} {args[1]}"
        if binding.target == "neg":
            text = f"-{args[0]}"
    elif binding.kind == "call":
        text = f"{shown(binding.target)}({', '.join(args + _kw_text(attr_kws))})"
    elif binding.kind == "construct":
        text = f"{shown(binding.target)}({', '.join(_kw_text(attr_kws))})({', '.join(args)})"
    elif binding.kind == "build":
        text = f"{shown(binding.target)}({', '.join(args + _kw_text(attr_kws))})"
    elif binding.kind == "attribute":
        text = f"{args[0]}.{binding.target}"
    elif binding.kind == "stateful":
        text = (f"{var} = {shown(binding.target)}({', '.join(_kw_text(attr_kws))}); {var}.{binding.update}"
                f"({', '.join(args)}); {var}.{binding.result}()")
    else:  # method
        text = f"{args[0]}.{binding.target}({', '.join(args[1:] + _kw_text(attr_kws))})"
    if binding.pick is not None:
        text = f"{text}[{binding.pick}]" if isinstance(binding.pick, int) else f"{text}.{binding.pick}"
    if binding.then and binding.then[0] in attrs and attrs[binding.then[0]] in binding.then[1]:
        text = f"{binding.then[1][attrs[binding.then[0]]]}({text})"
    return text


class Binder:
    """One framework's side of the registry: check every binding once, then apply ops to native values.

    `custom` holds the adapter's named functions; `kind_of` tells a native value's dtype kind
    (integer, floating, bool) for switches; `tensor_type` is the class whose methods `method` binds;
    `place` puts an object the binding built (a layer, a loss module, a metric) on the column's device.
    """

    def __init__(self, framework: str, custom: Mapping[str, Callable[..., Any]], kind_of: Callable[[Any], str],
                 tensor_type: type, place: Callable[[Any], Any] | None = None) -> None:
        self.framework, self.custom, self.kind_of, self.tensor_type = framework, custom, kind_of, tensor_type
        self.place: Callable[[Any], Any] = place or (lambda built: built)
        self.errors: dict[str, str] = {}  # op (or `op/form` for a form other than the default) -> problem
        for declared in OPS.values():
            default = declared.default_form(framework)
            for form in declared.forms_of(framework):
                problem = self.check(declared, form)
                if problem:
                    self.errors[declared.name if form == default else f"{declared.name}/{form}"] = problem

    def check(self, declared: OpDef, form: str = "") -> str | None:
        """Why this op's binding (of `form`, else the default) does not fit the framework's API, or None."""
        for leaf in declared.binding(self.framework, form).leaves():
            try:
                self._check_leaf(leaf, declared)
            except BindingError as exc:
                return f"binding error: {exc}"
            except Exception as exc:  # an import or attribute that does not exist
                # a named public API the installed stack lacks (keras.ops.fmax before Keras 3.11): the upgrade
                # report lists it as not comparable, never as a change of behaviour
                absent = f" (not in this version of {self.framework})" \
                    if isinstance(exc, (AttributeError, ImportError)) else ""
                return f"binding error: {leaf.target}: {type(exc).__name__}: {exc}{absent}"
        return None

    def _check_leaf(self, leaf: Binding, declared: OpDef) -> None:
        if leaf.kind in ("none", "operator"):
            if leaf.kind == "operator" and leaf.target not in OPERATORS:
                raise BindingError(f"unknown operator {leaf.target!r}")
            return
        if leaf.kind == "attribute":  # read from the object a step built: checked when read
            return
        if leaf.kind == "expression":
            check_expression(leaf, declared)
            return
        if leaf.kind == "custom":
            if leaf.target not in self.custom:
                raise BindingError(f"the {self.framework} adapter has no custom function {leaf.target!r}")
            return
        if leaf.kind == "method":
            for item in leaf.args or ():
                if isinstance(item, str) and item.split("=", 1)[-1] not in declared.arg_names:
                    raise BindingError(f"{leaf.target} passes {item!r}, which is not an argument of {declared.name}")
            if not hasattr(self.tensor_type, leaf.target):
                raise BindingError(f"{self.tensor_type.__name__} has no method {leaf.target!r}")
            return
        for item in leaf.args or ():
            name = item.split("=", 1)[-1] if isinstance(item, str) else None
            if name is not None and name not in declared.arg_names:
                raise BindingError(f"{leaf.target} passes {name!r}, which is not an argument of {declared.name}")
        target = resolve(leaf.target)
        for attr in leaf.attrs:
            if attr not in declared.attrs:
                raise BindingError(f"{leaf.target} binds {attr!r}, which {declared.name} does not declare")
        keywords = [n.keyword for n in leaf.attrs.values() if not n.positional] + list(leaf.fixed)
        keywords += [a.split("=", 1)[0] for a in (leaf.args or ()) if isinstance(a, str) and "=" in a
                     and leaf.kind == "call"]
        _check_keywords(leaf.target, target, keywords)
        if leaf.kind == "stateful":
            for name in (leaf.update, leaf.result):
                if not callable(getattr(target, name, None)):
                    raise BindingError(f"{leaf.target} has no method {name!r}")
        if leaf.then:
            for fn in leaf.then[1].values():
                resolve(fn)

    def signature_defaults(self) -> dict[str, dict[str, str]]:
        """op -> attribute -> this framework's own default, where the callable's signature shows one."""
        found: dict[str, dict[str, str]] = {}
        for declared in OPS.values():
            for leaf in declared.binding(self.framework).leaves():
                if leaf.kind not in ("call", "construct", "stateful", "build") or declared.name in self.errors:
                    continue
                for name, native in leaf.attrs.items():
                    value = _signature_default(leaf.target, native.keyword)
                    if value is not None:
                        found.setdefault(declared.name, {}).setdefault(name, f"{native.keyword}={value}")
        return found

    def apply(self, declared: OpDef, values: list[Any], texts: list[str], pinned: Mapping[str, Any],
              form: str = "") -> Applied:
        """Call the op natively on `values` (named by `texts` in the recorded call), through the named
        form where the op has one of that name in this framework, else through its default binding."""
        forms = declared.forms_of(self.framework)
        form = form if form in forms else declared.default_form(self.framework)
        key = declared.name if form == declared.default_form(self.framework) else f"{declared.name}/{form}"
        if key in self.errors:
            raise BindingError(self.errors[key])
        named = dict(zip(declared.arg_names, values))
        try:  # the oracle's own work: a failure here is an oracle bug, never the framework's error
            attrs = effective_attrs(declared, pinned)
            objects = {a.name for a in declared.args if a.kind == "object"}  # a layer has no dtype kind
            kinds = {name: self.kind_of(v) for name, v in named.items() if name not in objects}
            leaf = select(forms[form], declared, kinds, attrs)
            api = render(leaf, declared, dict(zip(declared.arg_names, texts)), attrs)
            if leaf.kind == "custom" and PLACEHOLDER.search(api):  # the listing's words: record the call made
                api = self.custom_call(leaf.target, texts, attrs)
        except Unsupported:
            raise
        except Exception as exc:
            raise BindingError(f"oracle error preparing {declared.name}: {type(exc).__name__}: {exc}") from exc
        if leaf.kind == "none":
            raise Unsupported(leaf.reason)
        try:
            value, built = self._call(leaf, declared, named, attrs)
            made = value if isinstance(value, Made) else None
            if made is not None:
                value, api = made.value, _named(made.api, dict(zip(declared.arg_names, texts)))
            if leaf.pick is not None:
                value = value[leaf.pick] if isinstance(leaf.pick, int) else getattr(value, leaf.pick)
            if leaf.then and leaf.then[0] in attrs and attrs[leaf.then[0]] in leaf.then[1]:
                value = resolve(leaf.then[1][attrs[leaf.then[0]]])(value)
        except Exception as exc:
            if missing_api(exc):  # the adapter named an API this version lacks: not the framework's behaviour
                raise BindingError(f"binding error: {api}: {exc} (not in this version of {self.framework})") from exc
            # the call that raised, for the outcome; a custom binding that wrote its own record keeps it
            own = getattr(exc, "oracle_api", "")
            exc.oracle_api = _named(own, dict(zip(declared.arg_names, texts))) if own else api  # type: ignore[attr-defined]
            raise
        try:
            defaults = self._defaults(leaf, declared, pinned, built)
        except Exception as exc:
            raise BindingError(f"oracle error reading defaults of {declared.name}: {type(exc).__name__}: {exc}") \
                from exc
        return Applied(value, api, {**defaults, **made.defaults} if made is not None else defaults, form)

    def custom_call(self, name: str, texts: Sequence[str], attrs: Mapping[str, Any]) -> str:
        """The adapter's custom function as called, with the values passed: the record of a custom binding
        whose own record (oracle.native.Made) was not made, because it failed first or writes none."""
        shown_args = list(texts) + [f"{k}={python_text(_plain(v))}" for k, v in attrs.items()]
        return f"adapters.{self.framework}.CUSTOM[{name!r}]({', '.join(shown_args)})"

    def _call(self, leaf: Binding, declared: OpDef, named: dict[str, Any], attrs: dict[str, Any]) -> tuple[Any, Any]:
        if leaf.kind == "custom":
            return self.custom[leaf.target](*named.values(), **{k: _plain(v) for k, v in attrs.items()}), None
        if leaf.kind == "expression":
            values = {**leaf.fixed_values(), **{k: _plain(v) for k, v in attrs.items()}, **named}
            return expression.run(leaf.code, values, resolve), None
        pos, kws = _split_args(leaf, declared, named)
        attr_pos, attr_kws = _native_attrs(leaf, declared, attrs)
        if leaf.kind == "operator":
            fn = OPERATORS[leaf.target]
            return fn(*pos), None
        if leaf.kind == "method":
            return getattr(pos[0], leaf.target)(*pos[1:], *attr_pos, **attr_kws, **kws), None
        if leaf.kind == "attribute":
            found = pos[0]
            for name in leaf.target.split("."):
                found = getattr(found, name)
            return found, None
        target = resolve(leaf.target)
        if leaf.kind == "call":
            return target(*pos, *attr_pos, **kws, **attr_kws), target
        if leaf.kind == "build":
            built = self.place(target(*pos, *attr_pos, **kws, **attr_kws))
            return built, built
        built = self.place(target(*attr_pos, **attr_kws))
        if leaf.kind == "construct":
            return built(*pos, **kws), built
        updated = getattr(built, leaf.update)(*pos, **kws)
        if isinstance(updated, type(built)):  # functional metrics return the updated object
            built = updated
        return getattr(built, leaf.result)(), built

    def _defaults(self, leaf: Binding, declared: OpDef, pinned: Mapping[str, Any], built: Any) -> dict[str, str]:
        """For each attribute left to the framework: the native value in effect, where it shows one."""
        found: dict[str, str] = {}
        for name, attr in declared.attrs.items():
            if attr.passed_by_default or (name in pinned and pinned[name] != FRAMEWORK):
                continue
            if leaf.then and leaf.then[0] == name:
                found[name] = f"{name} not applied ({shown(leaf.target)} returns its values unreduced)"
                continue
            if leaf.kind == "expression":
                found.update(_expression_default(leaf.code, name))
                continue
            native = leaf.attrs.get(name)
            if native is None:
                continue
            value = _read_back(built, native.keyword)
            if value is None and leaf.kind != "method":
                value = _signature_default(leaf.target, native.keyword)
            found[name] = f"{native.keyword}={value}" if value is not None else f"{native.keyword}: {NOT_SHOWN}"
        return found


def check_expression(leaf: Binding, declared: OpDef) -> None:
    """An expression names only the op's arguments, attributes, its fixed constants and modules; each module
    path exists and each module function it calls takes the keywords given."""
    unset = {n for n, a in declared.attrs.items() if not a.required and not a.passed_by_default}
    for problem in expression.problems(leaf.code, set(declared.arg_names) | set(declared.attrs) | set(leaf.fixed),
                                       unset):
        raise BindingError(problem)
    unused = [k for k in leaf.fixed if k not in expression.names(leaf.code) | expression.keywords(leaf.code)]
    if unused:
        raise BindingError(f"{leaf.code!r} declares fixed {', '.join(unused)} but does not use it")
    for path in expression.paths(leaf.code):
        resolve(path)
    for path, keywords in expression.calls(leaf.code):
        _check_keywords(path, resolve(path), keywords)


def _expression_default(code: str, attr: str) -> dict[str, str]:
    """An unpinned attribute's keyword left out of an expression: the called function's default, where its
    signature shows one."""
    passed = expression.keyword_of(code, attr)
    if passed is None:
        return {}
    path, keyword = passed
    value = _signature_default(path, keyword) if path else None
    return {attr: f"{keyword}={value}" if value is not None else f"{keyword}: {NOT_SHOWN}"}


def _read_back(built: Any, keyword: str) -> str | None:
    if built is None or inspect.isroutine(built) or isinstance(built, type):
        return None
    value = getattr(built, keyword, None)
    return repr(value) if isinstance(value, (bool, int, float, str, tuple, type(None))) and hasattr(built, keyword) \
        else None


@functools.cache  # read on every call of an op with an unpinned attribute: resolve once
def _signature_default(target: str, keyword: str) -> str | None:
    try:
        parameters = inspect.signature(resolve(target)).parameters
    except (TypeError, ValueError, ImportError, AttributeError):
        return None
    p = parameters.get(keyword)
    if p is None or p.default is inspect.Parameter.empty:
        return None
    return repr(p.default)


def _check_keywords(target: str, fn: Any, names: list[str]) -> None:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a C builtin without a signature: checked when called
        return
    if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    for name in names:
        if name not in parameters:
            raise BindingError(f"{target} takes no keyword {name!r} (it takes {', '.join(parameters)})")
