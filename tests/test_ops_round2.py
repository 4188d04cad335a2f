"""Reference formulas of the ops added in issue 20's fourth item, against NumPy built-ins or hand-computed values."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.special

from oracle.ops import OPS
from oracle.ops.refctx import R

NP = R(np, scipy.special)


def reference(name: str, *args: Any, r: R = NP, **attrs: Any) -> Any:
    declared = OPS[name]
    full = {k: attrs.get(k, a.reference_value()) for k, a in declared.attrs.items()}
    assert declared.reference is not None
    return declared.reference(r, *args, **full)


def test_sort_and_argsort_descending_put_nan_first_and_keep_ties_in_order() -> None:
    x = np.array([3.0, 1.0, 3.0, math.nan, 2.0])
    assert np.array_equal(reference("sort", x, descending=True), [math.nan, 3.0, 3.0, 2.0, 1.0], equal_nan=True)
    assert reference("argsort", x, descending=True).tolist() == [3, 0, 2, 4, 1]
    assert reference("argsort", x).tolist() == np.argsort(x, kind="stable").tolist()  # ascending: NumPy's order


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_with_a_list_of_q_agrees_with_numpy(method: Any) -> None:
    x: Any = np.array([[1.0, 2.0, 3.0, 4.0, 10.0, 7.0], [0.5, -1.0, 2.0, 2.0, 8.0, 3.0]])
    q = [0.0, 0.25, 0.5, 0.9, 1.0]
    for axis in (None, 1):
        np.testing.assert_allclose(reference("quantile", x, q=q, axis=axis, interpolation=method),
                                   np.quantile(x, q, axis=axis, method=method), rtol=1e-12)
    assert OPS["quantile"].attrs["q"].check([0.1, 0.2]) is None and OPS["quantile"].attrs["q"].check([0.1, 2]) \
        is not None and OPS["quantile"].attrs["q"].check(["a"]) is not None


def test_nanmedian_agrees_with_numpy_and_names_the_lower_median() -> None:
    x = np.array([[1.0, math.nan, 3.0, 2.0, 4.0], [math.nan] * 5, [5.0, 1.0, math.nan, 2.0, math.nan]])
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        want = np.nanmedian(x, axis=1)
    np.testing.assert_array_equal(reference("nanmedian", x, axis=1), want)
    assert float(reference("nanmedian", x[0])) == np.nanmedian(x[0]) == 2.5
    lower = R(np, scipy.special, frozenset({"lower_median"}))
    assert float(reference("nanmedian", x[0], r=lower)) == 2.0  # what torch.nanmedian's docs describe


def test_digitize_agrees_with_numpy_on_both_sides() -> None:
    x, bins = np.array([0.5, 1.0, 2.0, 2.5, 3.0, 4.0, math.nan]), np.array([1.0, 2.0, 3.0])
    for right in (False, True):
        assert reference("digitize", x, bins, right=right).tolist() == np.digitize(x, bins, right=right).tolist()


def test_segment_reductions_and_masked_fill() -> None:
    data, ids = np.array([[1.0, 2.0], [5.0, -1.0], [2.0, 0.0]]), np.array([0, 0, 2])
    assert reference("segment_sum", data, ids).tolist() == [[6.0, 1.0], [0.0, 0.0], [2.0, 0.0]]
    assert reference("segment_max", data, ids).tolist() == [[5.0, 2.0], [-math.inf, -math.inf], [2.0, 0.0]]
    assert reference("segment_sum", data, ids, num_segments=2).tolist() == [[6.0, 1.0], [0.0, 0.0]]  # id 2 dropped
    mask = np.array([True, False, True])
    assert reference("masked_fill", np.array([1.0, 2.0, 3.0]), mask, -math.inf).tolist() == [-math.inf, 2.0, -math.inf]
    with pytest.raises(TypeError):
        reference("masked_fill", np.array([1.0, 2.0]), np.array([1, 0]), 0.0)


def test_stop_gradient_blocks_the_gradient_in_the_reference() -> None:
    import subprocess
    import sys

    script = ("import jax, jax.numpy as jnp; jax.config.update('jax_enable_x64', True)\n"
              "from oracle.ops import OPS; from oracle.ops.refctx import R\n"
              "r = R(jnp, jax.scipy.special)\n"
              "f = lambda x: jnp.sum(x * OPS['stop_gradient'].reference(r, x))\n"
              "print(jax.grad(f)(jnp.array([1.0, -2.0, 3.0])).tolist())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={"JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert done.stdout.strip() == "[1.0, -2.0, 3.0]"  # x * stop(x) differentiates to stop(x), not 2x
    assert np.array_equal(reference("stop_gradient", np.array([1.0, 2.0])), [1.0, 2.0])
