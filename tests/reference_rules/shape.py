"""Shape ops: NumPy's."""

from __future__ import annotations

import numpy as np

from reference_rules.common import Rule, S, a

RULES = [
    Rule("reshape", "row-major, as np.reshape", (S,), lambda x: np.reshape(x, (4, 3)), {"shape": [4, 3]}),
    Rule("transpose", "reverses the axes when unpinned", (S,), np.transpose),
    Rule("concatenate", "along an axis, as np.concatenate", (S, S), lambda x, y: np.concatenate([x, y], 1), {"axis": 1}),
    Rule("stack", "a new axis, as np.stack", (S, S), lambda x, y: np.stack([x, y], 0), {"axis": 0}),
    Rule("tile", "as np.tile", (a(1.0, 2.0),), np.tile(a(1.0, 2.0), 2), {"reps": [2]}),
    Rule("flip", "all axes when unpinned", (S,), np.flip),
    Rule("roll", "of the flattened input when no axis, as np.roll", (S,), lambda x: np.roll(x, 2), {"shift": 2}),
    Rule("tril", "as np.tril", (S,), np.tril),
    Rule("diagonal", "as np.diagonal", (S,), np.diagonal),
    Rule("expand_dims", "as np.expand_dims", (S,), lambda x: np.expand_dims(x, 0), {"axis": 0}),
    Rule("broadcast_to", "as np.broadcast_to", (a(1.0, 2.0),), np.broadcast_to(a(1.0, 2.0), (3, 2)), {"shape": [3, 2]}),
]
