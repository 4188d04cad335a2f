"""Hostile case files, generated: the loader answers CaseError or a valid case, nothing else.

Documents are built by hypothesis from case-shaped data with wrong types, huge and
negative shapes, unknown ops and fields, Python-looking names and steps, then dumped to
YAML and mutated (YAML tags, anchors and aliases, deep nesting, non-UTF-8 bytes, random
bytes). Each is written to a file and loaded as `oracle run` loads it. A document that
loads must also plan and produce strict JSON results and a writable report, with every
input within the size limits. Nothing in a document may run: the canary file that some
documents try to create must never appear, and os.system / subprocess are disarmed.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from oracle.cases import DTYPES, MAX_ELEMENTS, MAX_RANK, CaseError, LoadedCase, load_case
from oracle.ops import OPS
from oracle.plan import make_input, plan, shape_of_values
from oracle.report import render_markdown
from oracle.results import build

EXAMPLES = int(os.environ.get("ORACLE_FUZZ_EXAMPLES", 600))  # draws; each gives five documents
PLANNED_ELEMENTS = 4096  # documents that load are planned when their inputs are at most this big
PEAK_BYTES = 64 << 20  # what loading one (small) document may allocate at its peak
CANARY = Path("/tmp/oracle-fuzz-canary")

HOSTILE_CODE = [
    f"__import__('os').system('touch {CANARY}')",
    f"y = eval(\"open('{CANARY}', 'w')\")",
    "y = exec(x)", "import os", "y = x.__class__.__bases__[0].__subclasses__()",
    "y = (lambda: 1)()", "y = x; import os", "y = __import__(x)", "y = mse_loss(pred, target, reduction=eval)",
    "{{ config }}", "${HOME}", "`rm -rf /`", "y = log(x) # comment", "y = add(x, 1e999)", "y = add(x, 99999999999999999999999999999999999999)",  # noqa: E501
    "y = sum(x, axis=" + "[" * 40 + "]" * 40 + ")", "y = sum(x, axis=[0, 1], keepdims=true, keepdims=false)",
]
YAML_SNIPPETS = [
    f"!!python/object/apply:os.system ['touch {CANARY}']", "!!python/name:os.system", "!!python/object/new:list []",
    "&a [1, 2]", "*a", "<<: *a", "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!custom x", "!!float nan",
    "? [1, 2]\n: 3", "[" * 200 + "]" * 200, "{a: " * 50 + "1" + "}" * 50, "---\n", "...\n", "%YAML 1.1\n---\n",
    "\t", "'unterminated", "- - - -", ": :", "{", "]", "\ud7ff", "\x00", "\x85", "\ufeff", "1e400", ".inf", "-.nan",
]

# documents a random run once failed on (IndexError: a key that looks like one of pydantic's location tags)
FAILED_ONCE = [b'id: fuzz\ntitle: t\ninputs: {x: {values: [1.0]}}\nsteps: [y = log(x)]\n"observe[0]": [y]\n',
               b'id: fuzz\ntitle: t\ninputs: {x: {values: [1.0]}}\nsteps: [y = log(x)]\ntolerance(rtol): 1e-3\n',
               b'id: fuzz\ntitle: t\ninputs: {"x(": {"shape[": [1], values: [1.0]}}\nsteps: [y = log(x)]\n']

leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
any_value = st.recursive(leaf, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=3),
                         max_leaves=10)
names = st.sampled_from(["x", "pred", "target", "loss", "y", "__class__", "os", "__import__('os')", "1x", "x y", "",
                         "é", "None", "true", "import"]) | st.text(max_size=8)
numbers = st.integers(-(1 << 70), 1 << 70) | st.floats() | st.sampled_from(["nan", "inf", "-inf", "1e999"])
ops = st.sampled_from(sorted(OPS) + ["eval", "exec", "__import__", "os.system", "mse_los", "Log", "getattr"])


@st.composite
def step_texts(draw: Any) -> str:
    args = draw(st.lists(names | numbers.map(str), max_size=3))
    attrs = draw(st.lists(st.tuples(names, names | numbers.map(str) | any_value.map(json.dumps)), max_size=2))
    text = f"{draw(names)} = {draw(ops)}({', '.join(args + [f'{k}={v}' for k, v in attrs])})"
    return draw(st.just(text) | st.sampled_from(HOSTILE_CODE) | st.text(max_size=40))


shapes = st.lists(st.integers(-3, 9) | st.integers(0, 1 << 80) | st.sampled_from([MAX_ELEMENTS, MAX_ELEMENTS + 1, 4096]),
                  max_size=MAX_RANK + 3)
inits = st.fixed_dictionaries({}, optional={
    "normal": st.fixed_dictionaries({"seed": numbers}, optional={"mean": numbers, "std": numbers}),
    "uniform": st.fixed_dictionaries({"seed": numbers}, optional={"low": numbers, "high": numbers}),
    "integers": st.fixed_dictionaries({"seed": numbers, "high": numbers}, optional={"low": numbers}),
    "fill": numbers, "zeros": any_value,
}) | any_value
values = st.recursive(numbers | st.booleans() | st.text(max_size=4), lambda c: st.lists(c, max_size=4), max_leaves=16)
input_specs = st.fixed_dictionaries({}, optional={
    "shape": shapes | any_value, "dtype": st.sampled_from(DTYPES + ("float8", "object", "complex128")) | any_value,
    "init": inits, "values": values, "device": any_value,
}) | any_value
cases = st.fixed_dictionaries(
    {"id": st.sampled_from(["fuzz", "Fuzz", "../etc/passwd", "a" * 120]) | st.text(max_size=10),
     "title": st.text(max_size=20) | any_value,
     "inputs": st.dictionaries(names, input_specs, max_size=3),
     "steps": st.lists(step_texts(), max_size=4) | any_value},
    optional={"grad": st.fixed_dictionaries({"of": names, "wrt": st.lists(names, max_size=2)},
                                            optional={"idiom": st.text(max_size=8)}) | any_value,
              "observe": st.lists(names, max_size=3), "tolerance": any_value, "timeout_s": numbers,
              "source": any_value, "tags": any_value, "expected": any_value, "__class__": any_value},
)


VALID = {"id": "fuzz", "title": "t", "inputs": {"x": {"shape": [2, 3], "init": {"normal": {"seed": 0}}},
                                                "t": {"dtype": "int64", "values": [0, 2]}},
         "steps": ["y = log(x)", "loss = cross_entropy(y, t, reduction=sum)"], "grad": {"of": "loss", "wrt": ["x"]}}
SPOTS = [("id",), ("title",), ("steps",), ("steps", 0), ("steps", 1), ("grad",), ("grad", "of"), ("grad", "wrt"),
         ("inputs", "x"), ("inputs", "x", "shape"), ("inputs", "x", "dtype"), ("inputs", "x", "init"),
         ("inputs", "x", "init", "normal"), ("inputs", "x", "init", "normal", "seed"), ("inputs", "t", "values"),
         ("inputs", "t", "dtype"), ("inputs", "t", "values", 0), ("observe",), ("timeout_s",), ("tolerance",)]
hostile = (any_value | numbers | names | step_texts() | shapes | inits | values | input_specs
           | st.sampled_from(DTYPES) | st.sampled_from(HOSTILE_CODE))


@st.composite
def nearly_valid(draw: Any) -> dict[str, Any]:
    """A valid case with one to three places replaced by something hostile."""
    doc = json.loads(json.dumps(VALID))
    for spot in draw(st.lists(st.sampled_from(SPOTS), min_size=1, max_size=3)):
        parent = doc
        for key in spot[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(parent, (dict, list)):
                break
        else:
            if isinstance(parent, dict) or (isinstance(parent, list) and isinstance(spot[-1], int)
                                            and spot[-1] < len(parent)):
                parent[spot[-1]] = draw(hostile)
    return doc


@st.composite
def documents(draw: Any) -> list[bytes]:
    """A case-shaped YAML document and four hostile variants of it (spliced YAML, a changed byte,
    invalid UTF-8, cut short): five documents per draw, because drawing costs more than loading."""
    text = yaml.safe_dump(draw(nearly_valid() | nearly_valid() | cases), allow_unicode=True, sort_keys=False)
    data = text.encode("utf-8", "surrogatepass")
    at = draw(st.integers(0, len(text)))
    spliced = (text[:at] + draw(st.sampled_from(YAML_SNIPPETS)) + text[at:]).encode("utf-8", "surrogatepass")
    at = draw(st.integers(0, len(data) - 1))
    flipped = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    bad_utf8 = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])) + data[at:]  # noqa: E501
    return [data, spliced, flipped, bad_utf8, data[:at]]


def _elements(loaded: LoadedCase) -> dict[str, int]:
    out = {}
    for name, spec in loaded.case.inputs.items():
        shape = spec.shape if spec.shape is not None else list(shape_of_values(spec.values))
        out[name] = math.prod(shape)
    return out


def _check_loaded(loaded: LoadedCase) -> None:
    elements = _elements(loaded)
    assert all(n <= MAX_ELEMENTS for n in elements.values()), elements
    if sum(elements.values()) > PLANNED_ELEMENTS:
        return
    request = plan(loaded)
    assert {n: a.size for n, a in request.inputs.items()} == elements
    results = build([loaded], {loaded.id: {}}, {})
    json.dumps(results, allow_nan=False)
    render_markdown(results).encode("utf-8")
    for spec in loaded.case.inputs.values():
        make_input(spec)


def _disarmed(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"a case document made the loader run a program: {args!r}")


def test_hostile_documents_get_case_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    CANARY.unlink(missing_ok=True)
    platform.platform()  # results carry it; Python asks `uname -p` once and caches it, before we disarm
    monkeypatch.setattr(os, "system", _disarmed)
    monkeypatch.setattr(subprocess, "Popen", _disarmed)
    path = tmp_path / "case.yaml"
    tally = {"tried": 0, "loaded": 0, "errors": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=(Phase.explicit, Phase.generate),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(documents())
    @example([FAILED_ONCE[0]])
    @example([FAILED_ONCE[1]])
    @example([FAILED_ONCE[2]])
    def load_all(variants: list[bytes]) -> None:
        for document in variants:
            load(document)

    def load(document: bytes) -> None:
        tally["tried"] += 1
        path.write_bytes(document)
        tracemalloc.start()
        try:
            loaded = load_case(path)
        except CaseError as exc:
            tally["errors"] += 1
            assert str(exc).startswith(str(path)) and exc.message
            return
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert peak < PEAK_BYTES, f"loading {len(document)} bytes peaked at {peak} bytes"
        tally["loaded"] += 1
        _check_loaded(loaded)

    load_all()
    assert not CANARY.exists(), "a case document created the canary file"
    assert tally["tried"] >= 5 * EXAMPLES
    with capsys.disabled():
        print(f"\nfuzz: {tally['tried']} hostile case documents tried: {tally['errors']} CaseError, "
              f"{tally['loaded']} loaded and planned")


# What the fuzzing (and probing around it) found; each crashed the loader, plan or results before the fix.
_BASE = "id: x\ntitle: t\ninputs:\n  x: {spec}\nsteps:\n  - {step}\n"
FOUND = {
    "deep YAML": (b"id: x\ntitle: t\ninputs: " + b"[" * 20000 + b"]" * 20000, "nested deeper than"),
    "deep YAML mapping": (b"a: " + b"{a: " * 3000 + b"1" + b"}" * 3000, "nested deeper than"),
    "out-of-range escape": (b'id: "\\U001e4000"\n', "invalid YAML"),
    "lone surrogate": (b'id: x\ntitle: "\\ud800"\n', "lone surrogate"),
    "deep list in a step": (_BASE.format(spec="{values: [1.0]}", step="y = sum(x, axis=" + "[" * 5000 + "]" * 5000 + ")"),
                            "nested deeper than"),
    "huge integer in a step": (_BASE.format(spec="{values: [1.0]}", step="y = add(x, " + "9" * 400 + ")"), "digits"),
    "float overflow in a step": (_BASE.format(spec="{values: [1.0]}", step="y = add(x, 1e999)"), "out of range"),
    "zero-size shape with a huge dimension": (_BASE.format(spec="{shape: [0, 100000000000000000000], init: {fill: 1}}",
                                                           step="y = log(x)"), "dimensions must lie in"),
    "integers low >= high": (_BASE.format(spec="{shape: [2], dtype: int64, init: {integers: {seed: 0, low: 5, high: 1}}}",
                                          step="y = log(x)"), "need low < high"),
    "integers beyond int64": (_BASE.format(spec="{shape: [2], dtype: int64, init: {integers: {seed: 0, high: 1e30}}}",
                                           step="y = log(x)"), "init.integers.high"),
    "integers beyond int32": (_BASE.format(spec="{shape: [2], dtype: int32, init: {integers: {seed: 0, high: 5000000000}}}",
                                           step="y = log(x)"), "does not fit int32"),
    "negative std": (_BASE.format(spec="{shape: [2], init: {normal: {seed: 0, std: -1}}}", step="y = log(x)"),
                     "init.normal.std"),
    "negative seed": (_BASE.format(spec="{shape: [2], init: {normal: {seed: -1}}}", step="y = log(x)"), "seed"),
    "YAML .nan fill (not strict JSON)": (_BASE.format(spec="{shape: [2], init: {fill: .nan}}", step="y = log(x)"),
                                         "finite number"),
    "infinite uniform range": (_BASE.format(spec="{shape: [2], init: {uniform: {seed: 0, low: -1e308, high: 1e308}}}",
                                            step="y = log(x)"), "finite range"),
    "nan in int64 values": (_BASE.format(spec="{dtype: int64, values: [\"nan\"]}", step="y = log(x)"), "do not fit int64"),
    "huge int64 value": (_BASE.format(spec="{dtype: int64, values: [100000000000000000000000]}", step="y = log(x)"),
                         "do not fit int64"),
    "nan fill for int32": (_BASE.format(spec="{shape: [2], dtype: int32, init: {fill: nan}}", step="y = log(x)"),
                           "does not fit int32"),
    "values of rank 9": (_BASE.format(spec="{values: " + "[" * 9 + "1" + "]" * 9 + "}", step="y = log(x)"), "rank 9"),
    "infinite timeout": (_BASE.format(spec="{values: [1.0]}", step="y = log(x)") + "timeout_s: .inf\n", "timeout_s"),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_found_by_fuzzing_is_a_case_error(name: str, tmp_path: Path) -> None:
    document, fragment = FOUND[name]
    path = tmp_path / "case.yaml"
    path.write_bytes(document if isinstance(document, bytes) else str(document).encode())
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert fragment in str(caught.value)
