"""Pictures for the report (matplotlib, Agg backend): the verdict heatmap, per-element
differences for value mismatches, and loss trajectories when results carry them.

Every function takes parts of results.json and returns PNG bytes (or None when there is
nothing to draw); the HTML embeds them as base64 and the Markdown links the saved files.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from oracle.model import CaseRecord, ResultsDocument, TensorRecord
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
    _grid(ax, columns, case_ids, row_fontsize=8)
    present = [k for k in KIND_COLORS if any(k in row for row in kinds)]
    ax.legend(handles=[Patch(color=KIND_COLORS[k], label=KIND_LABELS[k]) for k in present],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, title="against the reference",
              title_fontsize=8)
    return _png(fig)


def family_heatmap(results: ResultsDocument) -> bytes:
    """Family x column: the share of cells that diverge from the reference, labelled 'diverging/cells'.

    Readable at any number of cases (one row per family), where the per-case heatmap is not.
    """
    from oracle.judgement import against_reference
    from oracle.report.summary import QUIET, family_of, framework_columns

    plt = _pyplot()
    columns = framework_columns(results)
    families = sorted({family_of(r) for r in results["cases"]})
    cells = np.zeros((len(families), len(columns)), int)
    diverging = np.zeros_like(cells)
    for record in results["cases"]:
        i = families.index(family_of(record))
        for j, column in enumerate(columns):
            kind = against_reference(record, column)
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
    _grid(ax, columns, families, row_fontsize=9)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    bar.set_label("share of cells diverging from the reference", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return _png(fig)


def _float(tensor: TensorRecord) -> np.ndarray | None:
    values = Tensor.from_results(tensor).values
    return None if values is None else values.astype(np.float64).ravel()


def element_differences(case: CaseRecord, columns: list[str]) -> bytes | None:
    """Per output, |column - reference| per element (log scale) for the columns listed, against the tolerance.

    The grey band is what the comparison allows at each element (atol + rtol * max(|a|, |b|),
    the per-dtype tolerance of oracle.diff): points above it are the mismatches. Exactly equal
    elements have no place on a log axis: they are counted in the title, not drawn. Elements
    where one side is NaN/Inf and the other is not have no difference at all: they are marked
    on a strip of their own under the panel, one row per column.
    """
    from oracle.diff import tolerance

    ref = case["columns"].get("reference")
    if not ref or ref["status"] != "ok":
        return None
    Line = tuple[str, np.ndarray, np.ndarray, np.ndarray]  # column, |diff| (nan: not finite), pattern, allowed
    panels: list[tuple[str, list[Line]]] = []
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
                rtol, atol = tolerance(mine["dtype"] if mine else None, tensor.get("dtype"))
                allowed = np.where(finite, atol + rtol * np.maximum(np.abs(x), np.abs(r)), np.nan)
            pattern = (np.isnan(x) != np.isnan(r)) | (np.isposinf(x) != np.isposinf(r)) | (np.isneginf(x) != np.isneginf(r))
            if np.nanmax(diff, initial=0.0) > 0 or pattern.any():
                lines.append((column, diff, pattern, allowed))
        if lines:
            panels.append((name, lines))
    if not panels:
        return None
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    strips = [any(p.any() for _, _, p, _ in lines) for _, lines in panels]
    mains = [any((np.isfinite(d) & (d > 0)).any() for _, d, _, _ in lines) for _, lines in panels]
    ratios = [r for main, strip in zip(mains, strips) for r in ((4,) if main else ()) + ((1.2,) if strip else ())]
    fig, axes = plt.subplots(len(ratios), 1, figsize=(7.5, 0.6 + 2.3 * sum(mains) + 0.9 * sum(strips)),
                             gridspec_kw={"height_ratios": ratios}, squeeze=False)
    rows = iter(axes[:, 0])
    for (name, lines), strip, main in zip(panels, strips, mains):
        size = max(len(d) for _, d, _, _ in lines)
        if not main:  # only NaN/Inf differences: the strip alone
            _nonfinite_strip(next(rows), lines, columns, size, f"{name}: NaN/Inf on one side only (no finite "
                             "element differs)")
            continue
        ax = next(rows)
        idx = np.arange(size)
        positive = np.concatenate([d[np.isfinite(d) & (d > 0)] for _, d, _, _ in lines])
        band = np.fmax.reduce(np.stack([a for _, _, _, a in lines]), axis=0)  # fmax: NaN only where all are
        if np.isfinite(band).any():
            ax.fill_between(idx, 0, np.where(np.isfinite(band), band, np.nan), step="mid", color="#cccccc",
                            alpha=0.6, linewidth=0, label="within tolerance")
        offsets = np.linspace(-0.15, 0.15, len(lines)) if len(lines) > 1 else [0.0]
        equal = 0
        for k, (column, diff, _, allowed) in enumerate(lines):
            color = f"C{columns.index(column)}"  # one colour per column in every panel
            shown = np.isfinite(diff) & (diff > 0)
            equal += int((np.isfinite(diff) & (diff == 0)).sum())
            beyond = shown & (diff > allowed)
            ax.plot(idx[shown & ~beyond] + offsets[k], diff[shown & ~beyond], "o", markersize=3.5, color=color,
                    alpha=0.6, label=f"{column}")
            ax.plot(idx[beyond] + offsets[k], diff[beyond], "o", markersize=5, color=color, markeredgecolor="black",
                    markeredgewidth=0.6, label=f"{column}: beyond tolerance" if beyond.any() else None)
        ax.set_yscale("log")
        if positive.size:  # a log axis: the limits come from positive values only (a band is 0 where atol is)
            limits = np.concatenate([positive, band[np.isfinite(band) & (band > 0)]])
            ax.set_ylim(limits.min() / 3, limits.max() * 3)
        ax.set_xlim(-0.5, size - 0.5)
        if size <= 20:
            ax.set_xticks(range(size))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        note = f"; {equal} exactly equal (not drawn)" if equal else ""
        ax.set_title(f"{name}: |column - reference| per element (flattened){note}", fontsize=9, loc="left")
        ax.set_ylabel("|difference|", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
        if not strip:
            ax.set_xlabel("element index", fontsize=8)
            continue
        _nonfinite_strip(next(rows), lines, columns, size, "NaN/Inf on one side only (no difference to draw)")
    fig.tight_layout()
    return _png(fig)


def _nonfinite_strip(ax: Any, lines: list[Any], columns: list[str], size: int, title: str) -> None:
    """One row per column, an x at each element that is NaN/Inf on one side only."""
    from matplotlib.ticker import MaxNLocator

    for k, (column, _, pattern, _) in enumerate(lines):
        ax.plot(np.flatnonzero(pattern), np.full(int(pattern.sum()), k), "x", markersize=7, mew=2,
                color=f"C{columns.index(column)}")
    ax.set_yticks(range(len(lines)), [column for column, _, _, _ in lines], fontsize=7)
    ax.set_ylim(-0.7, len(lines) - 0.3)
    ax.set_xlim(-0.5, size - 0.5)
    if size <= 20:
        ax.set_xticks(range(size))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=8, loc="left", color="#d62728")
    ax.set_xlabel("element index", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", color="#eeeeee")


def find_trajectories(case: CaseRecord) -> dict[str, dict[str, list[float]]]:
    """column -> {name: per-step values}: any one-dimensional output whose name says it is a trajectory or
    history (training cases)."""
    found: dict[str, dict[str, list[float]]] = {}
    for column, o in case["columns"].items():
        series: dict[str, list[float]] = {}
        for name, tensor in o.get("outputs", {}).items():
            shape = tensor["shape"]
            if any(w in name for w in ("trajectory", "history")) and shape and len(shape) == 1:
                values = _float(tensor)
                if values is not None:
                    series[name] = values.tolist()
        if series:
            found[column] = series
    return found


MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def trajectories(case: CaseRecord) -> bytes | None:
    """Trajectories per column, one panel per series name; each column has its own marker and dash, so
    overlapping lines stay distinguishable, and a second panel shows each column minus the reference."""
    found = find_trajectories(case)
    names = sorted({n for series in found.values() for n in series})
    if not names:
        return None
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    against = any("reference" in found and n in found["reference"] for n in names)
    fig, axes = plt.subplots(2 if against else 1, len(names), figsize=(5.5 * len(names), 5.2 if against else 3.2),
                             squeeze=False, sharex="col", gridspec_kw={"height_ratios": (3, 2)} if against else None)
    for j, name in enumerate(names):
        ax = axes[0, j]
        reference = found.get("reference", {}).get(name)
        for k, (column, series) in enumerate(found.items()):
            if name not in series:
                continue
            steps = np.arange(1, len(series[name]) + 1)
            ax.plot(steps, series[name], marker=MARKERS[k % len(MARKERS)], markersize=5, fillstyle="none",
                    linestyle=("-", "--", ":", "-.")[k % 4], linewidth=1.2, label=column)
            if against and reference is not None and column != "reference":
                n = min(len(reference), len(series[name]))
                axes[1, j].plot(steps[:n], np.asarray(series[name][:n]) - np.asarray(reference[:n]),
                                marker=MARKERS[k % len(MARKERS)], markersize=5, fillstyle="none", linewidth=1.0,
                                color=f"C{k}", label=column)
        ax.set_title(name, fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False)
        if against:
            low = axes[1, j]
            low.axhline(0.0, color="#999999", linewidth=0.8)
            low.set_ylabel("column - reference", fontsize=8)
            low.tick_params(labelsize=7)
            low.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
        axes[-1, j].set_xlabel("step", fontsize=8)
        axes[-1, j].xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return _png(fig)


def _grid(ax: Any, columns: list[str], rows: list[str], row_fontsize: float) -> None:
    """A heatmap's axes: column labels on top, row labels at the left, white lines between cells, no frame."""
    ax.set_xticks(range(len(columns)), columns, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), rows, fontsize=row_fontsize)
    ax.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
