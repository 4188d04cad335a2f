"""Malformed case files get one message naming file, line and field; nothing is executed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oracle.cases import CaseError, case_files, json_schema, load_case, load_cases

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
id: good
title: a good case
inputs:
  pred: {shape: [4, 1], dtype: float32, init: {normal: {seed: 0}}}
  target: {shape: [4], init: {normal: {seed: 1}}}
steps:
  - loss = mse_loss(pred, target)
grad: {of: loss, wrt: [pred]}
"""


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(write(tmp_path, text))
    return info.value


def test_good_case_loads(tmp_path: Path) -> None:
    loaded = load_case(write(tmp_path, GOOD))
    assert loaded.id == "good" and [s.op for s in loaded.steps] == ["mse_loss"]
    assert loaded.case.observed() == ["loss"]


@pytest.mark.parametrize("old, new, line, field, words", [
    ("  - loss = mse_loss(pred, target)", "  - loss = mse_los(pred, target)", 7, "steps[0]",
     ["unknown op 'mse_los'", "did you mean 'mse_loss'"]),
    ("title: a good case", "title: a good case\ntitel: typo", 3, "titel", ["unknown field", "did you mean 'title'"]),
    ("shape: [4, 1]", "shape: four", 4, "inputs.pred.shape", ["list"]),
    ("mse_loss(pred, target)", "mse_loss(pred, targte)", 7, "steps[0]",
     ["'targte' is not defined", "did you mean 'target'"]),
    ("wrt: [pred]", "wrt: [pred2]", 8, "grad.wrt[0]", ["not an input", "did you mean 'pred'"]),
    ("mse_loss(pred, target)", "mse_loss(pred, target, reduction=avg)", 7, "steps[0]", ["reduction must be one of"]),
    ("mse_loss(pred, target)", "mse_loss(pred, target, reduce=sum)", 7, "steps[0]",
     ["no attribute 'reduce'", "did you mean 'reduction'"]),
    ("mse_loss(pred, target)", "mse_loss(pred)", 7, "steps[0]", ["takes 2 arguments"]),
    ("{normal: {seed: 0}}", "{normal: {seed: 0}, uniform: {seed: 1}}", 4, "inputs.pred.init", ["exactly one"]),
    ("shape: [4, 1]", "shape: [100000, 100000]", 4, "inputs.pred.shape", ["exceeds the limit"]),
    ("dtype: float32", "dtype: float33", 4, "inputs.pred.dtype", ["float32"]),
    ("id: good", "id: Not A Slug!", 1, "id", ["pattern"]),
    ("grad: {of: loss, wrt: [pred]}", "grad: {of: los, wrt: [pred]}", 8, "grad.of", ["did you mean 'loss'"]),
])
def test_message_names_file_line_field(tmp_path: Path, old: str, new: str, line: int, field: str,
                                       words: list[str]) -> None:
    assert old in GOOD
    err = error_for(tmp_path, GOOD.replace(old, new, 1))
    assert (err.line, err.field) == (line, field), str(err)
    text = str(err)
    assert text.startswith(f"{tmp_path / 'case.yaml'}:{line}: {field}: ")
    for word in words:
        assert word in text


def test_bad_yaml_and_hostile_yaml(tmp_path: Path) -> None:
    assert "invalid YAML" in str(error_for(tmp_path, GOOD + "  bad: [unclosed\n"))
    err = error_for(tmp_path, GOOD.replace("title: a good case", "title: !!python/object/apply:os.system ['true']"))
    assert err.line == 2 and "invalid value" in str(err)
    anchors = GOOD.replace("target: {shape: [4]", "target: &t {shape: [4]") + "observe: *t\n"
    assert "anchors and aliases" in str(error_for(tmp_path, anchors))
    assert "duplicate key" in str(error_for(tmp_path, GOOD + "title: again\n"))
    assert "mapping" in str(error_for(tmp_path, "- just\n- a list\n"))
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"id: x\ntitle: \xff\xfe\n")
    with pytest.raises(CaseError, match="not valid UTF-8"):
        load_case(path)


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", GOOD, "good.yaml")
    write(tmp_path / "b", GOOD, "good.yaml")
    with pytest.raises(CaseError, match="duplicate id 'good', also in .*a/good.yaml"):
        load_cases([tmp_path])


def test_the_same_file_twice_is_one_case(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "good.yaml")
    assert [c.id for c in load_cases([tmp_path, path, str(path)])] == ["good"]


def test_id_must_be_the_file_name(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "other.yaml")
    with pytest.raises(CaseError, match=r"other.yaml:1: id: id 'good' differs from the file name 'other'"):
        load_cases([tmp_path])


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    ("inputs:", "input:", "input", "unknown field 'input', did you mean 'inputs'?"),
    ("shape: [4, 1]", "shape: [4, true]", "inputs.pred.shape[1]", "valid integer"),
    ("title: a good case", 'title: a good case\n"observe[0]": [loss]', "observe[0]", "unknown field 'observe[0]'"),
    ("title: a good case", "title: a good case\ntolerance(rtol): 1e-3", "tolerance(rtol)", "did you mean 'tolerance'"),
])
def test_loose_documents_are_refused_precisely(tmp_path: Path, old: str, new: str, where: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(CaseError) as caught:
        load_case(write(tmp_path, GOOD.replace(old, new)))
    assert caught.value.field == where and message in caught.value.message, str(caught.value)


def test_validate_command_exit_codes(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("mse_loss(", "mse_los("))
    bad = subprocess.run([sys.executable, "-m", "oracle.cli", "validate", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 2
    assert "case.yaml:7: steps[0]: unknown op" in bad.stderr and "Traceback" not in bad.stderr
    good = subprocess.run([sys.executable, "-m", "oracle.cli", "validate", str(ROOT / "cases")],
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stderr


def test_json_schema_is_exported_and_describes_cases() -> None:
    schema = json_schema()
    assert schema["type"] == "object" and {"id", "title", "inputs", "steps"} <= set(schema["required"])
    out = subprocess.run([sys.executable, "-m", "oracle.cli", "schema"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["properties"].keys() == schema["properties"].keys()


def test_project_cases_are_valid_with_unique_ids_matching_file_names() -> None:
    cases = load_cases([ROOT / "cases"])
    assert {c.base_id for c in cases} == {p.stem for p in case_files([ROOT / "cases"])}  # variants share a file
    assert len({c.id for c in cases}) == len(cases) >= 1
    for loaded in cases:
        assert loaded.path.stem == loaded.base_id  # a variant's id is base-id[variant]


def test_every_seed_document_has_cases_and_sources_name_real_documents() -> None:
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    doc_ids = set()
    for path in seeds.glob("*.txt"):
        front = path.read_text(encoding="utf-8").split("---")[1]
        doc_ids |= {line.split(":", 1)[1].strip().strip('"') for line in front.splitlines()
                    if line.startswith("id:")}
    sources = [c.case.source for c in load_cases([ROOT / "cases"]) if c.case.source]
    used = {s.doc for s in sources if s.url is None}  # a public page cited by url needs no seed document
    assert used <= doc_ids, used - doc_ids
    assert {s.doc for s in sources} >= doc_ids, f"seed documents without a case: {doc_ids - {s.doc for s in sources}}"


@pytest.mark.parametrize("step, field_message", [
    ("y = conv2d(x, w, stride=0)", "conv2d: stride must be >= 1, got 0"),
    ("y = sum(x, axis=1.5)", "sum: axis must be an integer or a list of integers, got 1.5"),
    ("y = conv2d(x, w, padding=smae)", "conv2d: padding must be one of valid, same, got 'smae', did you mean 'same'?"),
    ("y = sum(x, keepdims=1)", "sum: keepdims must be true or false, got 1"),
    ("y = expand_dims(x)", "expand_dims needs the attribute 'axis' (axis)"),
])
def test_attribute_values_are_checked_by_type_and_range_at_load(tmp_path: Path, step: str,
                                                                field_message: str) -> None:
    """The registry's attribute types, choices and ranges are enforced with file, line and field."""
    text = ("id: attrs\ntitle: t\ninputs:\n  x: {shape: [1, 1, 3, 3], init: {normal: {seed: 0}}}\n"
            "  w: {shape: [1, 1, 2, 2], init: {normal: {seed: 1}}}\nsteps:\n" f"  - {step}\n")
    err = error_for(tmp_path, text)
    assert (err.line, err.field) == (7, "steps[0]")
    assert err.message == field_message


def test_framework_written_explicitly_leaves_the_attribute_unpinned(tmp_path: Path) -> None:
    from oracle.native import effective_attrs
    from oracle.ops import OPS

    loaded = load_case(write(tmp_path, GOOD.replace("mse_loss(pred, target)", "mse_loss(pred, target, reduction=framework)")))  # noqa: E501
    assert effective_attrs(OPS["mse_loss"], loaded.steps[0].attrs) == {}
    assert effective_attrs(OPS["mse_loss"], {"reduction": "sum"}) == {"reduction": "sum"}
def test_special_files_are_never_read_whole_or_waited_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    write(tmp_path, GOOD, "good.yaml")
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    assert [c.id for c in load_cases([tmp_path])] == ["good"]  # a read of either would never end
    err = capsys.readouterr().err
    assert "zero.yaml: not a regular file; skipped" in err and "fifo.yaml: not a regular file; skipped" in err
    for name in ("zero.yaml", "fifo.yaml"):
        with pytest.raises(CaseError, match="not a regular file"):
            load_case(tmp_path / name)
    big = write(tmp_path, "#" * (2 << 20), "big.yaml")
    with pytest.raises(CaseError, match="larger than"):
        load_case(big)
