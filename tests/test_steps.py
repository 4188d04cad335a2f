import pytest

from oracle.steps import Ref, StepSyntaxError, parse_step


def test_parses_names_literals_and_attributes() -> None:
    step = parse_step("loss = mse_loss(pred, target, reduction=sum)")
    assert (step.out, step.op, step.args, step.attrs) == ("loss", "mse_loss", (Ref("pred"), Ref("target")),
                                                          {"reduction": "sum"})
    step = parse_step("y = divide(x, 2.5)")
    assert step.args == (Ref("x"), 2.5)
    step = parse_step("m = mean(x, axis=[0, -1], keepdims=true)")
    assert step.attrs == {"axis": [0, -1], "keepdims": True}
    assert parse_step("s = squeeze(x, axis=null)").attrs == {"axis": None}
    assert parse_step("l = l1_loss(a, b, reduction=none)").attrs == {"reduction": "none"}
    assert parse_step("z = pow(x, -2)").args == (Ref("x"), -2)


@pytest.mark.parametrize("text", [
    "loss mse_loss(a, b)",            # no '='
    "loss = mse_loss(a, b",           # unclosed
    "loss = mse_loss(a, b) + 1",      # trailing text
    "loss = mse_loss(reduction=sum, a)",  # positional after keyword
    "x = __import__('os').system('true')",
    "x = add(a; b)",
    "x = add(a, b, k=1, k=2)",
])
def test_rejects_malformed_steps(text: str) -> None:
    with pytest.raises(StepSyntaxError):
        parse_step(text)


def test_round_trips_through_json() -> None:
    from oracle.steps import Step

    step = parse_step("y = sum(x, axis=1, keepdims=false)")
    assert Step.from_json(step.to_json()) == step
