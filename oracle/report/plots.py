"""Pictures for the report (matplotlib, Agg backend): the verdict heatmap, per-element
differences for value mismatches, and loss trajectories when results carry them.

Every function takes parts of results.json and returns PNG bytes (or None when there is
nothing to draw); the HTML embeds them as base64 and the Markdown links the saved files.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from oracle.outcome import Tensor

# One colour per verdict kind, shared with the HTML (colour-blind-safe where it matters:
# agree is blue-green, divergences warm).
KIND_COLORS: dict[str, str] = {
    "agree": "#1b9e77",
    "warning_only": "#e6ab02",
    "silent_divergence": "#d62728",
    "error_kind_mismatch": "#ff7f0e",
    "shape_mismatch": "#7b3294",
    "dtype_mismatch": "#c2a5cf",
    "nan_inf_mismatch": "#e7298a",
    "value_mismatch": "#1f78b4",
    "incomparable": "#bdbdbd",
    "hyperparameters_differ": "#a6761d",
}
KIND_LABELS: dict[str, str] = {
    "agree": "agrees", "warning_only": "warning only", "silent_divergence": "silent divergence",
    "error_kind_mismatch": "error-kind mismatch", "shape_mismatch": "shape mismatch",
    "dtype_mismatch": "dtype mismatch", "nan_inf_mismatch": "NaN/Inf mismatch",
    "value_mismatch": "value mismatch", "incomparable": "not comparable",
    "hyperparameters_differ": "hyperparameters differ",
}
NO_VERDICT = "#f0f0f0"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()


def verdict_heatmap(case_ids: list[str], columns: list[str], kinds: list[list[str | None]],
                    labels: list[list[str]]) -> bytes:
    """Cases x columns, coloured by each column's verdict against the reference, cells labelled."""
    plt = _pyplot()
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    rgb = np.array([[to_rgb(KIND_COLORS.get(k or "", NO_VERDICT)) for k in row] for row in kinds])
    fig, ax = plt.subplots(figsize=(2.0 + 1.6 * len(columns), 0.9 + 0.3 * len(case_ids)))
    ax.imshow(rgb, aspect="auto", interpolation="nearest")
    for i, row in enumerate(labels):
        for j, text in enumerate(row):
            dark = (kinds[i][j] or "") in ("silent_divergence", "shape_mismatch", "value_mismatch", "agree",
                                           "nan_inf_mismatch")
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5, color="white" if dark else "black")
    ax.set_xticks(range(len(columns)), columns, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(case_ids)), case_ids, fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(case_ids)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    present = [k for k in KIND_COLORS if any(k in row for row in kinds)]
    ax.legend(handles=[Patch(color=KIND_COLORS[k], label=KIND_LABELS[k]) for k in present],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, title="against the reference",
              title_fontsize=8)
    return _png(fig)


def family_heatmap(results: dict[str, Any]) -> bytes:
    """Family x column: the share of cells that diverge from the reference, labelled 'diverging/cells'.

    Readable at any number of cases (one row per family), where the per-case heatmap is not.
    """
    from oracle.report.summary import QUIET, family_of, framework_columns
    from oracle.report.view import verdict_against_reference

    plt = _pyplot()
    columns = framework_columns(results)
    families = sorted({family_of(r) for r in results["cases"]})
    cells = np.zeros((len(families), len(columns)), int)
    diverging = np.zeros_like(cells)
    for record in results["cases"]:
        i = families.index(family_of(record))
        for j, column in enumerate(columns):
            kind = verdict_against_reference(record, column)
            cells[i, j] += kind is not None
            diverging[i, j] += kind not in (None, *QUIET)
    share = np.where(cells > 0, diverging / np.maximum(cells, 1), np.nan)
    fig, ax = plt.subplots(figsize=(2.2 + 1.5 * len(columns), 0.9 + 0.42 * len(families)))
    image = ax.imshow(share, cmap="Reds", vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    for i in range(len(families)):
        for j in range(len(columns)):
            text = f"{diverging[i, j]}/{cells[i, j]}" if cells[i, j] else "-"
            ax.text(j, i, text, ha="center", va="center", fontsize=8.5,
                    color="white" if share[i, j] > 0.55 else "black")
    ax.set_xticks(range(len(columns)), columns, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(families)), families, fontsize=9)
    ax.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(families)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    bar.set_label("share of cells diverging from the reference", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return _png(fig)


def _float(tensor: dict[str, Any]) -> np.ndarray | None:
    values = Tensor.from_results(tensor).values
    return None if values is None else values.astype(np.float64).ravel()


def element_differences(case: dict[str, Any], columns: list[str]) -> bytes | None:
    """Per output, |column - reference| per element (log scale) for the columns listed.

    Elements where one side is NaN/Inf and the other is not have no finite difference: they
    are drawn as an x on the "NaN/Inf differs" line at the top; exact agreement sits on the
    "equal" line at the bottom (a log axis has no zero).
    """
    ref = case["columns"].get("reference")
    if not ref or ref["status"] != "ok":
        return None
    panels: list[tuple[str, list[tuple[str, np.ndarray, np.ndarray]]]] = []
    for name, tensor in ref["outputs"].items():
        r = _float(tensor) if tensor.get("shape") is not None else None
        lines = []
        for column in columns:
            mine = case["columns"][column]["outputs"].get(name)
            x = _float(mine) if mine and mine.get("shape") == tensor.get("shape") else None
            if r is None or x is None or r.size == 0:
                continue
            with np.errstate(invalid="ignore"):
                finite = np.isfinite(x) & np.isfinite(r)
                diff = np.where(finite, np.abs(x - r), np.nan)
            pattern = (np.isnan(x) != np.isnan(r)) | (np.isposinf(x) != np.isposinf(r)) | (np.isneginf(x) != np.isneginf(r))
            if np.nanmax(diff, initial=0.0) > 0 or pattern.any():
                lines.append((column, diff, pattern))
        if lines:
            panels.append((name, lines))
    if not panels:
        return None
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 2.4 * len(panels)), squeeze=False)
    for ax, (name, lines) in zip(axes[:, 0], panels):
        positive = np.concatenate([d[np.isfinite(d) & (d > 0)] for _, d, _ in lines])
        floor = positive.min() / 10 if positive.size else 1e-12  # where exact agreement (0) is drawn
        top = positive.max() * 10 if positive.size else 1.0  # where NaN/Inf pattern differences are drawn
        offsets = np.linspace(-0.15, 0.15, len(lines)) if len(lines) > 1 else [0.0]
        for k, (column, diff, pattern) in enumerate(lines):
            idx = np.arange(diff.size) + offsets[k]
            color = f"C{columns.index(column)}"  # one colour per column in every panel
            # the same NaN/Inf on both sides is agreement: drawn on the "equal" line
            shown = np.where(np.isfinite(diff), np.maximum(diff, floor), np.where(pattern, np.nan, floor))
            ax.plot(idx, shown, "o", markersize=4, color=color, label=column)
            if pattern.any():
                ax.plot(idx[pattern], np.full(int(pattern.sum()), top), "x", markersize=8, mew=2, color=color)
        ax.set_yscale("log")
        ax.set_ylim(floor / 3, top * 3)
        ax.axhline(floor, color="#bbbbbb", linewidth=0.6, zorder=0)
        ax.axhline(top, color="#f2b8b8", linewidth=0.6, zorder=0)
        ax.text(1.0, top, " NaN/Inf\n differs", transform=ax.get_yaxis_transform(), fontsize=7, va="center",
                color="#d62728")
        ax.text(1.0, floor, " equal", transform=ax.get_yaxis_transform(), fontsize=7, va="center", color="#777777")
        size = max(len(d) for _, d, _ in lines)
        ax.set_xlim(-0.5, size - 0.5)
        if size <= 20:
            ax.set_xticks(range(size))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{name}: |column - reference| per element (flattened)", fontsize=9, loc="left")
        ax.set_xlabel("element index", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.08, 0.5))
    fig.tight_layout()
    return _png(fig)


def find_trajectories(case: dict[str, Any]) -> dict[str, dict[str, list[float]]]:
    """column -> {name: per-step values}: a column's `trajectories` field when present, or any
    one-dimensional output whose name says it is a trajectory or history (training cases)."""
    found: dict[str, dict[str, list[float]]] = {}
    for column, o in case["columns"].items():
        series: dict[str, list[float]] = {}
        for name, values in (o.get("trajectories") or {}).items():
            series[name] = [float(v) for v in values]
        for name, tensor in o.get("outputs", {}).items():
            if any(w in name for w in ("trajectory", "history")) and tensor.get("shape") and len(tensor["shape"]) == 1:
                values = _float(tensor)
                if values is not None:
                    series[name] = values.tolist()
        if series:
            found[column] = series
    return found


def trajectories(case: dict[str, Any]) -> bytes | None:
    """Loss (or any recorded) trajectories per column, one panel per series name."""
    found = find_trajectories(case)
    names = sorted({n for series in found.values() for n in series})
    if not names:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=(5.5 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names):
        for column, series in found.items():
            if name in series:
                ax.plot(range(1, len(series[name]) + 1), series[name], marker=".", linewidth=1.2, label=column)
        ax.set_title(name, fontsize=9, loc="left")
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return _png(fig)
