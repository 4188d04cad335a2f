"""The judge checked against implementations it does not share code with, array-api-tests style.

Each rule is one line: an op, the rule in words ("if x is NaN, the result is NaN"), the inputs,
and the expected value from an independent implementation (NumPy / SciPy built-ins, mpmath)
or computed by hand; the rules live per family in tests/reference_rules/<family>.py. The
reference formula runs as the reference column runs it: jax.numpy in float64 (jax.enable_x64,
scoped to the call), through the registry's declaration; its unpinned attributes take their
stated reference values. Rules cite the Array API standard
(https://data-apis.org/array-api/latest/API_specification/) where it states them.
`test_every_family_has_independent_checks` walks the registry and prints the count per family;
`test_every_op_is_checked_or_excluded` holds every op to a rule or a reason in EXCLUDED.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from reference_rules import EXCLUDED, RULES
from reference_rules.common import Built, Raises, Rule

from oracle.ops import FAMILIES, OPS


def _run(name: str, args: list[Any], attrs: dict[str, Any]) -> Any:
    """One op's reference formula with the given attrs, the unpinned ones at their stated reference values."""
    import jax.numpy as jnp
    import jax.scipy.special

    from oracle.ops.refctx import R

    declared = OPS[name]
    assert declared.reference is not None
    pinned = {k: attrs.get(k, attr.reference_value()) for k, attr in declared.attrs.items()}
    return declared.reference(R(jnp, jax.scipy.special), *args, **pinned)


def _input(x: Any) -> Any:
    """An array as jax.numpy; an object input built by the reference and fed its calls; a Python value as it is."""
    import jax.numpy as jnp

    if isinstance(x, Built):
        built = _run(x.op, [], x.attrs)
        for name, args, attrs in x.calls:
            _run(name, [built, *map(_input, args)], attrs)
        return built
    return jnp.asarray(x) if isinstance(x, np.ndarray) else x


def reference(rule: Rule) -> Any:
    """The op's reference formula, run as the reference column runs it (jax.numpy, float64); with `grad`,
    jax.grad of the sum of its result with respect to the first argument."""
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        args = [_input(x) for x in rule.args]
        if rule.grad:
            return np.asarray(jax.grad(lambda x: jnp.sum(_run(rule.op, [x, *args[1:]], rule.attrs)))(args[0]))
        got = _run(rule.op, args, rule.attrs)
        return [np.asarray(g) for g in got] if isinstance(got, (tuple, list)) else np.asarray(got)


def _compare(rule: Rule, got: Any, want: Any, where: str = "") -> None:
    dtype = np.complex128 if np.iscomplexobj(got) or np.iscomplexobj(want) else np.float64
    got, want = np.asarray(got, dtype=dtype), np.asarray(want, dtype=dtype)
    assert got.shape == want.shape, f"{rule.id}{where}: shape {got.shape}, expected {want.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=rule.atol, equal_nan=True, err_msg=rule.id + where)
    if rule.signed:
        for part in (((got, want),) if dtype == np.float64 else ((got.real, want.real), (got.imag, want.imag))):
            zeros = part[1] == 0
            assert (np.signbit(part[0][zeros]) == np.signbit(part[1][zeros])).all(), \
                f"{rule.id}{where}: signs of zeros {part[0][zeros]}, expected {part[1][zeros]}"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_reference_follows_the_rule(rule: Rule) -> None:
    if isinstance(rule.want, Raises):
        with pytest.raises(rule.want.error):
            reference(rule)
        return
    with np.errstate(all="ignore"):  # the special values are the point: NumPy's warnings are expected
        want = rule.want(*rule.args) if callable(rule.want) else rule.want
    got = reference(rule)
    if rule.view is not None:
        got = np.asarray(rule.view(got), dtype=np.float64)
    if isinstance(want, (tuple, list)):
        assert isinstance(got, list) and len(got) == len(want), f"{rule.id}: {len(got)} results, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            _compare(rule, g, w, f" [result {i}]")
    else:
        _compare(rule, got, want)


# every family with at least this many ops checked here; the floor may only rise (issue 22: every op)
FLOOR = {"elementwise": 85, "comparison": 17, "casting": 8, "reduction": 39, "shape": 38, "indexing": 32,
         "activation": 29, "normalization": 12, "loss": 35, "linalg": 32, "conv": 28, "metric": 25, "optimizer": 18,
         "conversions": 3, "complex": 5, "fft": 18, "segment": 7, "gradient": 1, "layers": 22, "stochastic": 6,
         "idioms": 17}


def test_every_family_has_independent_checks() -> None:
    checked = set().union(*(r.ops() for r in RULES))
    assert checked <= set(OPS), f"rules for ops not in the registry: {sorted(checked - set(OPS))}"
    counts = {f: (sum(1 for n in checked if OPS[n].family == f), sum(1 for o in OPS.values() if o.family == f))
              for f in FAMILIES}
    print("ops with an independent check, per family (excluded ones in brackets):")
    for family, (have, total) in counts.items():
        out = sum(1 for n in EXCLUDED if OPS[n].family == family)
        print(f"  {family:14s} {have:3d} of {total}" + (f" [{out} excluded]" if out else ""))
    print(f"  {'all':14s} {len(checked):3d} of {len(OPS)} [{len(EXCLUDED)} excluded]")
    assert set(FLOOR) == set(FAMILIES), f"families without a floor: {sorted(set(FAMILIES) - set(FLOOR))}"
    low = {f: counts[f][0] for f, floor in FLOOR.items() if counts[f][0] < floor}
    assert not low, f"families below their floor of independently checked ops: {low} (floors {FLOOR})"


def test_every_op_is_checked_or_excluded() -> None:
    """A new op needs an independent rule here, or a line in EXCLUDED saying why none can check it."""
    checked = set().union(*(r.ops() for r in RULES))
    assert set(EXCLUDED) <= set(OPS), f"excluded ops not in the registry: {sorted(set(EXCLUDED) - set(OPS))}"
    both = sorted(checked & set(EXCLUDED))
    assert not both, f"ops both checked and excluded (drop them from EXCLUDED): {both}"
    neither = sorted(set(OPS) - checked - set(EXCLUDED))
    assert not neither, f"ops with no independent rule and not in EXCLUDED: {neither}"
