"""report.md: environment, verdict counts, the case x column matrix, the claims ledger, each case."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from jinja2 import Environment

from oracle.outcome import Tensor

TEMPLATE = """\
# Cross-framework semantics report

{{ cases|length }} cases x {{ env|length }} columns. Every cell is what the framework did when
called through its own public API; the reference is JAX in float64 with strict, stated semantics.

## Environment

| column | framework | version | device | python | settings |
|---|---|---|---|---|---|
{% for name, e in env.items() -%}
| {{ name }} | {{ e.framework }} | {{ e.version or "-" }} | {{ e.device }} | {{ e.python or "-" }} | {{ settings(e) }} |
{% endfor %}
## Verdicts against the reference

| verdict | cells |
|---|---|
{% for kind, n in counts -%}
| {{ kind }} | {{ n }} |
{% endfor %}
## Matrix

Each cell: the column's status, then its verdict against the reference.

| case |{% for c in columns %} {{ c }} |{% endfor %}
|---|{% for c in columns %}---|{% endfor %}
{% for case in cases -%}
| [{{ case.id }}](#{{ case.id }}) |{% for c in columns %} {{ cell(case, c) }} |{% endfor %}
{% endfor %}
## Claims ledger

What each seed document claimed, beside what each framework did.

| case | document, example | claim | observed |
|---|---|---|---|
{% for case in cases if case.source -%}
| [{{ case.id }}](#{{ case.id }}) | {{ case.source.doc }}, {{ case.source.example }} | {{ esc(case.source.claim) }} | {{ esc(case.summary) }} |
{% endfor %}
## Cases
{% for case in cases %}
### {{ case.id }}

**{{ esc(case.title) }}**{% if case.description %}. {{ case.description | trim }}{% endif %}

{% if case.source -%}
Source: `{{ case.source.doc }}`, example {{ case.source.example }}. Claim: *{{ esc(case.source.claim) }}*

{% endif -%}
Inputs: {% for name, i in case.inputs.items() %}`{{ name }}` {{ i.shape }} {{ i.dtype }} ({{ init(i.init) }}){{ "; " if not loop.last }}{% endfor %}

```
{% for s in case.steps %}{{ s }}
{% endfor %}{% if case.grad %}grad of {{ case.grad.of }} wrt {{ case.grad.wrt | join(", ") }} ({{ case.grad.idiom }} idiom)
{% endif %}```

| column | status | error / warnings | outputs | native API |
|---|---|---|---|---|
{% for name, o in case.columns.items() -%}
| {{ name }} | {{ o.status }} | {{ problems(o) }} | {{ outputs(o) }} | {{ esc(o.native_api | join("; ")) }} |
{% endfor %}
{% set steps = trajectory(case) -%}
{% if steps -%}
Loss per training step (before that step's update); hyperparameters as each optimizer reports them:

| step |{% for name in steps.columns %} {{ name }} |{% endfor %}
|---|{% for name in steps.columns %}---|{% endfor %}
{% for row in steps.rows -%}
| {{ loop.index }} |{% for v in row %} {{ v }} |{% endfor %}
{% endfor %}| hyperparameters |{% for name in steps.columns %} {{ esc(hyper(case.columns[name])) }} |{% endfor %}

{% endif -%}
{% if case.contrast and case.contrast.columns -%}
Beside [{{ case.contrast.case }}](#{{ case.contrast.case }}), column by column (last loss here vs there; largest parameter difference):

{% for name, d in case.contrast.columns.items() -%}
- {{ name }}: {% if d.loss_last %}last loss {{ "%.6g" % d.loss_last[0] }} vs {{ "%.6g" % d.loss_last[1] }}{% endif %}{% for k, v in d.items() if k != "loss_last" %}; {{ k.removesuffix("_max_abs_diff") }} differs by up to {{ "%.3g" % v }}{% endfor %}
{% endfor %}
{% endif -%}
**In one line:** {{ esc(case.summary) }}

{% for v in case.verdicts if v.kind != "agree" -%}
- {{ v.columns | join(" vs ") }}: **{{ v.kind }}**: {{ esc(v.explanation) }}
{% endfor %}
{% endfor %}
"""


def _esc(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _settings(e: dict[str, Any]) -> str:
    if not e.get("available", True):
        return f"unavailable: {_esc(e.get('reason', ''))}"
    return _esc(", ".join(f"{k}={v}" for k, v in e.get("settings", {}).items())) or "-"


def verdict_against_reference(case: dict[str, Any], column: str) -> str | None:
    for v in case["verdicts"]:
        if "reference" in v["columns"] and column in v["columns"] and column != "reference":
            return v["kind"]
    return None


def _cell(case: dict[str, Any], column: str) -> str:
    o = case["columns"][column]
    status = o["status"] if o["status"] != "error" else (o["error"] or {}).get("base", "error")
    if o["warnings"]:
        status += " +warning"
    verdict = verdict_against_reference(case, column)
    return f"{status}: {verdict.replace('_', ' ')}" if verdict else status


def _problems(o: dict[str, Any]) -> str:
    parts = []
    if o.get("error"):
        e = o["error"]
        parts.append(f"{e['type']}: {e['message']} ({e['where']})")
    parts += [f"{w['category']}: {w['message']}" for w in o["warnings"]]
    reason = o["notes"].get("reason") or o["notes"].get("unsupported")
    if reason:
        parts.append(str(reason))
    return _esc("; ".join(parts)) or "-"


def summarize(t: dict[str, Any]) -> str:
    if t["shape"] is None:
        return "None"
    values = Tensor.from_results(t).values
    assert values is not None
    head = f"{t['shape']} {t['dtype']}"
    if values.size == 1:
        return f"{head} = {float(values.astype(np.float64).ravel()[0]):.6g}"
    flat = values.astype(np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    flags = " nan" * t["nan"] + " inf" * t["inf"]
    stats = f"mean {finite.mean():.4g}, min {finite.min():.4g}, max {finite.max():.4g}" if finite.size else "no finite"
    return f"{head} ({stats}{flags})"


def _outputs(o: dict[str, Any]) -> str:
    return _esc("<br>".join(f"{name}: {summarize(t)}" for name, t in o["outputs"].items())) or "-"


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


def _init(init: Any) -> str:
    if not isinstance(init, dict):
        return str(init)
    (kind, params), = init.items()
    return f"{kind} {params}" if isinstance(params, dict) else f"{kind} {params}"


def render_markdown(results: dict[str, Any]) -> str:
    cases = results["cases"]
    columns = list(results["environment"])
    counts = Counter(verdict_against_reference(case, c) for case in cases for c in columns if c != "reference")
    counts.pop(None, None)
    env = Environment(autoescape=False, trim_blocks=False, keep_trailing_newline=True)
    template = env.from_string(TEMPLATE)
    return template.render(
        cases=cases, env=results["environment"], columns=columns, counts=counts.most_common(),
        cell=_cell, problems=_problems, outputs=_outputs, init=_init, settings=_settings, esc=_esc,
        trajectory=_trajectory, hyper=_hyperparameters,
    )
