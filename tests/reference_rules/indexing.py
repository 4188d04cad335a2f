"""Indexing: NumPy's, and out-of-range indices."""

from __future__ import annotations

import numpy as np

from reference_rules.common import API, INF, NAN, Raises, Rule, S, a

RULES = [
    Rule("scatter_add", "duplicate indices accumulate", (a(0.0, 0.0, 0.0), np.array([1, 1, 2]), a(1.0, 2.0, 3.0)),
         a(0.0, 3.0, 3.0)),
    Rule("scatter_add", "a scalar index takes one row", (a(1.0, 2.0), np.array(0), np.array(5.0)), a(6.0, 2.0)),
    Rule("sort", "NaN sorts last", (a(3.0, NAN, -INF, 1.0),), np.sort, cite=API.format("sort")),
    Rule("argsort", "the sort is stable: ties keep their order", (a(2.0, 1.0, 2.0, 1.0),),
         lambda x: np.argsort(x, kind="stable"), cite=API.format("argsort")),
    Rule("take", "take of the flattened input is NumPy's", (S, np.array([0, 5, 11])), lambda x, i: np.take(x, i),
         cite=API.format("take")),
    Rule("searchsorted", "side left gives the first insertion index", (a(1.0, 2.0, 2.0, 3.0), a(2.0, 0.0, 4.0)),
         lambda s, v: np.searchsorted(s, v, side="left"), cite=API.format("searchsorted")),
    Rule("one_hot", "rows of the identity", (np.array([0, 2]),), np.eye(3)[[0, 2]], {"num_classes": 3}),
    Rule("take_along_axis", "the last axis, as np.take_along_axis", (S, np.array([[0], [3], [1]])),
         lambda x, i: np.take_along_axis(x, i, -1), {"axis": -1}, cite=API.format("take_along_axis")),
    Rule("index_select", "rows, as np.take along 0", (S, np.array([2, 0])), lambda x, i: np.take(x, i, 0), {"axis": 0}),
    Rule("top_k_values", "the k largest, largest first", (a(3.0, 1.0, 4.0, 1.5),), a(4.0, 3.0), {"k": 2}),
    Rule("embedding", "rows of the weight", (S, np.array([2, 2, 0])), lambda w, i: w[i]),
    Rule("unique_values", "sorted distinct values, as np.unique", (a(3.0, 1.0, 3.0, 2.0),), np.unique,
         cite=API.format("unique_values")),
    Rule("getitem", "rows at an index tensor, negative ones from the end (NumPy advanced indexing)",
         (S, np.array([2, -1, 0])), lambda x, i: x[i]),
    Rule("getitem", "an index outside [-n, n) raises", (S, np.array([0, 3])), Raises(IndexError)),
    Rule("slice", "Python slicing: a stop past the end is clamped", (S,), S[1:10], {"start": 1, "stop": 10}),
    Rule("slice", "a negative start counts from the end", (S,), S[-2:], {"start": -2}),
    Rule("narrow", "length elements from start along axis", (S,), S[:, 1:3], {"start": 1, "length": 2, "axis": 1}),
    Rule("narrow", "a negative start counts from the end", (S,), S[1:3], {"start": -2, "length": 2, "axis": 0}),
    Rule("narrow", "a window past the end raises (no clamping)", (S,), Raises(IndexError),
         {"start": 2, "length": 2, "axis": 0}),
    # by hand: row 1 is written by 5.0 then 6.0 (the last wins), row 3 (= -1) by 7.0
    Rule("scatter", "duplicate indices: the last update wins; negative indices count from the end",
         (a(0.0, 0.0, 0.0, 0.0), np.array([1, 1, -1]), a(5.0, 6.0, 7.0)), a(0.0, 6.0, 0.0, 7.0)),
    Rule("scatter", "an index outside [-n, n) raises", (a(0.0, 0.0), np.array([2]), a(1.0)), Raises(IndexError)),
    Rule("boolean_mask", "the elements where the mask holds, flattened row-major (NumPy)", (S, S > 0),
         lambda x, m: x[m]),
    Rule("boolean_mask", "an all-false mask gives an empty result", (a(1.0, 2.0), np.array([False, False])),
         np.zeros((0,))),
    # by hand: NaN is the largest, then the two 3s in input order
    Rule("top_k_indices", "NaN is the largest; ties: the lower index first", (a(1.0, 3.0, 3.0, NAN, 2.0),),
         np.array([3, 1, 2]), {"k": 3}),
    Rule("top_k_indices", "per row, as a stable argsort of -x", (S,), lambda x: np.argsort(-x, -1, kind="stable")[:, :2],
         {"k": 2}),
    Rule("digitize", "an edge opens its bin; NaN goes past the last bin (np.digitize)",
         (a(-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, NAN), a(0.0, 1.0, 2.0)), np.digitize),
    Rule("digitize", "right: an edge closes its bin (np.digitize right=True)",
         (a(-1.0, 0.0, 0.5, 1.0, 2.0, 3.0), a(0.0, 1.0, 2.0)), lambda x, b: np.digitize(x, b, right=True),
         {"right": True}),
    Rule("unique_counts", "counts in sorted order, as np.unique", (a(3.0, 1.0, 3.0, 2.0, 3.0),),
         lambda x: np.unique(x, return_counts=True)[1], cite=API.format("unique_counts")),
    Rule("top_k", "values descending and their indices; ties: the lower index first", (a(1.0, 3.0, 3.0, 2.0),),
         (a(3.0, 3.0), np.array([1, 2])), {"k": 2}),
    Rule("top_k", "per row, as NumPy's sort and stable argsort", (S,),
         lambda x: (-np.sort(-x, -1)[:, :2], np.argsort(-x, -1, kind="stable")[:, :2]), {"k": 2}),
    Rule("unique", "values, inverse and counts, as np.unique", (np.array([[3.0, 1.0], [3.0, 2.0]]),),
         lambda x: tuple(np.unique(x, return_inverse=True, return_counts=True))),
    # a reference defect found here: top_k sorted -x, where NaN sorts last, so NaN counted as the smallest
    Rule("top_k", "NaN is the largest, as for top_k_values and top_k_indices (NumPy's order)", (a(1.0, NAN, 3.0, 3.0),),
         lambda x: (np.sort(x)[::-1][:2], np.array([1, 2])), {"k": 2}),
]
