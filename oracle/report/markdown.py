"""report.md: environment, verdict counts, the case x column matrix, the claims ledger, each case.

Laid out from oracle.report.view, as the HTML is; renders on code-hosting sites (pipes in
table cells escaped, figures linked as plots/<name>.png beside the file).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from oracle.outcome import Tensor
from oracle.report.view import ReportView, build_view, summarize, verdict_against_reference

__all__ = ["render_markdown", "summarize", "verdict_against_reference"]

MARK = {"holds": "holds", "partly": "partly", "refuted": "**refuted**", "n/a": "n/a"}

TEMPLATE = """\
# Cross-framework semantics report

{{ v.cases|length }} cases x {{ env|length }} columns. Every cell is what the framework did when
called through its own public API; the reference is JAX in float64 with strict, stated semantics.
Platform: `{{ v.results.platform }}`.

## Environment

| column | framework | version | device | python | settings |
|---|---|---|---|---|---|
{% for name, e in env.items() -%}
| {{ name }} | {{ e.framework }} | {{ e.version or "-" }} | {{ e.device }} | {{ e.python or "-" }} | {{ settings(e) }} |
{% endfor %}
## Verdicts against the reference

| verdict | cells |
|---|---|
{% for kind, n in v.counts -%}
| {{ kind }} | {{ n }} |
{% endfor %}
## Matrix

Each cell: the column's status (`ok`, or the builtin base of the exception it raised; `+w`:
it warned), then its verdict against the reference.
{% for f in v.figures %}
![{{ f.title }}]({{ figures_dir }}/{{ f.name }}.png)
{% endfor %}
| case | reference |{% for c in v.columns %} {{ c }} |{% endfor %}
|---|---|{% for c in v.columns %}---|{% endfor %}
{% for case in v.cases -%}
| [{{ case.id }}](#{{ case.id }}) | {{ case.columns[0].status if case.columns and case.columns[0].name == "reference" else "-" }} |{% for c in v.columns %} {{ cell(case, c) }} |{% endfor %}
{% endfor %}
## Claims ledger

What each seed document claimed, and whether it holds for each framework today. The claim's
checkable part is its `expect` block in the case file; *partly*: some of it holds.

| case | document, example | claim |{% for c in v.columns %} {{ c }} |{% endfor %}
|---|---|---|{% for c in v.columns %}---|{% endfor %}
{% for case in v.ledger -%}
| [{{ case.id }}](#{{ case.id }}) | {{ esc(case.record.source.doc) }}, {{ case.record.source.example }} | {{ esc(case.record.source.claim) }} |{% for c in v.columns %} {{ judged(case, c) }} |{% endfor %}
{% endfor %}
## Cases
{% for case in v.cases %}{% set r = case.record %}
### {{ r.id }}

**{{ esc(r.title) }}**{% if r.description %}. {{ r.description | trim }}{% endif %}

{% if r.source -%}
Source: `{{ r.source.doc }}`, example {{ r.source.example }}. Claim: *{{ esc(r.source.claim) }}*
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
sides (same shape only); "NaN/Inf differ": some element is NaN or infinite on one side only.
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

{% for d in case.divergences -%}
- {{ d.columns | join(" vs ") }}: **{{ d.kind }}**: {{ esc(d.explanation) }}
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
{% endfor %}
"""


def _esc(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _settings(e: dict[str, Any]) -> str:
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
    return f"{MARK[j.verdict]}: {_esc(j.fact)}" if j else "-"


def _problems(c: Any) -> str:
    return _esc("; ".join(([c.error] if c.error else []) + c.warnings + ([c.notes] if c.notes else []))) or "-"


def _output(case: Any, column: Any, name: str) -> str:
    o = case.output(column, name)
    if o is None:
        return "-"
    text = o.summary + (f"<br>Δ {o.difference}" if o.difference else "")
    return _esc(text)


def _trajectory(case: dict[str, Any]) -> dict[str, Any] | None:
    """Columns that recorded a loss trajectory, and one row per step ('-' past where a column stopped)."""
    found = {name: Tensor.from_results(o["outputs"]["loss_trajectory"]).values
             for name, o in case["columns"].items() if "loss_trajectory" in o["outputs"]}
    if not found:
        return None
    length = max(len(v) for v in found.values() if v is not None)
    rows = [[f"{float(v[i]):.9g}" if v is not None and i < len(v) else "-" for v in found.values()]
            for i in range(length)]
    return {"columns": list(found), "rows": rows}


def _hyperparameters(o: dict[str, Any]) -> str:
    used = o["notes"].get("hyperparameters") or {}
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in used.items()) or "-"


def render_markdown(results: dict[str, Any], view: ReportView | None = None, figures_dir: str = "plots") -> str:
    """The Markdown report; figures are linked only when `view` carries them (oracle report)."""
    view = view or build_view(results, plots=False)
    env = Environment(autoescape=False, trim_blocks=False, keep_trailing_newline=True)
    return env.from_string(TEMPLATE).render(
        v=view, env=results["environment"], figures_dir=figures_dir, mark=MARK, cell=_cell, judged=_judged,
        problems=_problems, output=_output, settings=_settings, esc=_esc, trajectory=_trajectory,
        hyper=_hyperparameters,
    )
