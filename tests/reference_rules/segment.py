"""Segment reductions and masked fills: NumPy's ufunc.at and where, and sums by hand."""

from __future__ import annotations

import numpy as np

from reference_rules.common import INF, NAN, Raises, Rule, S, a


def segment_sum(data: np.ndarray, ids: np.ndarray) -> np.ndarray:
    out = np.zeros((int(ids.max()) + 1,) + data.shape[1:])
    np.add.at(out, ids, data)
    return out


RULES = [
    # by hand: rows 0 and 1 (1 + 2) to segment 0, none to 1, row 2 (3) to 2; id 5 is outside [0, 3): dropped
    Rule("segment_sum", "an empty segment sums to 0; an id past num_segments is dropped",
         (a(1.0, 2.0, 3.0, 4.0), np.array([0, 0, 2, 5])), a(3.0, 0.0, 3.0), {"num_segments": 3}),
    Rule("segment_sum", "unsorted ids over rows, max id + 1 segments when unpinned (np.add.at)", (S, np.array([1, 0, 1])),
         segment_sum),
    Rule("segment_max", "an empty segment is -inf, the identity of max", (a(1.0, 5.0, 3.0), np.array([0, 0, 2])),
         a(5.0, -INF, 3.0), {"num_segments": 3}),
    Rule("segment_max", "unsorted ids over rows (np.maximum.at)", (S, np.array([1, 0, 1])),
         np.stack([S[1], np.maximum(S[0], S[2])])),
    Rule("segment_max", "a NaN in a segment makes its maximum NaN", (a(1.0, NAN, 3.0), np.array([0, 0, 1])), a(NAN, 3.0)),
    Rule("masked_fill", "value where the mask holds (np.where)", (S, S > 0, -1.0),
         lambda x, m, v: np.where(m, v, x)),
    Rule("masked_fill", "a mask broadcast against x; NaN is filled like any value",
         (np.array([[NAN, 1.0], [2.0, NAN]]), np.array([True, False]), 0.0), a(0.0, 1.0, 0.0, NAN).reshape(2, 2)),
    Rule("masked_fill", "a non-boolean mask raises", (a(1.0, 2.0), np.array([1, 0]), 0.0), Raises(TypeError)),
]

RULES += [
    Rule("segment_min", "an empty segment is +inf, the identity of min", (a(1.0, 5.0, 3.0), np.array([0, 0, 2])),
         a(1.0, INF, 3.0), {"num_segments": 3}),
    Rule("segment_min", "unsorted ids over rows (np.minimum.at)", (S, np.array([1, 0, 1])),
         np.stack([S[1], np.minimum(S[0], S[2])])),
    Rule("segment_min", "a NaN in a segment makes its minimum NaN", (a(1.0, NAN, 3.0), np.array([0, 0, 1])),
         a(NAN, 3.0)),
    # by hand: 2 * 3 = 6 in segment 0, nothing in 1 (the empty product, 1), 4 in segment 2
    Rule("segment_prod", "an empty segment is 1, the identity of the product", (a(2.0, 3.0, 4.0), np.array([0, 0, 2])),
         a(6.0, 1.0, 4.0), {"num_segments": 3}),
    Rule("segment_prod", "unsorted ids over rows (np.multiply.at)", (S, np.array([1, 0, 1])),
         np.stack([S[1], S[0] * S[2]])),
    # by hand: (1 + 5) / 2 = 3 in segment 0, none in 1 (0 / 0), 2 in segment 2
    Rule("segment_mean", "the mean of each segment; an empty one is 0 / 0", (a(1.0, 5.0, 2.0), np.array([0, 0, 2])),
         a(3.0, NAN, 2.0), {"num_segments": 3}),
    Rule("segment_mean", "unsorted ids over rows, as np.add.at over counts", (S, np.array([1, 0, 1])),
         lambda d, ids: segment_sum(d, ids) / np.bincount(ids)[:, None]),
    # by hand: rows 0 and 3 (1 + 4) to segment 0, row 1's id -1 is dropped, row 2 (3) to 2, segment 1 empty
    Rule("unsorted_segment_sum", "a negative id is dropped; an empty segment sums to 0",
         (a(1.0, 2.0, 3.0, 4.0), np.array([0, -1, 2, 0])), a(5.0, 0.0, 3.0), {"num_segments": 3}),
    Rule("unsorted_segment_sum", "unsorted ids over rows (np.add.at)", (S, np.array([1, 0, 1])), segment_sum,
         {"num_segments": 2}),
]
