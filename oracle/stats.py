"""Statistics of a sample, for stochastic outcomes (initialisers, dropout): observed and judged as distributions.

A case observes `{stats: w, of: [mean, std, min, max, frac_zero]}`: each column records `w.mean`, `w.std`, ...
(float64 scalars computed here, in NumPy, from the column's own sample) and, in `notes.stats`, each one's
sample size and standard error. Two columns' statistics agree when they are within Z standard errors of
each other (the stated test, a two-sided large-sample z-test on the difference):

    mean       se = s / sqrt(n)
    std        se = sqrt((m4 - s^4) / n) / (2 s)   (delta method; m4 the fourth central moment)
    frac_zero  se = sqrt(p (1 - p) / n), p at least 1/n so that 0 against a small fraction can agree
    min, max   extremes have no such limit: within EXTREME_SPREAD pooled standard deviations, a bound that
               holds for bounded distributions (uniform, truncated normal), whose extremes reach the bounds
"""

from __future__ import annotations

from typing import Any

import numpy as np

STATS = ("mean", "std", "min", "max", "frac_zero")
Z = 4.5  # two-sided p ~ 7e-6 per statistic: a factor of two in any scale is far beyond it at n >= 1000
EXTREME_SPREAD = 0.25
TEST = (f"two-sided z-test, |a - b| <= {Z} * sqrt(se_a^2 + se_b^2) (mean, std, frac_zero); min and max within "
        f"{EXTREME_SPREAD} pooled standard deviations")


def summarize(values: np.ndarray, which: list[str]) -> tuple[dict[str, np.ndarray], dict[str, dict[str, float]]]:
    """The requested statistics of a sample (as float64 scalars) and, per statistic, n, se and the sample std."""
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    n = x.size
    s = float(x.std()) if n else float("nan")
    m4 = float(np.mean((x - x.mean()) ** 4)) if n else float("nan")
    p = float(np.mean(x == 0)) if n else float("nan")
    value = {"mean": float(x.mean()) if n else float("nan"), "std": s, "min": float(x.min()) if n else float("nan"),
             "max": float(x.max()) if n else float("nan"), "frac_zero": p}
    se = {"mean": s / np.sqrt(n) if n else 0.0,
          "std": float(np.sqrt(max(m4 - s ** 4, 0.0) / n) / (2 * s)) if n and s > 0 else 0.0,
          "frac_zero": float(np.sqrt(max(p * (1 - p), 1 / n) / n)) if n else 0.0,
          "min": 0.0, "max": 0.0}  # unused: extremes are judged by the pooled std (notes stay JSON: no NaN)
    outputs = {stat: np.asarray(value[stat], dtype=np.float64) for stat in which}
    notes = {stat: {"n": n, "se": float(se[stat]), "std": s if n else 0.0} for stat in which}
    return outputs, notes


def allowed_gap(stat: str, a: dict[str, float], b: dict[str, float]) -> float:
    """How far apart two columns' values of `stat` may be and still agree (a and b: their notes)."""
    if stat in ("min", "max"):
        return EXTREME_SPREAD * float(np.sqrt((a["std"] ** 2 + b["std"] ** 2) / 2))
    return Z * float(np.sqrt(a["se"] ** 2 + b["se"] ** 2))


def stats_tolerance(name: str, notes_a: dict[str, Any], notes_b: dict[str, Any]) -> tuple[float, float] | None:
    """(rtol, atol) for an output that is a statistic in both outcomes; None for any other output."""
    a, b = notes_a.get("stats", {}).get(name), notes_b.get("stats", {}).get(name)
    if not isinstance(a, dict) or not isinstance(b, dict):
        return None
    return 0.0, allowed_gap(name.rsplit(".", 1)[-1], a, b)
