"""Per-output isolation (`isolate`, issue 20): a step that raises records its error for its outputs and what
depends on them, while the other steps still run and are observed, as a native script with one try/except
per output would. The native behaviour is computed here, with TensorFlow and torch called directly."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest
from test_cases import write

from oracle.cases import CaseError, load_case
from oracle.diff import differences
from oracle.execute import Backward, Forward, run_request
from oracle.gradopts import GradOptions
from oracle.model import CaseRecord
from oracle.native import Applied
from oracle.outcome import Outcome, Tensor
from oracle.plan import plan
from oracle.steps import Step

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "case-language" / "isolate-outputs.yaml"


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> CaseRecord:
    from oracle.cli import main
    from oracle.results import load_results

    out = tmp_path_factory.mktemp("isolate")
    assert main(["run", str(CASE), "--out", str(out)]) == 0
    return load_results(out / "results.json")["cases"][0]


def one_try_per_output(steps: dict[str, Any], grad: Any) -> dict[str, tuple[str, Any]]:
    """What a user's script sees with one try/except per output: each value, or the exception's class name."""
    env: dict[str, Any] = {}
    seen: dict[str, tuple[str, Any]] = {}
    for name, fn in [*steps.items(), ("grad.x", grad)]:
        try:
            env[name] = fn(env)
            seen[name] = ("ok", np.asarray(env[name]))
        except Exception as exc:  # noqa: BLE001 - the point: whatever the framework raises
            seen[name] = ("error", type(exc).__name__)
    return seen


def test_one_failing_output_leaves_the_others_recorded(record: dict[str, Any]) -> None:
    import tensorflow as tf
    import torch

    data = [1.0, -3.0, 2.0]
    tx = tf.Variable(data)

    def tf_grad(env: dict[str, Any]) -> Any:
        with tf.GradientTape() as tape:
            hi = tf.norm(tx, ord=np.inf)
        return tape.gradient(hi, tx)

    px = torch.tensor(data, requires_grad=True)

    def torch_grad(env: dict[str, Any]) -> Any:
        torch.linalg.norm(px, ord=math.inf).backward()
        assert px.grad is not None
        return px.grad.numpy()

    natives = {
        "tensorflow": one_try_per_output({
            "lo": lambda env: tf.norm(tx, ord=-np.inf), "twice": lambda env: env["lo"] + env["lo"],
            "hi": lambda env: tf.norm(tx, ord=np.inf), "capped": lambda env: tf.clip_by_value(tx, -2.0, np.inf)},
            tf_grad),
        "torch": one_try_per_output({
            "lo": lambda env: torch.linalg.norm(px, ord=-math.inf).detach(),
            "twice": lambda env: env["lo"] + env["lo"], "hi": lambda env: torch.linalg.norm(px, ord=math.inf).detach(),
            "capped": lambda env: torch.clamp(px, min=-2.0, max=math.inf).detach()}, torch_grad),
    }
    assert natives["tensorflow"]["lo"][0] == "error" and natives["tensorflow"]["twice"] == ("error", "KeyError")
    for column, native in natives.items():
        got = record["columns"][column]
        assert got["status"] == "ok", column
        for name, (status, value) in native.items():
            if status == "ok":
                assert name in got["outputs"], (column, name)
                recorded = Tensor.from_results(got["outputs"][name]).values
                assert recorded is not None and np.array_equal(recorded, value), (column, name)
            else:
                assert name not in got["outputs"], (column, name)
                assert got["output_status"][name]["status"] == "error", (column, name)
        assert set(got.get("output_status", {})) == {n for n, (s, _) in native.items() if s == "error"}, column
    tf_status = record["columns"]["tensorflow"]["output_status"]
    assert tf_status["lo"]["error"]["type"].endswith(natives["tensorflow"]["lo"][1]) and tf_status["lo"]["after"] == ""
    assert tf_status["twice"]["after"] == "lo"  # it depends on lo: the user's `lo` was never bound
    kinds = {tuple(v["columns"]): v["kind"] for v in record["verdicts"]}
    assert kinds[("torch", "tensorflow")] == "silent_divergence" and kinds[("jax", "torch")] == "agree"


def test_the_report_and_the_baseline_carry_each_outputs_status(record: dict[str, Any]) -> None:
    from oracle.baseline import describe_outcome, snapshot_outcome
    from oracle.judgement import status_text

    tf_record = record["columns"]["tensorflow"]
    assert status_text(tf_record) == "ok (2 outputs failed)"
    assert "lo raised ValueError" in describe_outcome(tf_record) and "(follows lo)" in describe_outcome(tf_record)
    assert snapshot_outcome(tf_record, None)["output_status"] == tf_record["output_status"]
    assert "output_status" not in snapshot_outcome(record["columns"]["torch"], None)  # only where some output failed


def test_diff_compares_an_isolated_output_by_its_own_status() -> None:
    ok = Outcome("ok", outputs={"a": Tensor(np.asarray(1.0, dtype=np.float32)),
                                "b": Tensor(np.asarray(2.0, dtype=np.float32))})
    failed = Outcome("ok", outputs={"b": Tensor(np.asarray(2.5, dtype=np.float32))}, output_status={"a": {
        "status": "error", "error": {"type": "ValueError", "base": "ValueError", "message": "no"}, "reason": "",
        "after": ""}})
    found = differences(ok, failed, sides=("torch", "tensorflow"))
    assert [d.kind for d in found] == ["silent_divergence", "value_mismatch"]  # `b` is still compared
    assert found[0].detail.startswith("a: torch computed while tensorflow raised ValueError")
    other = Outcome("ok", outputs={"b": Tensor(np.asarray(2.5, dtype=np.float32))}, output_status={"a": {
        "status": "error", "error": {"type": "TypeError", "base": "TypeError", "message": "no"}, "reason": "",
        "after": ""}})
    assert [d.kind for d in differences(failed, other)] == ["error_kind_mismatch"]
    assert Outcome.from_results(failed.to_results()).output_status == failed.output_status
    assert "output_status" not in ok.to_results()  # cases without isolation keep their records as they were


class Boom:
    """A column whose `boom` op raises ValueError and whose `add` adds: enough to drive the step loop."""

    framework = "fake"

    def tensor(self, array: np.ndarray, differentiable: bool) -> Any:
        return array

    def literal(self, value: Any, dtype: str | None, differentiable: bool) -> tuple[Any, str]:
        return np.asarray(value), "literal"

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value)

    def apply(self, step: Step, values: list[Any], texts: list[str]) -> Applied:
        if step.op == "abs":
            raise ValueError("boom")
        return Applied(values[0] + values[1], f"{texts[0]} + {texts[1]}", {})

    def gradients(self, forward: Forward, inputs: dict[str, Any], grad: GradOptions) -> dict[str, Any]:
        return {"x": forward(inputs, True)[grad.of]}  # a KeyError where the target was never computed

    def gradient_api(self, grad: GradOptions) -> str:
        return ""

    def compiler(self, name: str) -> tuple[Callable[[Callable[..., Any]], Callable[..., Any]], str]:
        raise NotImplementedError  # no case here asks for `compile`

    def vectorize(self, fn: Callable[..., Any], step: Step) -> Callable[..., Any]:
        raise NotImplementedError  # nor for vmap

    def custom_gradient(self, forward: Callable[..., Any], backward: Backward, arity: int) -> tuple[Callable[..., Any], str]:
        raise NotImplementedError  # nor for a custom gradient

    @contextlib.contextmanager
    def numerics(self, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield {}

    def context_lost(self) -> str | None:
        return None


STEPS = """id: case
title: t
inputs:
  x: {dtype: float32, values: [1.0, 2.0]}
steps:
  - bad = abs(x)
  - after = add(bad, x)
  - good = add(x, x)
"""


def test_isolation_per_step_and_for_the_whole_case(tmp_path: Path) -> None:
    whole = run_request(Boom(), plan(load_case(write(tmp_path, STEPS + "isolate: true\n"))), "0", "cpu")
    assert whole.status == "ok" and list(whole.outputs) == ["good"] and set(whole.output_status) == {"bad", "after"}
    listed = run_request(Boom(), plan(load_case(write(tmp_path, STEPS + "isolate: [bad]\n"))), "0", "cpu")
    assert listed.status == "ok" and listed.output_status["after"]["after"] == "bad"
    graded = run_request(Boom(), plan(load_case(write(tmp_path, STEPS + "grad: {of: after, wrt: [x]}\nisolate: [bad]\n"))),
                         "0", "cpu")  # the gradient of an output that was never computed follows it
    assert graded.status == "ok" and graded.output_status["grad.x"]["after"] == "after"
    assert graded.output_status["grad.x"]["error"]["message"] == "boom" and "good" in graded.outputs
    plain = run_request(Boom(), plan(load_case(write(tmp_path, STEPS))), "0", "cpu")
    assert plain.status == "error" and not plain.outputs and not plain.output_status  # as before: one error hides all
    with pytest.raises(CaseError) as info:
        load_case(write(tmp_path, STEPS + "isolate: [god]\n"))
    assert info.value.field == "isolate[0]" and "did you mean 'good'" in info.value.message
