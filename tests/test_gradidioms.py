"""One declaration per gradient idiom (oracle/gradidioms.py): for every framework and option, what the adapter
executes (`run`), the snippet's gradient code and the recorded `native_api` come from the same lines.

Each framework's forward is one line of its own code, executed by `run` as the recorded forward and pasted
as the snippet's body; the two must agree (values, or the same exception), every call `native_api` names
must be in the snippet, and the plain idioms must give the gradient computed here by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from oracle.gradidioms import STEPS_ABOVE, api_text, one_line, run
from oracle.gradopts import GradOptions
from oracle.gradrules import build, rule_text
from oracle.request import Unsupported
from oracle.snippet_grad import gradient_code
from oracle.snippet_rule import rule_code

X, Y, C, T = [1.0, -2.0, 3.0], [0.5, 4.0, -1.0], [1.0, 2.0, 3.0], [0.0, 1.0, 0.0]
# the forward as each framework's user writes it: loss = sum(x * x * y), p = x * y
FORWARD = {"torch": "p = x * y; loss = (x * x * y).sum()", "tensorflow": "p = x * y; loss = tf.reduce_sum(x * x * y)",
           "jax": "p = x * y; loss = jnp.sum(x * x * y)"}
OPTIONS = {
    "default": GradOptions("loss", ("x", "y")),
    "autograd_grad": GradOptions("loss", ("x", "y"), idiom="autograd_grad"),
    "vjp": GradOptions("p", ("x",), idiom="vjp", cotangent="c"),
    "jacobian": GradOptions("p", ("x", "y"), idiom="jacobian"),
    "value_and_grad": GradOptions("loss", ("x", "y"), idiom="value_and_grad"),
    "jvp": GradOptions("p", ("x",), idiom="jvp", tangent="t"),
    "jacfwd": GradOptions("p", ("x",), idiom="jacfwd"),
    "untracked": GradOptions("loss", ("x", "y"), untracked=("x",)),
    "unconnected-none": GradOptions("loss", ("x", "z"), unconnected="none"),
    "unconnected-zero": GradOptions("loss", ("x", "z"), unconnected="zero"),
    "calls-2": GradOptions("loss", ("x",), calls=2),
    "accumulate": GradOptions("loss", ("x",), calls=2, accumulate=True),
    "order-2": GradOptions("loss", ("x",), order=2),
}
# d loss / dx = 2xy, d loss / dy = x^2; the sum of 2xy differentiated again: 2y; p's vjp with c: y * c
BY_HAND = {"default": {"x": [2 * x * y for x, y in zip(X, Y)], "y": [x * x for x in X]},
           "vjp": {"x": [y * c for y, c in zip(Y, C)]}, "jvp": {"x": [y * t for y, t in zip(Y, T)]},
           "order-2": {"x": [2 * y for y in Y]}, "accumulate": {"x": [4 * x * y for x, y in zip(X, Y)]}}


def _modules(framework: str) -> dict[str, Any]:
    if framework == "torch":
        return {"torch": pytest.importorskip("torch")}
    if framework == "tensorflow":
        return {"tf": pytest.importorskip("tensorflow")}
    jax = pytest.importorskip("jax")
    return {"jax": jax, "jnp": jax.numpy}


def _inputs(framework: str, modules: dict[str, Any], g: GradOptions) -> dict[str, Any]:
    values = {"x": X, "y": Y, "z": [1.0, 1.0, 1.0], "c": C, "t": T}
    tracked = set(g.tracked)
    if framework == "torch":
        return {n: modules["torch"].tensor(v, requires_grad=n in tracked) for n, v in values.items()}
    if framework == "tensorflow":  # sources of tape.gradient are Variables, as the adapter builds them
        tf = modules["tf"]
        return {n: tf.Variable(v) if n in tracked else tf.constant(v) for n, v in values.items()}
    return {n: modules["jnp"].asarray(v) for n, v in values.items()}


def _outcome(call: Any) -> Any:
    """The gradients as NumPy arrays (None kept), or the exception's class name."""
    try:
        found = call()
    except Unsupported:
        raise
    except Exception as exc:  # noqa: BLE001 - which exception the idiom raised is the outcome
        return type(exc).__name__
    return {n: None if v is None else np.asarray(v.detach() if hasattr(v, "detach") else v) for n, v in found.items()}


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("framework", FORWARD)
def test_executed_call_native_api_and_snippet_come_from_one_declaration(framework: str, option: str) -> None:
    g, modules = OPTIONS[option], _modules(framework)
    body = FORWARD[framework].split("; ")

    def forward(env: dict[str, Any], record: bool) -> dict[str, Any]:
        scope = {**modules, **env}
        exec("\n".join(body), scope)  # noqa: S102 - this test's own forward, the snippet's body below
        return scope

    names = ["x", "y", "z", "c", "t", "p", "loss"]
    snippet = gradient_code(framework, g, {n: n for n in names}, body)
    try:
        executed = _outcome(lambda: run(framework, g, forward, _inputs(framework, modules, g), modules))
    except Unsupported:  # no idiom: the adapter's column is unsupported, and no snippet is written
        assert snippet is None, (framework, option)
        return
    assert snippet is not None, (framework, option)
    code = "\n".join(snippet)
    scope = {**modules, **_inputs(framework, modules, g)}

    def pasted() -> dict[str, Any]:
        exec(code, scope)  # noqa: S102 - the snippet the report would show, with this test's forward
        return {n: scope.get(f"grad_{n}") for n in g.wrt}

    from_snippet = _outcome(pasted)
    if isinstance(executed, str) or isinstance(from_snippet, str):
        assert executed == from_snippet, (framework, option, executed, from_snippet)
    else:
        assert executed.keys() == from_snippet.keys()
        for n, value in executed.items():
            assert (value is None) == (from_snippet[n] is None), (framework, option, n)
            if value is not None:
                np.testing.assert_allclose(value, from_snippet[n], rtol=1e-6)
        for n, expected in BY_HAND.get(option, {}).items():
            np.testing.assert_allclose(executed[n], expected, rtol=1e-6)
    written = one_line(snippet)
    for call in api_text(framework, g).split("; "):
        if STEPS_ABOVE not in call:
            assert call in written, (framework, option, call, code)


ROUND = {"torch": ("torch.round(x)", "y.sum()"), "tensorflow": ("tf.round(x)", "tf.reduce_sum(y)"),
         "jax": ("jnp.round(x)", "jnp.sum(y)")}


@pytest.mark.parametrize("framework", ROUND)
def test_a_custom_rule_is_executed_recorded_and_written_from_one_declaration(framework: str) -> None:
    """A straight-through rounding whose rule halves the cotangent: the mechanism `build` executes and the
    snippet's both give d sum(round(x)) / dx = 0.5 (by the rule, where round's own derivative is 0), and the
    recorded text is the snippet's definition."""
    modules, (rounded, total) = _modules(framework), ROUND[framework]
    g = GradOptions("loss", ("x",))
    built = build(framework, 1, lambda a: eval(rounded, {**modules, "x": a}),  # noqa: S307 - this test's own op
                  lambda args, out, cotangent: (cotangent * 0.5,), modules)

    def forward(env: dict[str, Any], record: bool) -> dict[str, Any]:
        y = built(env["x"])
        return {**env, "y": y, "loss": eval(total, {**modules, "y": y})}  # noqa: S307

    executed = run(framework, g, forward, _inputs(framework, modules, g), modules)
    definition, call = rule_code(framework, "y", ["x"], [f"y = {rounded}"], ["gx = g * 0.5"], "g", ["gx"])
    code = "\n".join(definition + (gradient_code(framework, g, {n: n for n in ("x", "y", "loss")},
                                                 [call, f"loss = {total}"]) or []))
    scope = {**modules, **_inputs(framework, modules, g)}
    exec(code, scope)  # noqa: S102 - the snippet the report would show
    for found in (executed["x"], scope["grad_x"]):
        np.testing.assert_allclose(np.asarray(found), [0.5] * 3)
    recorded = rule_text(framework, "y", ["x"], [f"y = {rounded}"], ["gx = g * 0.5"], "g", ["gx"])
    assert recorded.startswith(one_line(definition)) and recorded.endswith(call), (recorded, code)


def test_the_options_cross_the_wire_unchanged() -> None:
    """A request's options as JSON and back (oracle/protocol.py); a results record's None option is its default."""
    for g in OPTIONS.values():
        assert GradOptions.from_json(g.to_json()) == g
    assert GradOptions.from_json({"of": "loss", "wrt": ["x"], "calls": None, "idiom": None}) == GradOptions("loss", ("x",))
