"""Reports, the claims ledger, plots and `oracle explain`.

Judgments are checked against what the frameworks do when called here (torch before
TensorFlow), not against the oracle's own output; rendering is checked for what a reader
relies on: every case and claim present, figures written and linked, nothing fetched.
"""

from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from oracle.cases import CaseError, load_case, load_id
from oracle.cli import main
from oracle.explain import ExplainError, build_case, load_built, parse_input
from oracle.model import CaseRecord, ResultsDocument
from oracle.plan import plan
from oracle.report import plots
from oracle.report.claims import judge_case
from oracle.report.write import write_reports

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def written(rendered: Path) -> Path:
    return rendered


def test_write_reports_is_a_library_call_and_idempotent(pipeline: dict[str, Any], tmp_path: Path) -> None:
    results = {k: v for k, v in pipeline.items() if not k.startswith("_")}
    small = {**results, "cases": results["cases"][:3]}
    assert write_reports(cast(ResultsDocument, small), tmp_path)
    first = {p.name: p.read_bytes() for p in tmp_path.glob("report.*")}
    assert set(first) == {"report.md", "report.html"}
    write_reports(cast(ResultsDocument, small), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("report.*")} == first


def test_both_reports_cover_every_case_and_claim(pipeline: dict[str, Any], written: Path) -> None:
    md = (written / "report.md").read_text()
    html = (written / "report.html").read_text()
    for case in pipeline["cases"]:
        assert f"### {case['id']}" in md
        assert f'id="{case["id"]}"' in html and f'href="#{case["id"]}"' in html
        if case["source"]:
            assert _md_escaped(case["source"]["claim"]) in md
    cells = re.findall(r'<td class="cell[^"]*"', html)
    assert len(cells) == len(pipeline["cases"]) * 3  # every case x framework column is a coloured cell


def test_variants_are_grouped_under_their_case(pipeline: dict[str, Any], written: Path) -> None:
    """A case file's variants: one header row in the matrix with its variants' rows right below it, one
    section for the case (title and description once) with a sub-section per variant, in file order."""
    md = (written / "report.md").read_text()
    html = (written / "report.html").read_text()
    base = "mse-target-shape-sweep"
    ids = [c["id"] for c in pipeline["cases"] if c.get("case") == base]
    assert len(ids) == 5
    rows = md.split("\n## Matrix", 1)[1].split("\n## Op coverage", 1)[0].splitlines()
    header = next(i for i, line in enumerate(rows) if line.startswith(f"| **[{base}](#{base})**, 5 variants"))
    assert [r.split("]]")[0].split("[[")[1] for r in rows[header + 1:header + 6]] == [i.split("[")[1][:-1] for i in ids]
    cases = md.split("\n## Cases", 1)[1]
    section = cases.split(f"\n### {base}\n", 1)[1].split("\n### ", 1)[0]
    assert [line[5:] for line in section.splitlines() if line.startswith("#### ")] == ids
    title = pipeline["_by_id"][ids[0]]["title"].removesuffix(" [same-64x1]")
    assert cases.count(title) == 1  # said once for the five variants
    card = html.split(f'<section class="card" id="{base}">', 1)[1].split('<section class="card"', 1)[0]
    assert [f'<section class="variant" id="{i}">' in card for i in ids] == [True] * 5
    assert card.index(ids[0]) < card.index(ids[-1])
    assert f'<tr class="group"><td class="case" colspan="5"><a href="#{base}">{base}</a>' in html


def test_html_is_self_contained(written: Path) -> None:
    html = (written / "report.html").read_text()
    assert "<script" not in html and "<link" not in html
    # nothing is fetched: no remote src or stylesheet; a cited source is a plain link (<a href>) for the reader
    assert not re.search(r'src="(https?:)?//', html)
    assert not re.search(r'<(?!a\s)[^>]*\bhref="(https?:)?//', html)
    assert html.count('src="data:image/png;base64,') >= 1


def test_figures_are_saved_beside_the_markdown_and_linked(written: Path) -> None:
    md = (written / "report.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert "plots/verdict-families.png" in links  # the per-case matrix is drawn only while readable (80 cases)
    for link in links:
        assert (written / link).read_bytes().startswith(PNG), link
    # bce with probabilities 0 and 1: torch clamps log at -100, so its per-element loss cannot be the
    # reference's inf there; that NaN/Inf difference is what the difference plot exists for
    assert "plots/bce-probabilities-exactly-zero-and-one-differences.png" in links


def _native_mse(pred: np.ndarray, target: np.ndarray) -> tuple[Exception | None, float | None]:
    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's broadcast warning is not what this checks
            return None, float(torch.nn.MSELoss()(torch.tensor(pred), torch.tensor(target)))
    except Exception as exc:
        return exc, None


def test_ledger_judges_torch_as_torch_behaves(pipeline: dict[str, Any]) -> None:
    """Claims about nn.MSELoss are judged by calling torch here."""
    # claim: a [1] target is broadcast over the [64, 1] output without an error
    case = pipeline["_by_id"]["mse-64x1-output-target-shape[size-1]"]
    x = plan(load_id(case["file"], case["id"])).inputs
    raised, value = _native_mse(x["model_output"], x["target"])
    broadcast = np.mean((x["model_output"].astype(np.float64) - x["target"]) ** 2)
    expected = "refuted" if raised or value is None else ("holds" if np.isclose(value, broadcast, rtol=1e-5) else "partly")
    judged = next(j for j in judge_case(case, pipeline["_by_id"]) if j.column == "torch")
    assert judged.verdict == expected

    # claim: [32, 1] outputs against a [32] target make MSELoss raise ValueError
    case = pipeline["_by_id"]["regressor-column-output-vs-flat-target"]
    x = plan(load_case(case["file"])).inputs
    raised, _ = _native_mse(x["X"] @ x["W"] + x["b"], x["y"])
    expected = "refuted" if raised is None else ("holds" if isinstance(raised, ValueError) else "partly")
    judged = next(j for j in judge_case(case, pipeline["_by_id"]) if j.column == "torch")
    assert judged.verdict == expected, judged


def _record(**columns: dict[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {"status": "ok", "error": None, "warnings": [], "outputs": {}, "notes": {}, "native_api": []}
    return {"id": "c", "source": {"doc": "d", "example": 1, "claim": "x",
                                  "expect": {"status": "error", "error": "ValueError"}},
            "semantics": {}, "columns": {name: {**base, **o} for name, o in columns.items()}}


def test_judgment_rules() -> None:
    error = {"status": "error", "error": {"type": "E", "base": "ValueError", "message": "m", "where": ""}}
    runtime = {"status": "error", "error": {"type": "E", "base": "RuntimeError", "message": "m", "where": ""}}
    case = _record(reference={}, a=error, b=runtime, c={}, d={"status": "crash", "notes": {"reason": "died"}})
    verdicts = {j.column: j.verdict for j in judge_case(cast(CaseRecord, case), {})}
    assert verdicts == {"a": "holds", "b": "partly", "c": "refuted", "d": "n/a"}

    scalar = {"shape": [2], "dtype": "float32", "values": [0.5, 0.5], "nan": False, "inf": False}
    other = copy.deepcopy(_record(a={"outputs": {"y": scalar}}))
    other["id"] = "other"
    mine = _record(a={"outputs": {"z": {**scalar, "values": [0.5, 0.75]}}})
    mine["source"]["expect"] = {"values": {"z": [0.5, 0.5]},
                                "compare": {"output": "z", "case": "other", "case_output": "y", "equal": False}}
    judged = judge_case(cast(CaseRecord, mine), {"other": cast(CaseRecord, other)})[0]
    assert judged.verdict == "partly" and judged.failed == ["expected z = [0.5, 0.5], got [0.5, 0.75]"]


def test_expect_is_validated_with_file_line_field(tmp_path: Path) -> None:
    text = (ROOT / "cases/gradients/tape-gradient-reduce-sum-vector.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("values: {grad.x:", "values: {grad.q:"))
    with pytest.raises(CaseError) as info:
        load_case(bad)
    assert info.value.field == "source.expect.values.grad.q" and "grad.x" in info.value.message
    bad.write_text(text.replace("expect: {status: ok,", "expect: {status: ok, semantics: broadcasting,"))
    with pytest.raises(CaseError, match="unknown semantics 'broadcasting'"):
        load_case(bad)


def test_trajectories_are_drawn_only_when_present() -> None:
    case = _record(a={}, b={})
    assert plots.trajectories(cast(CaseRecord, case)) is None
    case["columns"]["a"]["trajectories"] = {"loss": [1.0, 0.5, 0.25]}
    case["columns"]["b"]["outputs"]["loss_trajectory"] = {"shape": [3], "dtype": "float32",
                                                          "values": [1.0, 0.6, 0.3], "nan": False, "inf": False}
    assert set(plots.find_trajectories(cast(CaseRecord, case))) == {"a", "b"}
    assert (plots.trajectories(cast(CaseRecord, case)) or b"").startswith(PNG)


def test_explain_builds_a_case_file_that_loads(tmp_path: Path) -> None:
    assert parse_input("labels=64:int64") == ("labels", [64], "int64")
    assert parse_input("x=") == ("x", [], "float32")
    with pytest.raises(ExplainError, match="NAME=SHAPE"):
        parse_input("pred:64")
    with pytest.raises(ExplainError, match="takes 2 inputs"):
        build_case("mse_loss", ["pred=4"], [])
    case = build_case("cross_entropy", ["logits=8,3", "labels=8:int64"], ["reduction=sum"], grad=True)
    saved = load_built(case, tmp_path / "ce-explained.yaml")
    loaded = load_case(tmp_path / "ce-explained.yaml")
    assert loaded.id == saved.id == "ce-explained"
    labels = plan(loaded).inputs["labels"]
    assert labels.dtype == np.int64 and labels.min() >= 0 and labels.max() < 3  # class indices below 3
    assert loaded.case.grad is not None and loaded.case.grad.wrt == ["logits"]
    with pytest.raises(ExplainError, match="no attribute .reduce."):
        load_built(build_case("mse_loss", ["p=4", "t=4"], ["reduce=sum"]), tmp_path / "never.yaml")
    assert not (tmp_path / "never.yaml").exists()  # an invalid scenario is not saved


def test_explain_command_runs_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "explained.yaml"
    assert main(["explain", "mse_loss", "--input", "pred=4,1", "--input", "target=4", "--columns",
                 "reference,torch", "--save", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "reference vs torch" in printed and "In one line" in printed
    assert load_case(out).case.steps == ["loss = mse_loss(pred, target)"]


def test_the_terminal_summary_fits_100_columns_and_lists_only_divergences(pipeline: dict[str, Any]) -> None:
    import io

    from rich.console import Console

    from oracle.report.summary import diverges, family_of, framework_columns
    from oracle.report.terminal import ABBREVIATION, MEANING, break_id, print_summary

    # below the row-merging threshold (oracle/report/terminal.py), so every diverging case has its own row
    cols = framework_columns(cast(ResultsDocument, pipeline))
    subset = {**pipeline, "cases": [c for c in pipeline["cases"] if diverges(c, cols)][:15]
              + [c for c in pipeline["cases"] if not diverges(c, cols)][:15]}

    def shown(show_all: bool) -> str:
        buffer = io.StringIO()
        print_summary(Console(file=buffer, width=100, color_system=None), cast(ResultsDocument, subset), show_all)
        return buffer.getvalue()

    text = shown(False)
    assert max(len(line) for line in text.splitlines()) <= 100
    columns = framework_columns(cast(ResultsDocument, subset))
    table = text.split("diverges from the reference, by family", 1)[1].split("cases where every column agrees")[0]
    rows = [line.split()[0] for line in table.splitlines()[:-1]  # the case column comes first; ids hold no spaces
            if line.strip() and not line.startswith((" ─", "  case")) and not line.startswith(" " * 12)]
    listed = {break_id(c["id"]).splitlines()[0] for c in subset["cases"] if diverges(c, columns)}
    assert listed and listed <= set(rows)  # each diverging case shows (the first line of its id) ...
    parts = {part for c in subset["cases"] if diverges(c, columns) for part in break_id(c["id"]).splitlines()}
    assert set(rows) - parts <= {f"{family_of(c)}/" for c in subset["cases"]}  # ... and families only
    assert any(not diverges(c, columns) for c in subset["cases"]) and "agrees (or is not comparable)" in text
    for kind in {str(v["kind"]) for c in subset["cases"] for v in c["verdicts"] if "reference" in v["columns"]}:
        assert f"{ABBREVIATION[kind]} " in text and MEANING[kind] in text  # the legend names each abbreviation
    assert "+w: it also" in " ".join(text.split())  # the legend also names the status suffix
    assert ABBREVIATION["silent_divergence"] == "raise/ok"  # not "silent": a cell can be "ok+w" (computed, warned)
    assert len(shown(True).splitlines()) > len(text.splitlines())


def test_ids_break_after_a_hyphen_never_mid_word() -> None:
    from oracle.report.terminal import break_id

    assert break_id("regressor-custom-loss-unreduced-backward", 30) == "regressor-custom-loss-\nunreduced-backward"
    assert break_id("short-id", 30) == "short-id"
    assert break_id("a" * 35, 30) == "a" * 30 + "\n" + "a" * 5  # one part longer than a line: folded


def test_a_run_in_ci_prints_progress_lines_and_names_the_report_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    from oracle.report import terminal

    case = ROOT / "cases" / "elementwise" / "log-sqrt-zero-and-negative-grad.yaml"
    run = subprocess.run([sys.executable, "-m", "oracle.cli", "run", str(case), "--columns", "reference,jax",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "progress: 2/2 cells (100%)" in run.stderr  # not a TTY: plain lines, the last one at the end
    assert f"oracle report --results {tmp_path / 'results.json'}" in run.stdout
    assert f"open {tmp_path / 'report.html'}" in run.stdout
    assert terminal.PROGRESS_CELLS > 0 and terminal.PROGRESS_S > 0


def test_explain_save_refuses_to_overwrite_and_errors_name_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "mine.yaml"
    existing.write_text("kept\n")
    assert main(["explain", "mse_loss", "--input", "p=4", "--input", "t=4", "--columns", "reference",
                 "--save", str(existing)]) == 2
    assert f"--save {existing}: the file exists; add --force" in capsys.readouterr().err
    assert existing.read_text() == "kept\n"
    saved = load_built(build_case("mse_loss", ["p=4", "t=4"], []), existing, force=True)
    assert saved.id == "mine" and load_case(existing).case.steps == ["loss = mse_loss(p, t)"]

    with pytest.raises(ExplainError) as info:
        load_built(build_case("mse_loss", ["p=4,99999,9999", "t=4"], []))
    assert str(info.value).startswith("--input p=4,99999,9999:float32: shape:") and "oracle-explain-" not in str(info.value)
    with pytest.raises(ExplainError, match=r"^the op and its --attr values \(loss = mse_loss\(p, t, reduce=sum\)\)"):
        load_built(build_case("mse_loss", ["p=4", "t=4"], ["reduce=sum"]))


def test_show_with_an_unknown_id_suggests_the_nearest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "mse-colum-vs-flat-target", "--results", str(tmp_path / "none.json"),
                 "--paths", str(ROOT / "cases" / "losses")]) == 2
    assert "did you mean 'mse-column-vs-flat-target'" in capsys.readouterr().err


def test_report_md_escapes_html_in_case_text(pipeline: dict[str, Any]) -> None:
    from oracle.report.markdown import render_markdown

    results = copy.deepcopy({k: v for k, v in pipeline.items() if not k.startswith("_")})
    record = results["cases"][0]
    record["title"], record["description"] = "a <script>alert(1)</script> title", "uses <b>bold</b> & more"
    md = render_markdown(cast(ResultsDocument, results))
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt; title" in md
    assert "uses &lt;b&gt;bold&lt;/b&gt; &amp; more" in md


def _verdicts(case_id: str, family: str, steps: list[str], kinds: dict[str, str]) -> dict[str, Any]:
    """A results record with only what the summary and coverage read: file, steps, verdicts."""
    return {"id": case_id, "file": f"cases/{family}/{case_id}.yaml", "steps": steps,
            "verdicts": [{"columns": ["reference", c], "kind": k, "explanation": ""} for c, k in kinds.items()]}


def test_summary_per_family_and_coverage_per_op_count_cells_by_verdict() -> None:
    from oracle.ops import OPS
    from oracle.report.coverage import OpInfo, coverage, op_catalogue
    from oracle.report.summary import by_family

    results = {"environment": {"reference": {}, "jax": {}, "torch": {}}, "cases": [
        _verdicts("a", "losses", ["d = subtract(p, t)", "loss = mse_loss(p, t)"], {"jax": "agree", "torch": "agree"}),
        _verdicts("b", "losses", ["loss = mse_loss(p, t, reduction=sum)"], {"jax": "agree", "torch": "value_mismatch"}),
        _verdicts("c", "elementwise", ["y = add(x, x)", "z = add(y, x)"], {"jax": "incomparable", "torch": "agree"}),
    ]}
    families = {f.family: f for f in by_family(cast(ResultsDocument, results))}
    assert (families["losses"].cases, families["losses"].diverging) == (2, 1)
    assert families["losses"].kinds == {"agree": 3, "value_mismatch": 1}
    assert families["elementwise"].diverging == 0  # not comparable is not a divergence
    assert [op.name for op in op_catalogue()] == list(OPS) and all(op.family for op in op_catalogue())
    rows = {row.op.name: row for row in coverage(cast(ResultsDocument, results))}
    assert rows["mse_loss"].cases == ["a", "b"] and rows["mse_loss"].kinds == {"agree": 3, "value_mismatch": 1}
    assert rows["mse_loss"].by_column == {"jax": {"agree": 2}, "torch": {"agree": 1, "value_mismatch": 1}}
    assert rows["add"].cases == ["c"]  # an op used twice in a case counts the case once
    assert rows["conv2d"].cases == []  # uncovered ops are listed too
    custom = coverage(cast(ResultsDocument, results), [OpInfo("add", "arithmetic", {"torch": "x + y"})])
    assert custom[0].op.bindings == {"torch": "x + y"} and {r.op.name for r in custom} == {"add", "subtract",
                                                                                           "mse_loss"}


def test_cells_without_a_verdict_say_why() -> None:
    """No verdict: the cell did not run (an interrupted run), or no reference judges it (diff-versions)."""
    from oracle.report.summary import by_family

    versions = {"environment": {"jax@1": {}, "jax@2": {}}, "cases": [
        {"id": "a", "file": "cases/losses/a.yaml", "steps": [], "verdicts": [], "columns": {"jax@1": {}, "jax@2": {}}},
        {"id": "b", "file": "cases/losses/b.yaml", "steps": [], "verdicts": [], "columns": {"jax@1": {}}}]}
    assert by_family(cast(ResultsDocument, versions))[0].kinds == {"no reference": 3, "not run": 1}


def test_each_explanation_is_said_once() -> None:
    from oracle.report.view import CaseView

    torch = "torch raised RuntimeError: bad target"
    view = CaseView(cast(CaseRecord, {}), [], [], [
        {"columns": ["jax", "torch"], "kind": "error_kind_mismatch", "explanation": f"jax raised ValueError: v; {torch}"},
        {"columns": ["reference", "torch"], "kind": "error_kind_mismatch",
         "explanation": f"reference raised ValueError: r; {torch}"},
        {"columns": ["reference", "jax"], "kind": "error_kind_mismatch",
         "explanation": "reference raised ValueError: r; jax raised ValueError: v"},
    ], [], {})
    shown = view.explanations
    assert [d["pairs"] for d in shown] == ["reference vs torch", "reference vs jax", "jax vs torch"]
    assert shown[0]["explanation"] == f"reference raised ValueError: r; {torch}"
    assert shown[1]["explanation"] == "jax raised ValueError: v" and shown[2]["explanation"] == ""
    assert sum(d["explanation"].count(torch) for d in shown) == 1


def test_the_per_case_heatmap_is_drawn_only_while_readable(pipeline: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from oracle.report import view as view_module
    from oracle.report.html import render_html

    results = {k: v for k, v in pipeline.items() if not k.startswith("_")}
    small = {**results, "cases": [c for c in results["cases"] if c["id"].startswith("tape-gradient")]}
    figures = view_module.build_view(cast(ResultsDocument, small)).figures
    assert {f.name for f in figures} == {"verdict-families", "verdict-matrix"}
    monkeypatch.setattr(view_module, "HEATMAP_MAX_CASES", len(small["cases"]) - 1)
    view = view_module.build_view(cast(ResultsDocument, small))
    assert [f.name for f in view.figures] == ["verdict-families"]
    html = render_html(cast(ResultsDocument, small), view)
    assert html.index('id="summary"') < html.index('id="environment"') < html.index('id="matrix"')
    assert 'id="family-gradients"' in html and 'id="coverage"' in html
    assert "The per-case heatmap is drawn up to" in html


def test_within_tolerance_no_relative_difference_is_shown() -> None:
    from oracle.report.view import OutputRow

    assert OutputRow("y", "", 3e-9, 0.5, within_tolerance=True).difference == "3e-09 (within tolerance)"
    assert OutputRow("y", "", 0.0, 0.0, within_tolerance=True).difference == ""
    assert OutputRow("y", "", 0.2, 0.5).difference == "0.2 / 0.5"


def test_difference_plots_mark_nan_inf_apart_and_trajectories_show_the_gap_to_the_reference() -> None:
    def tensor(values: list[Any]) -> dict[str, Any]:
        return {"shape": [len(values)], "dtype": "float32", "values": values, "nan": "nan" in values,
                "inf": "inf" in values}

    case = _record(reference={"outputs": {"y": tensor([1.0, 2.0, 3.0]), "z": tensor([1.0])}},
                   torch={"outputs": {"y": tensor([1.0, "nan", 3.5]), "z": tensor(["inf"])}})
    # z: NaN/Inf only, a strip alone
    assert (plots.element_differences(cast(CaseRecord, case), ["torch"]) or b"").startswith(PNG)
    same = _record(reference={"outputs": {"y": tensor([1.0])}}, torch={"outputs": {"y": tensor([1.0])}})
    assert plots.element_differences(cast(CaseRecord, same), ["torch"]) is None  # nothing differs: no plot
    steps = _record(reference={"outputs": {"loss_trajectory": tensor([1.0, 0.5])}},
                    torch={"outputs": {"loss_trajectory": tensor([1.0, 0.5000001])}})
    assert (plots.trajectories(cast(CaseRecord, steps)) or b"").startswith(PNG)


def _md_escaped(text: str) -> str:
    """Case text as report.md writes it: HTML escaped, pipes escaped (oracle/report/markdown.py)."""
    import html

    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def test_the_report_shows_the_snippets_the_results_carry(pipeline: dict[str, Any]) -> None:
    """The snippets come from the document, not from the case file or the registry: a carried text is shown as
    it is, with the case file gone; a document that carries none (older than the field) shows none."""
    from oracle.report.markdown import render_markdown

    record = next(c for c in pipeline["cases"] if c.get("snippets"))
    carried = {**record, "file": "/nonexistent/case.yaml", "snippets": {"torch": "print('carried as it is')\n"}}
    text = render_markdown(cast(ResultsDocument, {**pipeline, "cases": [carried]}))
    assert "Reproduce natively (torch)" in text and "print('carried as it is')" in text
    bare = {k: v for k, v in record.items() if k != "snippets"}
    assert "Reproduce natively" not in render_markdown(cast(ResultsDocument, {**pipeline, "cases": [bare]}))
