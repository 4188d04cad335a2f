"""Indexing: NumPy's, and out-of-range indices."""

from __future__ import annotations

import numpy as np

from reference_rules.common import INF, NAN, Rule, S, a

RULES = [
    Rule("scatter_add", "duplicate indices accumulate", (a(0.0, 0.0, 0.0), np.array([1, 1, 2]), a(1.0, 2.0, 3.0)),
         a(0.0, 3.0, 3.0)),
    Rule("scatter_add", "a scalar index takes one row", (a(1.0, 2.0), np.array(0), np.array(5.0)), a(6.0, 2.0)),
    Rule("sort", "NaN sorts last", (a(3.0, NAN, -INF, 1.0),), np.sort),
    Rule("argsort", "the sort is stable: ties keep their order", (a(2.0, 1.0, 2.0, 1.0),),
         lambda x: np.argsort(x, kind="stable")),
    Rule("take", "take of the flattened input is NumPy's", (S, np.array([0, 5, 11])), lambda x, i: np.take(x, i)),
    Rule("searchsorted", "side left gives the first insertion index", (a(1.0, 2.0, 2.0, 3.0), a(2.0, 0.0, 4.0)),
         lambda s, v: np.searchsorted(s, v, side="left")),
    Rule("one_hot", "rows of the identity", (np.array([0, 2]),), np.eye(3)[[0, 2]], {"num_classes": 3}),
    Rule("take_along_axis", "the last axis, as np.take_along_axis", (S, np.array([[0], [3], [1]])),
         lambda x, i: np.take_along_axis(x, i, -1), {"axis": -1}),
    Rule("index_select", "rows, as np.take along 0", (S, np.array([2, 0])), lambda x, i: np.take(x, i, 0), {"axis": 0}),
    Rule("top_k_values", "the k largest, largest first", (a(3.0, 1.0, 4.0, 1.5),), a(4.0, 3.0), {"k": 2}),
    Rule("embedding", "rows of the weight", (S, np.array([2, 2, 0])), lambda w, i: w[i]),
    Rule("unique_values", "sorted distinct values, as np.unique", (a(3.0, 1.0, 3.0, 2.0),), np.unique),
]
