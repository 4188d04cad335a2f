"""The binder: an oracle mistake is a crash named "binding error", never the framework's error.

Runs the torch binder in this process (torch is imported once for the module).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from oracle.ops import OPS
from oracle.ops.spec import call, construct, custom, none, op
from oracle.request import Request
from oracle.steps import parse_step

torch = pytest.importorskip("torch")


@pytest.fixture()
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The real registry plus two deliberately wrong declarations."""
    bad = {
        "bad_keyword": op("bad_keyword", "loss", "pred target", "MSE with a misspelt keyword", None,
                          attrs=dict(OPS["mse_loss"].attrs), torch=construct("torch.nn.MSELoss", reduction="reductio"),
                          tensorflow=none("test"), jax=none("test")),
        "bad_target": op("bad_target", "elementwise", "x", "a function that does not exist", None,
                         torch=call("torch.no_such_function"), tensorflow=none("test"), jax=none("test")),
        "older_api": op("older_api", "elementwise", "x", "a custom binding naming an API this torch lacks", None,
                        torch=custom("older_api", "torch.no_such_layer({x})"), tensorflow=none("test"),
                        jax=none("test")),
    }
    patched = {**OPS, **bad}
    monkeypatch.setattr("oracle.native.OPS", patched)
    monkeypatch.setattr("adapters.base.OPS", patched)
    return patched


def _run(text: str, inputs: dict[str, np.ndarray]) -> Any:
    from adapters.torch import load

    step = parse_step(text)
    return load("cpu").run(Request("t", inputs, [step], observe=[step.out]))


def test_a_keyword_the_callable_does_not_take_is_a_binding_error_crash(registry: dict[str, Any]) -> None:
    x = np.ones((2, 2), np.float32)
    outcome = _run("loss = bad_keyword(pred, target, reduction=sum)", {"pred": x, "target": x})
    assert outcome.status == "crash" and outcome.error is None
    assert outcome.notes["reason"].startswith("binding error: torch.nn.MSELoss takes no keyword 'reductio'")


def test_a_target_that_does_not_exist_is_a_binding_error_crash(registry: dict[str, Any]) -> None:
    outcome = _run("y = bad_target(x)", {"x": np.ones(2, np.float32)})
    assert outcome.status == "crash"
    assert "binding error: torch.no_such_function" in outcome.notes["reason"]
    # the upgrade report tells an API absent from the installed version apart from a change (issue 23)
    assert outcome.notes["reason"].endswith("(not in this version of torch)")


def _compiled(filename: str) -> Any:
    """`lambda x: torch.no_such_layer(x)` as if written in `filename` (the frame the lookup fails in)."""
    namespace: dict[str, Any] = {"torch": torch}
    exec(compile("def f(x):\n    return torch.no_such_layer(x)\n", filename, "exec"), namespace)  # test code
    return namespace["f"]


def test_an_api_the_adapter_names_but_this_version_lacks_is_a_binding_error_crash(
        registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters import torch as adapter

    monkeypatch.setitem(adapter.CUSTOM, "older_api", _compiled(adapter.__file__))
    outcome = _run("y = older_api(x)", {"x": np.ones(2, np.float32)})
    assert outcome.status == "crash" and outcome.error is None
    assert "has no attribute 'no_such_layer' (not in this version of torch)" in outcome.notes["reason"]
    # the same lookup failing inside the framework's own code is the framework's error, recorded as such
    monkeypatch.setitem(adapter.CUSTOM, "older_api", _compiled(torch.__file__))
    outcome = _run("y = older_api(x)", {"x": np.ones(2, np.float32)})
    assert outcome.status == "error" and outcome.error is not None and outcome.error.base == "AttributeError"


def test_native_api_is_the_exact_call_also_when_it_raised() -> None:
    x, y = np.ones((2, 3), np.float32), np.ones((4,), np.float32)
    outcome = _run("loss = mse_loss(pred, target, reduction=sum)", {"pred": x, "target": y})
    assert outcome.status == "error"  # [2, 3] against [4] does not broadcast: torch's own RuntimeError
    assert outcome.error is not None and outcome.error.base == "RuntimeError"
    assert outcome.native_api == ["torch.nn.MSELoss(reduction='sum')(pred, target)"]


def test_an_unpinned_attribute_is_not_passed_and_its_default_is_recorded() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    outcome = _run("loss = mse_loss(pred, target)", {"pred": x, "target": x * 2})
    assert outcome.native_api == ["torch.nn.MSELoss()(pred, target)"]
    assert outcome.notes["attr_defaults"] == {"loss": {"reduction": "reduction='mean'"}}
    expected = torch.nn.MSELoss()(torch.tensor(x), torch.tensor(x * 2)).item()  # what a torch user gets
    assert outcome.outputs["loss"].values == pytest.approx(expected)
