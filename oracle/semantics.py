"""Names of the alternative semantics the reference can compute, so verdicts can name them.

The reference (adapters/reference.py) runs a case under its strict semantics and under
each alternative below; a column whose result matches an alternative is said to follow it.
"""

from __future__ import annotations

ALTERNATIVES: dict[str, str] = {
    "broadcast": "NumPy-broadcast the mismatched loss operands",
    "align_ranks": "aligned the loss operands' ranks (squeeze or expand a trailing axis, as Keras does)",
    "last_axis_mean": "averaged each sample over the last axis before reducing (as Keras losses do)",
    "implicit_sum": "summed the non-scalar gradient target implicitly",
    "eps_hat": "added epsilon to sqrt(v) before bias correction (the eps-hat form of Adam)",
    "eps_inside_sqrt": "added epsilon inside the square root (sqrt(v + eps))",
    "decoupled_decay": "decoupled the weight decay from the gradient (p -= lr * wd * p, as AdamW)",
    "l2_decay": "added the weight decay to the gradient as an L2 term (g += wd * p, as Adam with L2)",
    "zero_division_zero": "returned 0 for a metric's 0/0",
    "lower_median": "returned the lower of the two middle values for an even count (as torch.median does)",
    "split_size": "read split's integer as the size of each piece (torch.split), not the number of pieces",
    "tile_repeat": "tiled the whole tensor (torch's Tensor.repeat), not repeating each element (NumPy's repeat)",
    "clamp_index": "clamped out-of-range indices into range (as JAX indexing does)",
    "fill_out_of_range": "filled the positions of out-of-range indices (NaN for floats, 0 for one_hot) instead of raising",
    "drop_out_of_range": "dropped the updates at out-of-range indices silently (JAX's scatter default)",
    "first_update_wins": "let the first of duplicate scatter indices win (the reference lets the last win)",
    "first_occurrence_order": "listed unique values in order of first occurrence, unsorted (as tf.unique does)",
    "macro_skips_absent": "left classes absent from both target and predictions out of a macro average",
}

STRICT = "the reference's strict semantics"


def describe(key: str) -> str:
    """'broadcast+implicit_sum' -> readable words."""
    return " and ".join(ALTERNATIVES[part] for part in key.split("+")) if key else STRICT
