"""Runs a request through one backend: the framework-agnostic half of every adapter.

It walks the steps, calls each backend's native op, captures warnings and exceptions as
the framework emits them, asks the backend to differentiate by its own idiom, and turns
what came back into an Outcome of plain NumPy arrays and strings.
"""

from __future__ import annotations

import builtins
import dataclasses
import time
import warnings
from dataclasses import asdict
from typing import Any, Callable, ContextManager, Protocol

import numpy as np

from oracle.gradopts import GradOptions
from oracle.gradrules import rule_text
from oracle.native import Applied
from oracle.outcome import ErrorInfo, Outcome, Tensor, WarningInfo
from oracle.request import Request, Unsupported
from oracle.stats import summarize
from oracle.steps import Ref, Step, python_text

Env = dict[str, Any]
Forward = Callable[[Env, bool], Env]  # (inputs, record) -> every named value

__all__ = ["Applied", "Backend", "Env", "Forward", "Unsupported", "apply_step", "error_info", "python_text",
           "run_request"]


# a custom gradient rule: (the step's arguments, its output, the cotangent) -> one gradient per argument
Backward = Callable[[tuple[Any, ...], Any, Any], tuple[Any, ...]]


class Applies(Protocol):
    """What applying one step needs (the step loop here, training's loss, a custom rule's backward)."""

    framework: str

    def apply(self, step: Step, values: list[Any], texts: list[str]) -> Applied:
        """One step's op on native values (named by `texts`): the value, the call as written, defaults in effect."""
        ...

    def vectorize(self, fn: Callable[..., Any], step: Step) -> Callable[..., Any]:
        """`fn` (the step's op on one slice) mapped over the step's vmap axes by the framework's transform
        (oracle/vectorize.py); Unsupported where the transform cannot express the options."""
        ...

    def custom_gradient(self, forward: Callable[..., Any], backward: Backward, arity: int) -> tuple[Callable[..., Any], str]:
        """forward(*args) with the gradient rule `backward`, by the framework's mechanism (oracle/gradrules.py
        `build`); and the framework whose mechanism that is."""
        ...


class Backend(Applies, Protocol):
    """What each column provides; the step loop below is shared by every column."""

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any: ...

    def literal(self, value: Any, dtype: str | None, differentiable: bool) -> tuple[Any, str]:
        """A Python value through the framework's own constructor (dtype None: it infers); the call as written."""
        ...

    def to_numpy(self, value: Any) -> np.ndarray: ...

    def gradients(self, forward: Forward, inputs: Env, grad: GradOptions) -> dict[str, Any]:
        """Differentiate grad.of with respect to grad.wrt by the framework's own idiom and options
        (oracle/gradidioms.py); None for no gradient. An option the framework has no idiom for raises
        Unsupported with the reason."""
        ...

    def gradient_api(self, grad: GradOptions) -> str: ...

    def compiler(self, name: str) -> tuple[Callable[[Callable[..., Any]], Callable[..., Any]], str]:
        """The framework's compiler `name` (oracle/compiling.py) as a function wrapper, and its call as written;
        Unsupported where it cannot compile here."""
        ...

    def numerics(self, settings: dict[str, Any]) -> ContextManager[dict[str, Any]]:
        """Apply a case's pinned settings for one run; yields the settings in effect, to record."""
        ...

    def context_lost(self) -> str | None:
        """oracle.protocol.Adapter.context_lost."""
        ...


class StepFailed(Exception):
    def __init__(self, where: str, cause: BaseException, api: str = "") -> None:
        super().__init__(where)
        self.where, self.cause, self.api = where, cause, api


class BindingFailed(Exception):
    """An oracle binding does not fit the framework (recorded as a crash, never as the framework's error)."""


def qualified_name(cls: type) -> str:
    """'ValueError' for a builtin, 'module.path.Class' otherwise."""
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def error_info(exc: BaseException, where: str = "") -> ErrorInfo:
    cls = type(exc)
    qualified = qualified_name(cls)
    base = next(c.__name__ for c in cls.__mro__ if getattr(builtins, c.__name__, None) is c)
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    message = lines[0] if lines else ""
    if message == "in user code:" and len(lines) > 1:  # tf.function's trace: the error itself is the last line
        message = lines[-1].removeprefix(f"{cls.__name__}: ")
    return ErrorInfo(type=qualified, base=base, message=message[:400], where=where, public=public_name(cls))


def public_name(cls: type) -> str:
    """TensorFlow's errors live in errors_impl but users catch them as tf.errors.<Name>."""
    import sys

    tf = sys.modules.get("tensorflow")
    if tf is not None and cls.__module__.startswith("tensorflow") and getattr(tf.errors, cls.__name__, None) is cls:
        return f"tf.errors.{cls.__name__}"
    return ""


def warning_records(caught: list[warnings.WarningMessage]) -> list[WarningInfo]:
    seen: dict[tuple[str, str], None] = {}
    for w in caught:  # the same warning twice (e.g. jax.grad re-running the forward) is one warning
        seen[(w.category.__name__, str(w.message).strip().splitlines()[0][:400] if str(w.message).strip() else "")] = None
    return [WarningInfo(category, message) for category, message in seen]


def assign(step: Step, value: Any, env: Env) -> dict[str, Any]:
    """Bind a step's result to its names: `a, b = op(...)` unpacks, a list result becomes name.0, ... name.count.

    Returns the named values to record. Each framework's own container (tuple, named tuple, list) is
    unpacked as Python unpacks it, so a count that differs is an error here, as it is for the user.
    """
    from oracle.ops import OPS

    declared = OPS.get(step.op)
    if step.outs:
        parts = list(value)
        if len(parts) != len(step.outs):
            raise ValueError(f"{step.op} returned {len(parts)} values; the step unpacks {len(step.outs)}")
        named = dict(zip(step.outs, parts))
    elif declared is not None and declared.listed:
        parts = list(value)
        named = {f"{step.out}.{i}": part for i, part in enumerate(parts)}
        named[f"{step.out}.count"] = np.asarray(len(parts), dtype=np.int64)
        env[step.out] = value
    else:
        named = {step.out: value}
    env.update(named)
    return named


def container_name(value: Any) -> str:
    """How a result came back: 'tuple', 'list', 'torch.return_types.topk', 'float' (a Python scalar)."""
    name = qualified_name(type(value))
    leaf = value
    while isinstance(leaf, list) and leaf:  # a Python list: the type of what it holds, as float(x) users see
        leaf = leaf[0]
    return f"list[{type(leaf).__qualname__}]" if isinstance(value, list) and leaf is not value else name


def _with_rule(backend: Applies, step: Step, values: list[Any], texts: list[str], rule: dict[str, Any]) -> Applied:
    """A step with the case's custom gradient: its op as the forward, the rule's steps (run by the same
    backend) as the backward, joined by the framework's mechanism."""
    names = [a.name for a in step.args if isinstance(a, Ref)]
    calls: list[Applied] = []

    def forward(*args: Any) -> Any:
        applied = backend.apply(step, list(args), texts)
        calls.append(applied)
        return applied.value

    def backward(args: tuple[Any, ...], output: Any, cotangent: Any) -> tuple[Any, ...]:
        env: Env = {**dict(zip(names, args)), step.out: output, rule["cotangent"]: cotangent}
        for i, inner in enumerate(rule["backward"]):
            assign(inner, apply_step(backend, inner, env, i).value, env)
        return tuple(env[name] for name in rule["grads"])

    built, mechanism = backend.custom_gradient(forward, backward, len(values))
    value = built(*values)
    api = f"{step.out} = {calls[0].api if calls else step.text}"
    return Applied(value, rule_text(mechanism, step.out, texts, [api], [s.text for s in rule["backward"]],
                                    rule["cotangent"], rule["grads"]), calls[0].defaults if calls else {})


def _vmapped(backend: Applies, step: Step, values: list[Any], texts: list[str]) -> Applied:
    """`vmap(op, ...)(args)`: the op, as the binding calls it on one slice, mapped by the backend's transform;
    the call recorded is the transform around the op's own call."""
    from oracle.vectorize import vmap_call

    inner = dataclasses.replace(step, vmap=None)
    calls: list[Applied] = []

    def one(*slices: Any) -> Any:
        applied = backend.apply(inner, list(slices), texts)
        calls.append(applied)
        return applied.value

    try:
        value = backend.vectorize(one, step)(*values)
    except Exception as exc:
        inner_api = calls[0].api if calls else getattr(exc, "oracle_api", "")
        if inner_api:  # the op's call as the transform made it
            exc.oracle_api = vmap_call(backend.framework, step, texts, inner_api)  # type: ignore[attr-defined]
        raise
    return Applied(value, vmap_call(backend.framework, step, texts, calls[0].api), calls[0].defaults)


def apply_step(backend: Applies, step: Step, env: Env, index: int, rule: dict[str, Any] | None = None) -> Applied:
    """One step through the backend; a framework exception becomes StepFailed, located at the step."""
    from oracle.native import BindingError

    values = [env[a.name] if isinstance(a, Ref) else a for a in step.args]
    texts = [a.name if isinstance(a, Ref) else python_text(a) for a in step.args]
    try:
        if rule is not None:
            return _with_rule(backend, step, values, texts, rule)
        if step.vmap is not None:
            return _vmapped(backend, step, values, texts)
        return backend.apply(step, values, texts)
    except Unsupported:
        raise
    except BindingError as exc:
        raise BindingFailed(str(exc)) from exc
    except Exception as exc:
        raise StepFailed(f"step {index + 1}: {step.text}", exc, getattr(exc, "oracle_api", "")) from exc


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def build_inputs(backend: Backend, request: Request, outcome: Outcome) -> Env:
    """Every input as the column holds it; records the dtype each was built with, and any change on the way in.

    NumPy-born inputs go in bit-identical unless the framework changes them (JAX with x64 off makes
    float64 float32): that is noted. Literal inputs go through the framework's own constructor.
    """
    from oracle.inputs import special

    tracked = set(request.grad.tracked) if request.grad else set()
    inputs: Env = {}
    built: dict[str, str] = {}
    for name, array in request.inputs.items():
        inputs[name] = backend.tensor(array, name in tracked)
        built[name] = str(backend.to_numpy(inputs[name]).dtype)
        if built[name] != str(array.dtype):
            outcome.notes.setdefault("input_dtype_changed", {})[name] = f"{array.dtype} -> {built[name]}"
    for name, spec in request.literals.items():
        try:
            inputs[name], api = backend.literal(special(spec["value"]), spec.get("dtype"), name in tracked)
        except Unsupported:
            raise
        except Exception as exc:
            raise StepFailed(f"input {name}: {getattr(exc, 'oracle_api', '') or 'literal'}", exc) from exc
        outcome.native_api.append(f"{name} = {api}")
        built[name] = str(backend.to_numpy(inputs[name]).dtype)
    outcome.notes["input_dtypes"] = built
    return inputs


def failure(exc: BaseException, after: str = "") -> dict[str, Any]:
    """One output's own status where a case isolates its outputs: what a try/except around it would catch."""
    if isinstance(exc, Unsupported):
        return {"status": "unsupported", "error": None, "reason": str(exc), "after": after}
    cause, where = (exc.cause, exc.where) if isinstance(exc, StepFailed) else (exc, "gradient")
    return {"status": "error", "error": asdict(error_info(cause, where)), "reason": "", "after": after}


def step_form(backend: Backend, request: Request) -> Callable[[Step], str] | None:
    """The form each step is called through (the request's where the op has it, else its default); None for
    a backend without forms (the reference)."""
    from oracle.ops import OPS

    if not hasattr(backend, "form"):
        return None
    wanted = request.forms.get(backend.framework, "")

    def form_of(step: Step) -> str:
        declared = OPS.get(step.op)
        if declared is None:  # an op the adapter knows and the registry does not (a test's own declaration)
            return ""
        return wanted if wanted in declared.forms_of(backend.framework) else declared.default_form(backend.framework)
    return form_of


def choose_form(backend: Backend, request: Request) -> None:
    """Point the backend at the form the request chose for it; a form no step's op has is `unsupported`
    (a `--forms all` sub-column beside a case whose ops do not have that entry point)."""
    from oracle.ops import OPS

    form = request.forms.get(backend.framework, "")
    if hasattr(backend, "form"):  # a BoundBackend; the reference has no forms
        setattr(backend, "form", form)  # noqa: B010
    if not form:
        return
    ops = [OPS[s.op] for s in request.steps if s.op in OPS]
    if not any(form in d.forms_of(backend.framework) for d in ops):
        have = sorted({name for d in ops for name in d.forms_of(backend.framework)})
        raise Unsupported(f"no step of this case has a {backend.framework} form {form!r} "
                          f"(its ops' forms: {', '.join(have)})")


def _returnable(value: Any) -> bool:
    """A value a compiled function can return: a tensor, or a list/tuple of them (a built layer is not)."""
    if isinstance(value, (list, tuple)):
        return all(_returnable(v) for v in value)
    return _is_array(value)


def compiled_forward(backend: Backend, name: str, forward: Forward, recorded: Env, outcome: Outcome) -> Forward:
    """`forward` inside the framework's compiler: every input a traced argument, every tensor a step makes
    returned. The calls are recorded while the compiler first traces the Python (they do not depend on the
    values); the values recorded are the compiled call's results."""
    compile_, text = backend.compiler(name)
    outcome.notes["compiled"] = text
    outcome.native_api.append(f"@{text}")  # the decorator on the function of the inputs that runs the steps below
    traced: list[bool] = []
    order: list[str] = []

    def pure(*tensors: Any) -> dict[str, Any]:
        record = not traced  # the first trace records each call; a retrace (a new shape, under grad) does not
        traced.append(True)
        env = forward(dict(zip(order, tensors)), record)
        return {k: v for k, v in env.items() if k not in order and _returnable(v)}

    compiled = compile_(pure)

    def run(inputs: Env, record: bool) -> Env:
        if not order:
            order.extend(inputs)
        made: Env = {}
        try:
            made = compiled(*[inputs[n] for n in order])
        except (StepFailed, Unsupported, BindingFailed):
            raise
        except Exception as exc:  # raised by the compiled call itself, not while tracing a step
            raise StepFailed(f"compiled call: {text}(forward)", exc) from exc
        finally:
            if record:  # the symbolic values the first trace recorded give way to the compiled results
                for key in [k for k in recorded if k not in inputs and k not in made]:
                    del recorded[key]
                recorded.update(made)
        return {**inputs, **made}

    return run


def run_request(backend: Backend, request: Request, version: str, device: str) -> Outcome:
    start = time.perf_counter()
    outcome = Outcome(status="ok", framework=backend.framework, version=version, device=device)
    recorded: Env = {}
    grads: dict[str, Any] = {}
    wrt = request.grad.wrt if request.grad else ()
    isolated = set(request.isolate)
    form_of = step_form(backend, request)

    def forward(inputs: Env, record: bool) -> Env:
        env = dict(inputs)
        lost: dict[str, str] = {}  # an output an isolated step did not give -> the output whose failure it follows
        for i, step in enumerate(request.steps):
            blocked = next((lost[a.name] for a in step.args if isinstance(a, Ref) and a.name in lost), None)
            if blocked is not None:  # as in a script with one try/except per output: its input was never bound
                lost.update(dict.fromkeys(step.names, blocked))
                if record:
                    for name in step.names:
                        outcome.output_status[name] = {**outcome.output_status[blocked], "after": blocked}
                continue
            form = form_of(step) if record and form_of is not None else ""
            if form:  # also for a call that raises: the entry point that raised
                outcome.notes.setdefault("form", {})[step.out] = form
            try:
                applied = apply_step(backend, step, env, i, request.custom_gradients.get(step.out))
                try:
                    named = assign(step, applied.value, env)
                except (TypeError, ValueError) as exc:
                    raise StepFailed(f"step {i + 1}: {step.text}", exc, applied.api) from exc
            except (StepFailed, Unsupported) as failed:
                if record and isinstance(failed, StepFailed) and failed.api:
                    outcome.native_api.append(failed.api)
                if "*" not in isolated and step.out not in isolated:
                    raise
                lost.update(dict.fromkeys(step.names, step.names[0]))
                if record:
                    for name in step.names:
                        outcome.output_status[name] = failure(failed)
                continue
            if record:
                outcome.native_api.append(applied.api)
                if applied.defaults:
                    outcome.notes.setdefault("attr_defaults", {})[step.out] = applied.defaults
                if step.outs or not _is_array(applied.value):  # what came back where it is not one tensor
                    outcome.notes.setdefault("returned", {})[", ".join(step.names)] = container_name(applied.value)
                recorded.update(named)
        return env

    with warnings.catch_warnings(record=True) as caught, backend.numerics(request.settings) as in_effect:
        outcome.notes["settings"] = in_effect
        warnings.simplefilter("always")
        try:
            choose_form(backend, request)
            inputs = build_inputs(backend, request, outcome)
            recorded.update(inputs)
            steps: Forward = forward
            if backend.framework in request.compile:
                steps = compiled_forward(backend, request.compile[backend.framework], forward, recorded, outcome)
            if request.grad is None:
                steps(inputs, True)
            else:
                try:
                    grads = backend.gradients(steps, inputs, request.grad)
                except BindingFailed:
                    raise
                except Exception as exc:
                    of = request.grad.of
                    if of in outcome.output_status:  # the target was never computed
                        for name in wrt:
                            outcome.output_status[f"grad.{name}"] = {**outcome.output_status[of], "after": of}
                    elif "*" in isolated:  # the gradient is an output of its own
                        own = exc if isinstance(exc, (StepFailed, Unsupported)) else \
                            StepFailed(f"gradient: {backend.gradient_api(request.grad)}", exc)
                        for name in wrt:
                            outcome.output_status[f"grad.{name}"] = failure(own)
                    elif isinstance(exc, (StepFailed, Unsupported)):
                        raise
                    else:
                        raise StepFailed(f"gradient: {backend.gradient_api(request.grad)}", exc) from exc
                outcome.native_api.append(backend.gradient_api(request.grad))
        except Unsupported as exc:
            outcome.status, outcome.notes["unsupported"] = "unsupported", str(exc)
        except BindingFailed as exc:
            outcome.status, outcome.notes["reason"] = "crash", str(exc)
        except StepFailed as failed:
            outcome.status, outcome.error = "error", error_info(failed.cause, failed.where)
        except Exception as exc:  # converting inputs failed: still the framework's answer
            outcome.status, outcome.error = "error", error_info(exc, "inputs")
    outcome.warnings = warning_records(caught)
    for name in request.observe:
        if name in recorded:
            outcome.outputs[name] = Tensor(backend.to_numpy(recorded[name]))
        else:  # a list result (`parts = split(...)`): every part and the count
            for key in [k for k in recorded if k.startswith(f"{name}.")]:
                outcome.outputs[key] = Tensor(backend.to_numpy(recorded[key]))
    for name, which in request.stats.items():  # a sample is recorded as its statistics, not its values
        if name in outcome.outputs:
            sample = outcome.outputs.pop(name)
            found, notes = summarize(sample.values if sample.values is not None else np.zeros(0), which)
            outcome.notes.setdefault("stats_of", {})[name] = {"shape": sample.shape, "dtype": sample.dtype}
            for stat, value in found.items():
                outcome.outputs[f"{name}.{stat}"] = Tensor(value)
                outcome.notes.setdefault("stats", {})[f"{name}.{stat}"] = notes[stat]
    for name in wrt:
        if name in grads:
            g = grads[name]
            outcome.outputs[f"grad.{name}"] = Tensor(None if g is None else backend.to_numpy(g))
    outcome.elapsed_s = time.perf_counter() - start
    return outcome
