"""Issue 24, items 3, 4, 8, 10, 11, 13: every input other than a case file, hostile. Paths named by data stay
inside their folders; `show` prints only case files; every read is bounded; a corrupt journal is not
believed; a bad field is one line and exit 2; no control character of data reaches a terminal or report."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, cast

import numpy as np
import pytest
from processes import DATA, ROOT

from oracle.cases import load_cases
from oracle.cli import EXIT_NOTHING_RAN, EXIT_OUTPUT, EXIT_USAGE, main
from oracle.journal import Journal, read_journal
from oracle.model import ResultsDocument
from oracle.outcome import Outcome, Tensor
from oracle.results import build
from oracle.runner import ColumnEnv

CASE_ID = "t-log-special"


def _results(case: Path = DATA / f"{CASE_ID}.yaml") -> dict[str, Any]:
    """A complete results document: reference and jax computed the case."""
    y = {"y": Tensor(np.array([1.0, 2.0], dtype=np.float32))}
    outcomes = {CASE_ID: {"reference": Outcome("ok", "reference", outputs=y), "jax": Outcome("ok", "jax", outputs=y)}}
    envs = {n: ColumnEnv(n, "cpu") for n in ("reference", "jax")}
    return json.loads(json.dumps(build(load_cases([case]), outcomes, envs)))


def _write(tmp_path: Path, results: dict[str, Any], name: str = "results.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(results))
    return path


def _code(argv: list[str]) -> int:
    """main's exit code, whether it returns it or raises SystemExit (a refusal before anything runs)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _one_line_error(err: str) -> None:
    assert err.startswith("error:") and err.count("\n") == 1 and "Traceback" not in err, err


def _snapshot(tmp_path: Path, results_path: Path) -> Path:
    """A baseline folder made from `results_path` (check --update: no run)."""
    against = tmp_path / "base"
    assert main(["check", str(DATA / f"{CASE_ID}.yaml"), "--results", str(results_path), "--against", str(against),
                 "--update"]) == 0
    return against


# --- item 3: ids and file fields are names; every write resolves inside its folder ---------------------------

@pytest.mark.parametrize("bad_id", ["../../../../outside/ESCAPED", "/tmp/ABSOLUTE", "..", "a/b"])
@pytest.mark.parametrize("command", ["report", "check --update"])
def test_an_id_that_is_a_path_is_refused_before_any_write(bad_id: str, command: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    results = _results()
    results["cases"][0]["id"] = bad_id
    results["cases"][0]["columns"]["reference"]["outputs"]["y"]["values"] = [1.0, 3.0]  # a differences figure
    work = tmp_path / "a" / "b" / "c" / "d"
    work.mkdir(parents=True)
    path = _write(work, results)
    before = sorted(p for p in tmp_path.rglob("*"))
    argv = (["report", "--results", str(path), "--out", str(work / "out")] if command == "report" else
            ["check", str(DATA), "--results", str(path), "--against", str(work / "base"), "--update"])
    assert main(argv) == EXIT_USAGE
    _one_line_error(capsys.readouterr().err)
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written, inside or out
    assert not Path("/tmp/ABSOLUTE-differences.png").exists() and not Path("/tmp/ABSOLUTE.json").exists()


def test_a_symlinked_plots_folder_or_baseline_file_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    results = _results()
    results["cases"][0]["columns"]["reference"]["outputs"]["y"]["values"] = [1.0, 3.0]
    path = _write(tmp_path, results)
    out = tmp_path / "out"
    out.mkdir()
    (out / "plots").symlink_to(outside)
    assert main(["report", "--results", str(path), "--out", str(out)]) == EXIT_USAGE
    base = _snapshot(tmp_path, path)
    victim = outside / "victim.json"
    victim.write_text("untouched")
    stored = base / "cases" / f"{CASE_ID}.json"
    stored.unlink()
    stored.symlink_to(victim)
    main(["check", str(DATA / f"{CASE_ID}.yaml"), "--results", str(path), "--against", str(base), "--update"])
    assert list(outside.iterdir()) == [victim] and victim.read_text() == "untouched"


# --- item 4: show prints only the case file a record names ----------------------------------------------------

@pytest.mark.parametrize("target", ["/etc/passwd", "other-text-file"])
def test_show_does_not_print_a_file_that_is_not_the_case(target: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "other-text-file"
    secret.write_text("SECRET-LINE\n")
    results = _results()
    results["cases"][0]["file"] = target if target.startswith("/") else str(secret)
    path = _write(tmp_path, results)
    assert main(["show", CASE_ID, "--results", str(path)]) == 0
    out = capsys.readouterr().out
    assert "root:" not in out and "SECRET-LINE" not in out
    results["cases"][0]["file"] = str(DATA / f"{CASE_ID}.yaml")  # the real case file is still shown
    assert main(["show", CASE_ID, "--results", str(_write(tmp_path, results))]) == 0
    assert "y = log(x)" in capsys.readouterr().out


# --- item 8: every read is bounded (a guard in a child process: the old code read until memory ran out) -------

def _bounded_child(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """`oracle ARGV` with its heap capped at 1 GiB: an unbounded read dies instead of exhausting the machine."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, 1 << 30)); "
            "from oracle.cli import main; sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_reads_of_dev_zero_are_refused(tmp_path: Path) -> None:
    results = _results()
    results["cases"][0]["file"] = "/dev/zero"
    named = _write(tmp_path, results)
    base = _snapshot(tmp_path, _write(tmp_path, _results(), "good.json"))
    (base / "cases" / f"{CASE_ID}.json").unlink()
    (base / "cases" / f"{CASE_ID}.json").symlink_to("/dev/zero")
    atlas = tmp_path / "explored" / "log"
    atlas.mkdir(parents=True)
    (atlas / "atlas.json").symlink_to("/dev/zero")
    runs = {"report": (["report", "--results", "/dev/zero", "--out", str(tmp_path / "r")], EXIT_USAGE),
            "show": (["show", CASE_ID, "--results", str(named)], 0),
            "diff-versions": (["diff-versions", "--config", "/dev/zero", str(DATA)], EXIT_USAGE),
            "check": (["check", str(DATA / f"{CASE_ID}.yaml"), "--results", str(tmp_path / "good.json"),
                       "--against", str(base)], EXIT_USAGE),
            "atlas": (["atlas", str(tmp_path / "explored")], EXIT_USAGE)}
    for name, (argv, code) in runs.items():
        done = _bounded_child(argv)
        assert done.returncode == code and "Traceback" not in done.stderr, (name, done.stderr[-600:])
        if code:
            assert "not a regular file" in done.stderr, (name, done.stderr)


# --- item 10: a corrupt journal is not believed ----------------------------------------------------------------

def test_corrupt_journal_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path, fresh=True)
    journal.cell("a", "jax", "f", {"status": "bogus"})
    journal.cell("b", "jax", "f", {"status": "ok"})
    journal.environment("jax", {"framework": "jax", "device": "cpu", "unknown_key": 1})
    journal.environment("torch", {"framework": "torch", "device": "cpu"})
    journal.close()
    read = read_journal(path)
    assert list(read.cells) == [("b", "jax")]  # a status this oracle never writes runs again
    assert list(read.environment) == ["torch"]  # an unknown key would be a TypeError in ColumnEnv(**line)


@pytest.mark.parametrize("resume", [True, False])
def test_a_journal_that_is_a_folder_is_one_line(resume: bool, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "journal.jsonl").mkdir(parents=True)
    code = main(["run", str(DATA / f"{CASE_ID}.yaml"), "--columns", "jax", "--out", str(out),
                 *(["--resume"] if resume else [])])
    assert code == (EXIT_USAGE if resume else EXIT_OUTPUT)
    err = capsys.readouterr().err
    assert "journal.jsonl" in err and "Traceback" not in err
    _one_line_error(err[err.index("error:"):])


# --- item 11: one line, exit 2, for every bad field x command -------------------------------------------------

def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return change


_DELETE = object()
BAD_FIELDS = {
    "platform missing": _set("platform", _DELETE),
    "environment a list": _set("environment.jax", []),
    "environment without framework": _set("environment.jax.framework", _DELETE),
    "missing not lists": _set("missing", {"x": 1}),
    "id a number": _set("cases.0.id", 5),
    "title null": _set("cases.0.title", None),
    "file missing": _set("cases.0.file", _DELETE),
    "steps a string": _set("cases.0.steps", "y = log(x)"),
    "inputs a list": _set("cases.0.inputs", []),
    "verdicts of numbers": _set("cases.0.verdicts", [1]),
    "semantics a list": _set("cases.0.semantics", []),
    "status bogus": _set("cases.0.columns.jax.status", "bogus"),
    "warnings a string": _set("cases.0.columns.jax.warnings", "w"),
    "warning without message": _set("cases.0.columns.jax.warnings", [{"category": "UserWarning"}]),
    "error a list": _set("cases.0.columns.jax.error", [1]),
    "outputs a list": _set("cases.0.columns.jax.outputs", []),
    "values beside their shape": _set("cases.0.columns.jax.outputs.y.shape", [7]),
    "dtype unknown": _set("cases.0.columns.jax.outputs.y.dtype", "float99"),
    "native_api a string": _set("cases.0.columns.jax.native_api", "jnp.log"),
    "notes a list": _set("cases.0.columns.jax.notes", []),
    "column not in environment": _set("cases.0.columns.torch", {}),
    # written into snippets as code (`oracle verify --results` runs them): only what the case language allows
    "input dtype of code": _set("cases.0.inputs.x.dtype", 'float32"); __import__("os").system("true"); ("'),
    "input seed of code": _set("cases.0.inputs.x.init", {"normal": {"mean": 0.0, "std": 1.0,
                                                                    "seed": "0); __import__('os').system('true'); (0"}}),
    "input name of code": _set("cases.0.inputs.x = __import__('os')", {"dtype": "float32", "init": "values"}),
}


@pytest.mark.parametrize("bad", list(BAD_FIELDS))
@pytest.mark.parametrize("command", ["report", "check", "show", "check --update"])
def test_a_bad_results_field_is_one_line(bad: str, command: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, _results(), "good.json")
    base = _snapshot(tmp_path, good) if command.startswith("check") else tmp_path / "base"
    capsys.readouterr()
    results = copy.deepcopy(_results())
    BAD_FIELDS[bad](results)
    path = _write(tmp_path, results)
    argv = {"report": ["report", "--results", str(path), "--out", str(tmp_path / "r")],
            "check": ["check", str(DATA / f"{CASE_ID}.yaml"), "--results", str(path), "--against", str(base)],
            "check --update": ["check", str(DATA / f"{CASE_ID}.yaml"), "--results", str(path), "--against",
                               str(base), "--update"],
            "show": ["show", CASE_ID, "--results", str(path)]}[command]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    _one_line_error(err)
    assert str(path) in err


@pytest.mark.parametrize("damage", ["truncated case", "environment a list", "case columns a list",
                                    "stored cell without status"])
def test_a_damaged_baseline_is_one_line(damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, _results())
    base = _snapshot(tmp_path, good)
    stored = base / "cases" / f"{CASE_ID}.json"
    if damage == "truncated case":
        stored.write_text(stored.read_text()[:40])
    elif damage == "environment a list":
        (base / "environment.json").write_text("[1, 2]")
    else:
        doc = json.loads(stored.read_text())
        if damage == "case columns a list":
            doc["columns"] = []
        else:
            del doc["columns"]["jax"]["status"]
        stored.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["check", str(DATA / f"{CASE_ID}.yaml"), "--results", str(good), "--against", str(base)]) == EXIT_USAGE
    _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("atlas", ['{"op": "log", "fam', "[]", '{"op": "log"}',
                                   '{"op": "log", "family": "x", "examples": 1, "seed": 0, "departures": {},'
                                   ' "classes": [{"count": "many"}]}'])
def test_a_corrupt_atlas_is_one_line(atlas: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "atlas.json").write_text(atlas)
    assert main(["atlas", str(tmp_path)]) == EXIT_USAGE
    _one_line_error(capsys.readouterr().err)


def _unwritable(tmp_path: Path) -> Path:
    """A folder nothing can be written under, even by root: read-only, and a plain file stands in its place."""
    ro = tmp_path / "ro"
    ro.write_text("a file, not a folder\n")
    ro.chmod(0o444)
    return ro


def test_unwritable_targets_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, _results())
    base = _snapshot(tmp_path, good)
    ro = _unwritable(tmp_path)
    for argv in (["report", "--results", str(good), "--out", str(ro / "r")],
                 ["schema", "--out", str(ro / "schema.json")],
                 ["explain", "log", "--input", "x=3", "--save", str(ro / "x.yaml"), "--columns", "jax"],
                 ["check", str(DATA / f"{CASE_ID}.yaml"), "--against", str(base), "--run-out", str(ro / "run"),
                  "--columns", "jax"],
                 ["snapshot", str(DATA / f"{CASE_ID}.yaml"), "--out", str(ro / "b"), "--run-out",
                  str(tmp_path / "run"), "--columns", "jax"]):
        capsys.readouterr()
        assert _code(argv) == EXIT_OUTPUT, argv
        err = capsys.readouterr().err
        _one_line_error(err)
        assert str(ro) in err
    assert not (tmp_path / "run").exists()  # refused before running anything


def test_an_unwritable_logs_folder_is_a_cell_reason_not_a_thread_traceback(tmp_path: Path) -> None:
    from oracle.plan import plan
    from oracle.runner import Column, run_column

    seen: list[Outcome] = []
    env = run_column(Column("jax", "jax"), [plan(c) for c in load_cases([DATA / f"{CASE_ID}.yaml"])],
                     lambda column, case_id, outcome: seen.append(outcome), _unwritable(tmp_path) / "logs")
    assert [o.status for o in seen] == ["crash"] and "cannot open its log" in seen[0].notes["reason"]
    assert not env.available


@pytest.mark.parametrize("argv", [["explore", "log", "--examples", "0"], ["explore", "log", "--examples", "-5"],
                                  ["run", "--worker-memory", "1e400G"], ["run", "--worker-memory", "-5"]])
def test_bad_counts_and_sizes_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error: argument" in err


def test_an_interpreter_that_does_not_exist_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff-versions", "--python", "/nonexistent", str(DATA / f"{CASE_ID}.yaml"),
                 "--out", str(tmp_path / "v")]) == EXIT_NOTHING_RAN
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "/nonexistent" in err


def test_an_empty_shape_with_huge_dimensions_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "huge.yaml"
    case.write_text("id: huge\ntitle: t\ninputs:\n  x: {shape: [16777216, 16777216, 16777216, 16777216, 0], "
                    "dtype: float32, init: zeros}\nsteps:\n  - y = log(x)\n")
    assert _code(["validate", str(case)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "huge.yaml" in err and "inputs.x.shape" in err


# --- item 13: no control or bidi character of data reaches a terminal or a report --------------------------------

HOSTILE = "\x1b]0;pwned\x07 title \u202e reversed \x00 nul \x1b[2J"


def test_control_characters_in_titles_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oracle.report import render_markdown

    text = (DATA / f"{CASE_ID}.yaml").read_text()
    case = tmp_path / "cases" / f"{CASE_ID}.yaml"
    case.parent.mkdir()
    title = json.dumps(HOSTILE)  # a YAML double-quoted string takes JSON's escapes
    case.write_text("\n".join(f"title: {title}" if line.startswith("title:") else line
                              for line in text.splitlines()) + "\n")
    assert load_cases([case])[0].case.title == HOSTILE
    results = _results(case)
    assert main(["list", str(case.parent)]) == 0
    assert main(["show", CASE_ID, "--results", str(_write(tmp_path, results))]) == 0
    printed = capsys.readouterr().out
    report = render_markdown(cast(ResultsDocument, results))
    for shown in (printed, report):
        assert not any(ch in shown for ch in "\x1b\x00\x07\u202e"), repr(shown[:300])
    assert "\\x1b]0;pwned" in report and "\\u202e" in report
