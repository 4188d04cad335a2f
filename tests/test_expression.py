"""The `expression` binding kind: the declared Python is what runs and what is shown.

Runs the interpreter over NumPy (a module the language names), so no framework is imported; the
expected values are NumPy's own calls, made here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from oracle import expression
from oracle.native import BindingError, check_expression, render, resolve
from oracle.ops.spec import Attr, fix, op
from oracle.ops.spec import expression as declare


def _run(code: str, **values: Any) -> Any:
    return expression.run(code, values, resolve)


def test_a_list_argument_a_subscript_and_a_method_chain_run_as_written() -> None:
    x, y = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    np.testing.assert_array_equal(_run("np.concatenate([x, y], axis=axis)", x=x, y=y, axis=1),
                                  np.concatenate([x, y], axis=1))
    np.testing.assert_array_equal(_run("x[start:stop]", x=x, start=1, stop=5), x[1:5])
    assert _run("x.sum(axis=0).tolist()", x=x) == [3.0, 5.0, 7.0]
    np.testing.assert_array_equal(_run("np.transpose(np.flip(np.transpose(x, [1, 0]), 0), [1, 0])", x=x),
                                  x[:, ::-1])  # a layout transposed in and out around a call


def test_statements_run_in_order_and_the_last_is_the_value() -> None:
    x = np.array([3.0, -1.0])
    assert _run("y = np.abs(x); y.max() - -y.min()", x=x) == 4.0


def test_a_keyword_of_an_unpinned_attribute_is_not_passed_and_not_shown() -> None:
    declared = op("demo", "shape", "x", "demo", None, attrs={"axis": Attr("axis")},
                  torch=declare("np.sum(x, axis=axis)"), tensorflow=declare("np.sum(x)"), jax=declare("np.sum(x)"))
    x = np.arange(6.0).reshape(2, 3)
    assert _run("np.sum(x, axis=axis)", x=x) == 15.0  # axis absent: np.sum's own default, all axes
    assert render(declared.torch, declared, {"x": "inputs"}, {}) == "np.sum(inputs)"
    assert render(declared.torch, declared, {"x": "inputs"}, {"axis": 0}) == "np.sum(inputs, axis=0)"


def test_fixed_constants_are_shown_by_value() -> None:
    declared = op("demo", "shape", "x", "demo", None,
                  torch=declare("np.transpose(x, order)", fixed={"order": fix((1, 0), "a layout")}),
                  tensorflow=declare("x"), jax=declare("x"))
    assert render(declared.torch, declared, {"x": "a"}, {}) == "np.transpose(a, (1, 0))"


@pytest.mark.parametrize("code,why", [
    ("[v for v in x]", "ListComp"),
    ("lambda: x", "Lambda"),
    ("x if x else x", "IfExp"),
    ("x = 1", "the last statement must be the value"),
])
def test_code_outside_the_language_is_refused(code: str, why: str) -> None:
    with pytest.raises(expression.ExpressionError, match=why):
        expression.parse(code)


def test_the_binder_refuses_an_unknown_name_a_missing_function_and_a_wrong_keyword() -> None:
    def check(code: str, attrs: dict[str, Attr] | None = None) -> None:
        declared = op("demo", "shape", "x", "demo", None, attrs=attrs or {},
                      torch=declare(code), tensorflow=declare("x"), jax=declare("x"))
        check_expression(declared.torch, declared)

    with pytest.raises(BindingError, match="names 'y'"):
        check("np.add(x, y)")
    with pytest.raises(AttributeError):
        check("np.no_such_function(x)")
    with pytest.raises(BindingError, match="takes no keyword 'axes'"):
        check("np.concatenate([x, x], axes=0)")
    with pytest.raises(BindingError, match="other than as a keyword's value"):
        check("np.sum(x, axis)", {"axis": Attr("axis")})
