import math

import numpy as np

from oracle.cases import InputSpec
from oracle.outcome import Tensor, decode_array, encode_array
from oracle.plan import make_input


def spec(**kw: object) -> InputSpec:
    return InputSpec.model_validate(kw)


def test_seeded_inputs_are_deterministic_and_seed_dependent() -> None:
    a = make_input(spec(shape=[3, 4], init={"normal": {"seed": 0}}))
    b = make_input(spec(shape=[3, 4], init={"normal": {"seed": 0}}))
    c = make_input(spec(shape=[3, 4], init={"normal": {"seed": 1}}))
    assert a.dtype == np.float32 and a.shape == (3, 4)
    assert a.tobytes() == b.tobytes() and a.tobytes() != c.tobytes()
    ints = make_input(spec(shape=[100], dtype="int64", init={"integers": {"seed": 3, "low": 0, "high": 3}}))
    assert ints.dtype == np.int64 and set(ints.tolist()) <= {0, 1, 2}
    u = make_input(spec(shape=[1000], init={"uniform": {"seed": 2, "low": -1, "high": 1}}))
    assert -1 <= u.min() and u.max() < 1


def test_special_values_and_fill() -> None:
    x = make_input(spec(values=[0.0, "nan", "inf", "-inf", -0.0]))
    assert x[0] == 0 and math.isnan(x[1]) and x[2] == np.inf and x[3] == -np.inf and np.signbit(x[4])
    f = make_input(spec(shape=[2, 2], init={"fill": "-inf"}))
    assert (f == -np.inf).all() and f.dtype == np.float32


def test_arrays_cross_the_wire_bit_identical() -> None:
    x = make_input(spec(values=[[-0.0, float("nan")], [1e-45, 3.4e38]]))
    y = decode_array(encode_array(x))
    assert y.dtype == x.dtype and y.tobytes() == x.tobytes()
    t = Tensor.from_results(Tensor(x).to_results())
    assert t.values is not None and t.values.tobytes() == x.tobytes()


def test_bfloat16_crosses_the_wire_with_its_dtype() -> None:
    x = make_input(spec(shape=[5], dtype="bfloat16", init={"uniform": {"seed": 1}}))
    y = decode_array(encode_array(x))
    assert str(y.dtype) == "bfloat16" and y.tobytes() == x.tobytes()
