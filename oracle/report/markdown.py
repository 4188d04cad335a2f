"""report.md: summary per family, environment, the matrix per family, op coverage, the claims ledger, each case.

Laid out from oracle.report.view, as the HTML is; renders on code-hosting sites (pipes in
table cells escaped, figures linked as plots/<name>.png beside the file).
"""

from __future__ import annotations

import html
from typing import Any

from jinja2 import Environment as Templates

from oracle.judgement import against_reference, summarize
from oracle.model import CaseRecord, ColumnOutcome, Environment, ResultsDocument
from oracle.ops import FRAMEWORKS
from oracle.outcome import Tensor
from oracle.report.plots import KIND_LABELS
from oracle.report.view import ReportView, build_view
from oracle.safeio import printable

__all__ = ["render_markdown", "summarize", "against_reference"]

MARK = {"holds": "holds", "partly": "partly", "refuted": "**refuted**", "n/a": "n/a"}

TEMPLATE = """\
# Cross-framework semantics report

{{ v.cases|length }} cases x {{ env|length }} columns. Every cell is what the framework did when
called through its own public API; the reference is JAX in float64 with strict, stated semantics.
Platform: `{{ v.results.platform }}`.

## Summary

Cells (case x framework column) per verdict against the reference, by family (the folder of the
case file). A case diverges when some column's verdict is neither agreement nor "not comparable".

| family | cases | diverging |{% for k in v.kinds %} {{ labels.get(k, k) }} |{% endfor %}
|---|---|---|{% for k in v.kinds %}---|{% endfor %}
{% for f in v.families -%}
| {{ f.family }} | {{ f.cases }} | {{ f.diverging }} |{% for k in v.kinds %} {{ f.kinds[k] or "" }} |{% endfor %}
{% endfor -%}
| **all** | {{ v.cases|length }} | {{ v.families | sum(attribute="diverging") }} |{% for k in v.kinds %} {{ v.families | map(attribute="kinds") | map(attribute=k) | sum }} |{% endfor %}
{% for f in v.figures if f.name == "verdict-families" %}
![{{ f.title }}]({{ figures_dir }}/{{ f.name }}.png)
{% endfor %}
## Provenance
{% set p = v.results.get("provenance") %}
{% if p -%}
- date (UTC): {{ p.date }}
- tool: {{ p.tool }} {{ p.tool_version }}
- git commit of the cases: `{{ p.cases_commit or "not in a git checkout" }}`
- platform: `{{ p.platform }}` ({{ p.machine }}), Python {{ p.python }}
{% for name, c in p.columns.items() -%}
- column {{ name }}: {{ c.device }}; {{ c.packages.items() | map("join", " ") | join(", ") or "-" }}{% if c.settings %}; settings: {{ esc(c.settings.items() | map("join", "=") | join(", ")) }}{% endif %}
{% endfor %}
{%- else -%}
These results predate the provenance record (no date, commit or package versions).
{% endif %}
## Environment

| column | framework | version | device | python | settings |
|---|---|---|---|---|---|
{% for name, e in env.items() -%}
| {{ name }} | {{ e.framework }} | {{ e.version or "-" }} | {{ e.device }} | {{ e.python or "-" }} | {{ settings(e) }} |
{% endfor %}
## Matrix

Each cell: the column's status (`ok`, or the builtin base of the exception it raised; `+w`:
it warned), then its verdict against the reference. Per family, the cases that diverge; the others
are folded below them.
{% for f in v.figures if f.name != "verdict-families" %}
![{{ f.title }}]({{ figures_dir }}/{{ f.name }}.png)
{% endfor %}
{% for fam in v.matrix %}
### Family `{{ fam.name }}`: {{ fam.case_count }} cases, {{ fam.diverging_count }} diverging
{% for groups in [fam.diverging, fam.agreeing] if groups %}
{% if groups is sameas fam.agreeing %}<details><summary>{{ groups | map(attribute="members") | map("length") | sum }} cases where every column agrees or is not comparable</summary>

{% endif -%}
| case | reference |{% for c in v.columns %} {{ c }} |{% endfor %}
|---|---|{% for c in v.columns %}---|{% endfor %}
{% for g in groups -%}
{% if g.has_variants -%}
| **[{{ g.id }}](#{{ g.id }})**, {{ g.members|length }} variants: | |{% for c in v.columns %} |{% endfor %}
{% endif -%}
{% for case in g.members -%}
| {% if g.has_variants %}&emsp;[[{{ case.record.variant }}]](#{{ case.id }}){% else %}[{{ case.id }}](#{{ case.id }}){% endif %} | {{ case.columns[0].status if case.columns and case.columns[0].name == "reference" else "-" }} |{% for c in v.columns %} {{ cell(case, c) }} |{% endfor %}
{% endfor -%}
{% endfor %}
{%- if groups is sameas fam.agreeing %}
</details>
{% endif %}
{% endfor %}
{% endfor %}
## Op coverage

Each op of the vocabulary: its family, the cases whose steps call it, per framework column those cases'
verdicts against the reference, then its binding per framework.

| op | family | cases |{% for c in v.columns %} {{ c }} |{% endfor %}{% for fw in frameworks %} {{ fw }} binding |{% endfor %}
|---|---|---|{% for c in v.columns %}---|{% endfor %}{% for fw in frameworks %}---|{% endfor %}
{% for row in v.coverage -%}
| `{{ row.op.name }}` | {{ row.op.family }} | {{ row.cases|length }} |{% for c in v.columns %} {{ row_kinds(row.by_column.get(c, {})) }} |{% endfor %}{% for fw in frameworks %} {{ esc(row.op.bindings.get(fw, "-")) }} |{% endfor %}
{% endfor %}
## Claims ledger

What each seed document claimed, and whether it holds for each framework today. The claim's
checkable part is its `expect` block in the case file; *partly*: some of it holds.

| case |{% for c in v.columns %} {{ c }} |{% endfor %} document, example | claim |
|---|{% for c in v.columns %}---|{% endfor %}---|---|
{% for case in v.ledger -%}
| [{{ case.id }}](#{{ case.id }}) |{% for c in v.columns %} {{ judged(case, c) }} |{% endfor %} {{ source(case.record.source) }}, {{ case.record.source.example }} | {{ esc(case.record.source.claim) }} |
{% endfor %}
## Cases
{% macro body(case) %}{% set r = case.record %}
{% if r.source -%}
Source: {{ source(r.source) }}, example {{ r.source.example }}. Claim: *{{ esc(r.source.claim) }}*
{% for j in case.judgments %}
- {{ j.column }}: {{ mark[j.verdict] }}. {{ esc(j.fact) }}{% if j.failed %} ({{ esc(j.failed | join("; ")) }}){% endif %}
{%- endfor %}

{% endif -%}
| input | shape | dtype | generated |
|---|---|---|---|
{% for i in case.inputs -%}
| `{{ i.name }}` | {{ i.shape }} | {{ i.dtype }} | {{ esc(i.how) }} |
{% endfor %}
```
{% for s in r.steps %}{{ s }}
{% endfor %}{% if r.grad %}grad of {{ r.grad.of }} wrt {{ r.grad.wrt | join(", ") }} ({{ r.grad.idiom }} idiom)
{% endif %}```

| column | status | error / warnings | native API |
|---|---|---|---|
{% for c in case.columns -%}
| {{ c.name }} | {{ c.status }}{% if c.kind %}: {{ c.kind.replace("_", " ") }}{% endif %} | {{ problems(c) }} | {{ esc(c.native_api | join("; ")) or "-" }} |
{% endfor %}
{%- if case.output_names %}
| output |{% for c in case.columns %} {{ c.name }} |{% endfor %}
|---|{% for c in case.columns %}---|{% endfor %}
{% for name in case.output_names -%}
| `{{ name }}` |{% for c in case.columns %} {{ output(case, c, name) }} |{% endfor %}
{% endfor %}
Below each output, Δ: its largest absolute / relative difference to the reference over elements finite on both
sides (same shape only), the absolute one alone where the output is within tolerance; "NaN/Inf differ": some
element is NaN or infinite on one side only.
{% endif %}
{% set steps = trajectory(r) -%}
{% if steps -%}
Loss per training step (before that step's update); hyperparameters as each optimizer reports them:

| step |{% for name in steps.columns %} {{ name }} |{% endfor %}
|---|{% for name in steps.columns %}---|{% endfor %}
{% for row in steps.rows -%}
| {{ loop.index }} |{% for v in row %} {{ v }} |{% endfor %}
{% endfor %}| hyperparameters |{% for name in steps.columns %} {{ esc(hyper(r.columns[name])) }} |{% endfor %}

{% endif -%}
{% if r.contrast and r.contrast.columns -%}
Beside [{{ r.contrast.case }}](#{{ r.contrast.case }}), column by column (last loss here vs there; largest parameter difference):

{% for name, d in r.contrast.columns.items() -%}
- {{ name }}: {% if d.loss_last %}last loss {{ "%.6g" % d.loss_last[0] }} vs {{ "%.6g" % d.loss_last[1] }}{% endif %}{% for k, v in d.items() if k != "loss_last" %}; {{ k.removesuffix("_max_abs_diff") }} differs by up to {{ "%.3g" % v }}{% endfor %}
{% endfor %}
{% endif -%}
**In one line:** {{ esc(r.summary) }}

{% for d in case.explanations -%}
- {{ d.pairs }}: **{{ d.kind }}**{% if d.explanation %}: {{ esc(d.explanation) }}{% else %} (each side's behaviour is told above){% endif %}
{% endfor %}
{%- for f in case.figures %}
![{{ f.title }}]({{ figures_dir }}/{{ f.name }}.png)
{% endfor %}
{%- if case.snippets %}
<details><summary>Reproduce natively ({{ case.snippets | join(", ") }})</summary>
{% for fw, code in case.snippets.items() %}
{{ fw }}:

```python
{{ code }}```
{% endfor %}
</details>
{% endif %}
{% endmacro -%}
{% for g in v.groups %}
### {{ g.id }}

**{{ esc(g.title) }}**{% if g.record.description %}. {{ esc(g.record.description | trim) }}{% endif %}
{% if g.has_variants %}
{{ g.members|length }} variants, each its own case with its own verdicts: {% for case in g.members %}[`{{ case.record.variant }}`](#{{ case.id }}){{ ", " if not loop.last }}{% endfor %}.
{% for case in g.members %}
#### {{ case.id }}
{{ body(case) }}{% endfor %}
{%- else %}{{ body(g.members[0]) }}{% endif %}
{%- endfor %}
"""


def _esc(text: Any) -> str:
    """Case text in Markdown prose or a table cell: HTML escaped (Markdown renders raw HTML), pipes escaped."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _source(source: dict[str, Any]) -> str:
    """`doc`, or [doc](url) where the case cites a public page."""
    url = str(source.get("url") or "")
    doc = _esc(source.get("doc", ""))
    return f"[{doc}](<{url}>)" if url.startswith(("https://", "http://")) and ">" not in url else f"`{doc}`"


def _settings(e: Environment) -> str:
    if not e.get("available", True):
        return f"unavailable: {_esc(e.get('reason', ''))}"
    return _esc(", ".join(f"{k}={v}" for k, v in e.get("settings", {}).items())) or "-"


def _cell(case: Any, column: str) -> str:
    row = next((c for c in case.columns if c.name == column), None)
    if row is None:
        return "not run"  # an interrupted run: the cell is in `missing`
    return f"{row.status}: {row.kind.replace('_', ' ')}" if row.kind else row.status


def _judged(case: Any, column: str) -> str:
    j = next((j for j in case.judgments if j.column == column), None)
    if j is None:
        return "not checkable (no `expect`)" if not case.judgments else "not judged"
    return f"{MARK[j.verdict]}: {_esc(j.fact)}"


def _problems(c: Any) -> str:
    return _esc("; ".join(([c.error] if c.error else []) + c.warnings + ([c.notes] if c.notes else []))) or "-"


def _output(case: Any, column: Any, name: str) -> str:
    o = case.output(column, name)
    if o is None:
        return "-"
    return _esc(o.summary) + (f"<br>Δ {_esc(o.difference)}" if o.difference else "")


def _trajectory(case: CaseRecord) -> dict[str, Any] | None:
    """Columns that recorded a loss trajectory, and one row per step ('-' past where a column stopped)."""
    found = {name: Tensor.from_results(o["outputs"]["loss_trajectory"]).values
             for name, o in case["columns"].items() if "loss_trajectory" in o["outputs"]}
    if not found:
        return None
    length = max(len(v) for v in found.values() if v is not None)
    rows = [[f"{float(v[i]):.9g}" if v is not None and i < len(v) else "-" for v in found.values()]
            for i in range(length)]
    return {"columns": list(found), "rows": rows}


def _hyperparameters(o: ColumnOutcome) -> str:
    used = o["notes"].get("hyperparameters") or {}
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in used.items()) or "-"


def render_markdown(results: ResultsDocument, view: ReportView | None = None, figures_dir: str = "plots") -> str:
    """The Markdown report; figures are linked only when `view` carries them (oracle report)."""
    view = view or build_view(results, plots=False)
    env = Templates(autoescape=False, trim_blocks=False, keep_trailing_newline=True)
    # case text reaches a terminal when the report is `cat`: no control or bidi character passes raw
    return printable(env.from_string(TEMPLATE).render(
        v=view, env=results["environment"], figures_dir=figures_dir, mark=MARK, cell=_cell, judged=_judged,
        problems=_problems, output=_output, settings=_settings, esc=_esc, trajectory=_trajectory,
        hyper=_hyperparameters, labels=KIND_LABELS, frameworks=FRAMEWORKS,
        row_kinds=lambda kinds: ", ".join(f"{KIND_LABELS.get(k, k)} {kinds[k]}" for k in view.kinds
                                          if kinds.get(k)) or "-",
        source=_source,
    ), keep_newlines=True)
