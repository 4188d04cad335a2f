"""The orchestrator's reliability (issue 13): the journal, --resume fingerprints, the lock on --out,
output-folder failures, bad results files, exit codes, signals in every phase."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import pytest
from processes import DATA, ORDER, ROOT, WAIT_S, wait_for
from processes import oracle_process as _oracle

from oracle.cases import load_cases
from oracle.cli import EXIT_CELLS_FAILED, EXIT_NOTHING_RAN, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, main, run_exit_code
from oracle.journal import Journal, read_journal
from oracle.model import ResultsDocument
from oracle.outcome import Outcome
from oracle.results import build, parse_columns
from oracle.runner import ColumnEnv


def _copy_cases(tmp_path: Path, ids: list[str]) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for case_id in ids:
        (folder / f"{case_id}.yaml").write_bytes((DATA / f"{case_id}.yaml").read_bytes())
    return folder


def _partial_results() -> ResultsDocument:
    """An interrupted run: one case with two of three columns, one with none."""
    cases = load_cases([DATA / "t-log-special.yaml", DATA / "t-mse-broadcast.yaml"])
    envs = {n: ColumnEnv(n, "cpu") for n in ("reference", "jax", "torch")}
    outcomes = {"t-log-special": {"reference": Outcome("crash", "reference", notes={"reason": "x"}),
                                  "jax": Outcome("crash", "jax", notes={"reason": "x"})},
                "t-mse-broadcast": {}}
    return build(cases, outcomes, envs, complete=False)


# --- item 2: duplicate or empty --columns; signals in every phase -----------------------------

@pytest.mark.parametrize("spec", ["torch,torch", "", ",", "jax,,torch", " jax , jax"])
def test_duplicate_or_empty_columns_are_refused(spec: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(DATA), "--columns", spec, "--out", str(tmp_path / "out")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("give each column and device once") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # refused before anything started
    with pytest.raises(ValueError):
        parse_columns("jax", "cpu,cpu")


@pytest.mark.parametrize("phase", ["importing", "starting workers", "running"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_every_phase_of_a_run_ends_on_ctrl_c_and_sigterm(phase: str, sig: signal.Signals, tmp_path: Path) -> None:
    out = tmp_path / "run"
    process = _oracle("run", str(DATA), "--columns", "jax,reference", "--out", str(out),
                      faults="t-mse-broadcast=hang", start_new_session=True)
    if phase == "importing":
        time.sleep(0.3)
    elif phase == "starting workers":
        wait_for(out / ".lock", str(process.pid))  # the lock is taken just before the workers start
    else:
        wait_for(out / "logs" / "jax.log", "oracle fault injection: hang in t-mse-broadcast")
    if sig == signal.SIGINT:
        os.killpg(process.pid, sig)  # Ctrl-C in a terminal: the whole process group
    else:
        process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"{sig.name} in phase {phase!r} was ignored")
    # before Python has set its handlers the default action ends it (-sig); after, the run says interrupted
    assert process.returncode in (128 + sig, -sig), output
    if phase == "running":
        assert process.returncode == 128 + sig and "--resume" in output
        assert json.loads((out / "results.json").read_text())["complete"] is False


# --- item 3: the journal survives kill -9 ------------------------------------------------------

def test_kill_9_of_the_oracle_loses_no_finished_cell(tmp_path: Path) -> None:
    out = tmp_path / "run"
    process = _oracle("run", str(DATA), "--columns", "jax", "--out", str(out), faults="t-mse-broadcast=hang",
                      start_new_session=True)
    wait_for(out / "logs" / "jax.log", "oracle fault injection: hang in t-mse-broadcast")
    os.killpg(process.pid, signal.SIGKILL)  # the oracle and its worker, as the OOM killer or kill -9 would
    process.communicate(timeout=60)
    assert not (out / "results.json").exists()
    journaled = read_journal(out / "journal.jsonl")
    assert sorted(journaled.cells) == [(ORDER[0], "jax"), (ORDER[1], "jax")]
    # had the journaled cells run again, the faults would have made them crash
    resumed = _oracle("run", str(DATA), "--columns", "jax", "--out", str(out), "--resume",
                      faults=",".join(f"{c}=kill" for c in ORDER[:2]))
    output, _ = resumed.communicate(timeout=WAIT_S)
    assert resumed.returncode == EXIT_OK, output
    final = json.loads((out / "results.json").read_text())
    assert final["complete"] and [c["id"] for c in final["cases"]] == ORDER
    for case in final["cases"][:2]:
        assert case["columns"]["jax"] == journaled.cells[(case["id"], "jax")][1]


def test_a_torn_journal_line_is_skipped_and_the_next_starts_clean(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path, fresh=True)
    journal.environment("jax", {"framework": "jax"})
    journal.cell("a", "jax", "f1", {"status": "ok"})
    journal.close()
    with open(path, "a") as handle:
        handle.write('{"case": "b", "column": "jax", "fing')  # killed mid-write
    journal = Journal(path, fresh=False)
    journal.cell("c", "jax", "f3", {"status": "ok"})
    journal.close()
    read = read_journal(path)
    assert sorted(read.cells) == [("a", "jax"), ("c", "jax")] and read.environment == {"jax": {"framework": "jax"}}


# --- item 4: --resume re-runs cells whose case file changed; show warns -----------------------

def test_resume_reruns_cells_of_an_edited_case_and_show_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    cases = _copy_cases(tmp_path, ["t-log-special", "t-cross-entropy"])
    out = tmp_path / "run"
    assert main(["run", str(cases), "--columns", "jax", "--out", str(out)]) == EXIT_OK
    first = json.loads((out / "results.json").read_text())
    edited = cases / "t-log-special.yaml"
    edited.write_text(edited.read_text() + "# edited after the run\n")
    capsys.readouterr()
    assert main(["show", "t-log-special", "--results", str(out / "results.json")]) == 0
    assert "results are stale" in capsys.readouterr().err
    # t-cross-entropy is unchanged: were it run again, the fault would crash it
    os.environ["ORACLE_FAULTS"] = "t-cross-entropy=kill"
    try:
        assert main(["run", str(cases), "--columns", "jax", "--out", str(out), "--resume"]) == EXIT_OK
    finally:
        del os.environ["ORACLE_FAULTS"]
    assert "1 journaled cells are stale" in capsys.readouterr().err
    final = {c["id"]: c for c in json.loads((out / "results.json").read_text())["cases"]}
    before = {c["id"]: c for c in first["cases"]}
    assert final["t-log-special"]["file_sha256"] != before["t-log-special"]["file_sha256"]
    elapsed = [run["t-log-special"]["columns"]["jax"]["elapsed_s"] for run in (final, before)]
    assert elapsed[0] != elapsed[1]  # run again
    assert final["t-cross-entropy"]["columns"] == before["t-cross-entropy"]["columns"]
    # the resumed run appends to the same journal: a kept cell is in it once, an edited case's cell twice
    lines = [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]
    cells = [(line["case"], line["column"]) for line in lines if "case" in line]
    assert cells.count(("t-cross-entropy", "jax")) == 1 and cells.count(("t-log-special", "jax")) == 2


# --- items 5 and 6: the output folder -----------------------------------------------------------

def test_an_unusable_out_is_refused_before_anything_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["run", str(DATA), "--columns", "jax", "--out", str(blocker / "out")]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert "cannot write to" in err and "Traceback" not in err and "KeyError" not in err


def test_a_failed_write_keeps_the_journal_and_resume_writes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import oracle.session

    out = tmp_path / "run"

    def full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(oracle.session, "write_results", full)
    assert main(["run", str(DATA / "t-log-special.yaml"), "--columns", "jax", "--out", str(out), "--all"]) == EXIT_OUTPUT
    captured = capsys.readouterr()
    assert "t-log-special" in captured.out  # the table came first
    assert "No space left" in captured.err and str(out / "journal.jsonl") in captured.err
    monkeypatch.undo()
    monkeypatch.setenv("ORACLE_FAULTS", "t-log-special=kill")  # nothing may run again
    assert main(["run", str(DATA / "t-log-special.yaml"), "--columns", "jax", "--out", str(out), "--resume"]) == 0
    assert json.loads((out / "results.json").read_text())["cases"][0]["columns"]["jax"]["status"] == "ok"


def test_on_a_full_disk_the_message_promises_only_what_the_journal_took(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24 item 9: the journal and results.json both fail (a full disk); the message must not say a
    resume runs nothing again, and the resume indeed runs the cells again."""
    import oracle.journal
    import oracle.session

    out = tmp_path / "run"

    def full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    fsync = os.fsync

    def journal_full(fd: int) -> None:  # the disk fills once the run has started: every journal line fails
        if os.readlink(f"/proc/self/fd/{fd}").endswith("journal.jsonl"):
            full()
        fsync(fd)

    monkeypatch.setattr(oracle.session, "write_results", full)
    monkeypatch.setattr(oracle.journal.os, "fsync", journal_full)
    assert main(["run", str(DATA / "t-log-special.yaml"), "--columns", "jax", "--out", str(out), "--all"]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert "without running anything again" not in err
    assert "took only 0 of the 1 cells" in err and "runs the other 1 again" in err
    monkeypatch.undo()
    monkeypatch.setenv("ORACLE_FAULTS", "t-log-special=kill")  # the cell was not kept: the resume must run it
    assert main(["run", str(DATA / "t-log-special.yaml"), "--columns", "jax", "--out", str(out), "--resume"]) == 3
    assert json.loads((out / "results.json").read_text())["cases"][0]["columns"]["jax"]["status"] == "crash"


def test_a_second_run_into_the_same_out_is_refused_naming_the_first(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time\n"
                               f"f = open({str(out / '.lock')!r}, 'a+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
                               "f.write(str(os.getpid())); f.flush(); print('locked', flush=True); time.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert main(["run", str(DATA), "--columns", "jax", "--out", str(out)]) == EXIT_OUTPUT
        err = capsys.readouterr().err
        assert f"in use by another oracle run (pid {holder.pid})" in err and err.count("\n") == 1
    finally:
        holder.kill()
        holder.wait()


# --- item 7: interrupted and bad results files ----------------------------------------------------

def test_report_renders_missing_cells_as_not_run(tmp_path: Path) -> None:
    from oracle.report.write import write_reports

    results = _partial_results()
    assert results["missing"] == {"t-log-special": ["torch"], "t-mse-broadcast": ["reference", "jax", "torch"]}
    write_reports(cast(ResultsDocument, results), tmp_path)
    assert "not run" in (tmp_path / "report.md").read_text()
    assert "not run" in (tmp_path / "report.html").read_text()


def test_check_fails_on_an_incomplete_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(_partial_results()))
    assert main(["check", str(DATA), "--results", str(path), "--against", str(ROOT / "baselines")]) == 1
    assert "incomplete run (4 cells not run)" in capsys.readouterr().err


BAD = {"truncated": '{"results_version": 1, "cases": [', "foreign": "[1, 2, 3]", "not JSON": "\x00\x01",
       "version 99": '{"results_version": 99, "cases": []}',
       "missing field": '{"results_version": 1, "complete": true, "missing": {}, "environment": {}}',
       "bad case": '{"results_version": 1, "complete": true, "missing": {}, "environment": {}, "cases": [{}]}'}


@pytest.mark.parametrize("name", list(BAD))
@pytest.mark.parametrize("command", ["report", "check", "show"])
def test_bad_results_files_get_one_line(name: str, command: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.json"
    path.write_text(BAD[name])
    argv = {"report": ["report", "--results", str(path)],
            "check": ["check", str(DATA), "--results", str(path), "--against", str(ROOT / "baselines")],
            "show": ["show", "t-log-special", "--results", str(path)]}[command]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1 and str(path) in err, err
    if name == "version 99":
        assert "results_version 99 is not supported" in err


# --- item 13: exit codes ------------------------------------------------------------------------------

def _results_with(statuses: dict[str, str], available: bool = True) -> ResultsDocument:
    """Only what the exit code reads: each column's availability and status."""
    return cast(ResultsDocument, {"environment": {n: {"available": available} for n in statuses},
                                  "cases": [{"columns": {n: {"status": s} for n, s in statuses.items()}}]})


def test_exit_code_contract() -> None:
    assert run_exit_code(_results_with({"reference": "ok", "torch": "error"})) == EXIT_OK
    assert run_exit_code(_results_with({"reference": "ok", "torch": "unsupported"})) == EXIT_OK
    assert run_exit_code(_results_with({"reference": "ok", "torch": "crash"})) == EXIT_CELLS_FAILED
    assert run_exit_code(_results_with({"reference": "ok", "torch": "timeout"})) == EXIT_CELLS_FAILED
    exhausted = _results_with({"reference": "ok", "torch": "resource_exhausted"})
    assert run_exit_code(exhausted) == EXIT_CELLS_FAILED
    assert run_exit_code(_results_with({"torch": "unavailable"}, available=False)) == EXIT_NOTHING_RAN
    assert run_exit_code(_results_with({"torch": "crash", "jax": "crash"})) == EXIT_CELLS_FAILED
    unstarted = {"environment": {"torch": {"available": True}}, "cases": [{"columns": {"torch": {
        "status": "crash", "notes": {"reason": "worker did not start: no answer in time"}}}}]}
    assert run_exit_code(cast(ResultsDocument, unstarted)) == EXIT_NOTHING_RAN
    assert run_exit_code(cast(ResultsDocument, {"environment": {}, "cases": []})) == EXIT_NOTHING_RAN


def test_a_run_with_no_cases_exits_4(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code = main(["run", str(tmp_path / "empty"), "--columns", "jax", "--out", str(tmp_path / "out")])
    assert code == EXIT_NOTHING_RAN


def test_a_run_with_a_crashed_cell_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORACLE_FAULTS", "t-log-special=kill")
    cases = _copy_cases(tmp_path, ["t-log-special", "t-cross-entropy"])
    assert main(["run", str(cases), "--columns", "jax", "--out", str(tmp_path / "out")]) == EXIT_CELLS_FAILED


# --- item 11: data is never read as Rich markup ----------------------------------------------------

def test_brackets_in_data_are_printed_not_parsed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (DATA / "t-log-special.yaml").read_text()
    title = "log at [/] and [batch, features]"
    case = tmp_path / "cases" / "t-log-special.yaml"
    case.parent.mkdir()
    case.write_text("\n".join(f'title: "{title}"' if line.startswith("title:") else line
                              for line in text.splitlines()) + "\n")
    assert main(["validate", str(case.parent)]) == 0
    assert main(["list", str(case.parent)]) == 0
    assert "[/]" in capsys.readouterr().out
    results = build(load_cases([case]), {"t-log-special": {"reference": Outcome(
        "crash", "reference", notes={"reason": "worker said [batch, features] [/]"})}}, {"reference": ColumnEnv(
            "reference", "cpu")})
    (tmp_path / "results.json").write_text(json.dumps(results))
    assert main(["show", "t-log-special", "--results", str(tmp_path / "results.json")]) == 0
    out = capsys.readouterr().out
    assert "[batch, features]" in out and title.split(" and")[0] in out
    bad = tmp_path / "bad" / "t-log-special.yaml"
    bad.parent.mkdir()
    bad.write_text(text + '"[batch, features]": 1\n')
    assert main(["validate", str(bad.parent)]) == EXIT_USAGE  # validate reports every bad file, then exits 2
    assert "unknown field '[batch, features]'" in capsys.readouterr().err


def test_duplicate_column_names_cannot_hang_the_runner(tmp_path: Path) -> None:
    from oracle.runner import Column, run_all

    envs = run_all([Column("jax", "jax"), Column("jax", "jax")], [], lambda *_: None, tmp_path)
    assert list(envs) == ["jax"]  # both threads ended; the old runner waited for a second name forever


# --- item 8: out of memory is resource_exhausted, never a semantic difference -----------------------

HUGE = """\
id: {id}
title: "an outer sum of {what}"
inputs:
  a: {{shape: [{n}, 1], init: {{fill: 1.0}}}}
  b: {{shape: [1, {n}], init: {{fill: 2.0}}}}
steps:
  - y = add(a, b)
"""


def test_out_of_memory_is_resource_exhausted_in_every_column(tmp_path: Path) -> None:
    from oracle.results import execute

    path = tmp_path / "huge-outer.yaml"
    path.write_text(HUGE.format(id="huge-outer", what="4 TB", n=1000000))
    results = execute(load_cases([path]), parse_columns("reference,jax,torch,tensorflow", "cpu"), tmp_path / "logs")
    case = results["cases"][0]
    for name, cell in case["columns"].items():
        if cell["status"] != "unavailable":
            assert cell["status"] == "resource_exhausted", (name, cell)
    assert {v["kind"] for v in case["verdicts"]} == {"incomparable"}
    assert run_exit_code(results) == EXIT_CELLS_FAILED


def test_the_worker_memory_cap_stops_a_3_gb_outer_product(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oracle.results import execute

    monkeypatch.setenv("ORACLE_WORKER_MEMORY", str(1 << 30))
    path = tmp_path / "big-outer.yaml"
    path.write_text(HUGE.format(id="big-outer", what="3.6 GB", n=30000))
    results = execute(load_cases([path]), parse_columns("jax,torch", "cpu"), tmp_path / "logs")
    cells = results["cases"][0]["columns"]
    assert results["environment"]["torch"]["available"] and results["environment"]["jax"]["available"]
    assert {n: c["status"] for n, c in cells.items()} == {"jax": "resource_exhausted", "torch": "resource_exhausted"}


# --- item 12: diff-versions says why a column could not start and exits non-zero -------------------

def test_diff_versions_names_the_missing_module_and_exits_non_zero(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    shadow = tmp_path / "shadow" / "numpy"  # workers import no case schema (pydantic), but every one needs numpy
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'numpy'\", name='numpy')\n")
    other = tmp_path / "python"  # this interpreter, but its workers cannot import numpy
    other.write_text(f'#!/bin/sh\nif [ "$2" = "oracle.worker" ]; then export PYTHONPATH={shadow.parent}:$PYTHONPATH; '
                     f'fi\nexec {sys.executable} "$@"\n')
    other.chmod(0o755)
    code = main(["diff-versions", "--python", str(other), str(DATA / "t-log-special.yaml"),
                 "--out", str(tmp_path / "v")])
    assert code == EXIT_NOTHING_RAN
    err = capsys.readouterr().err
    assert "could not run: worker did not start: worker exited with code 1; " \
           f"numpy is not installed in {other}" in err


def test_a_journal_that_cannot_be_written_does_not_stop_the_run(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl", fresh=True)
    journal._handle.close()
    journal._handle = open("/dev/full", "w")  # every write: ENOSPC
    journal.cell("a", "jax", "f", {"status": "ok"})
    journal.cell("b", "jax", "f", {"status": "ok"})
    journal.close()
    assert "No space left on device" in journal.failed


def test_main_called_from_python_leaves_the_callers_sigterm_handler_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: `main(argv)` inside pytest is a call, not the program: the SIGTERM handler in effect while
    the command runs is the caller's (pytest's), not one main installed."""
    import oracle.cli

    seen: list[Any] = []

    def command(args: Any) -> int:
        seen.append(signal.getsignal(signal.SIGTERM))
        return EXIT_OK

    def callers_handler(signum: int, frame: Any) -> None:
        raise AssertionError("not expected to be called")

    monkeypatch.setattr(oracle.cli, "cmd_list", command)
    previous = signal.signal(signal.SIGTERM, callers_handler)
    try:
        assert main(["list", str(DATA)]) == EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [callers_handler]
