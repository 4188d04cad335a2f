"""The independent rules of tests/test_reference_independent.py, one module per op family.

Each module holds `RULES`, a list of `Rule`s (reference_rules/common.py): an op, the rule in words, the
inputs and the expected value from an implementation the reference shares no code with (NumPy / SciPy
built-ins, mpmath) or worked out by hand, the arithmetic in a comment. `EXCLUDED` names the ops no rule
here can check, each with its reason; every op of the registry is in one or the other.
"""

from __future__ import annotations

import importlib
import pkgutil

from reference_rules.common import Rule

# every module of this package but common.py is a family's rules: a new module is picked up without a list to edit
_MODULES = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__) if m.name != "common"]
RULES: list[Rule] = [rule for module in _MODULES for rule in module.RULES]

# ops no rule here can check, with why
_NO_DEFAULT = "no single intended value: each framework documents its own default initialiser (the reference is undefined)"
EXCLUDED: dict[str, str] = {
    "default_dense_kernel": _NO_DEFAULT,
    "default_embedding_table": _NO_DEFAULT,
    "default_lstm_kernel": _NO_DEFAULT,
    "default_conv2d_kernel": _NO_DEFAULT,
    "default_dense_bias": _NO_DEFAULT,
    "default_lstm_recurrent_kernel": _NO_DEFAULT,
    "default_conv1d_kernel": _NO_DEFAULT,
    "default_conv2d_bias": _NO_DEFAULT,
    "default_gru_kernel": _NO_DEFAULT,
}
