"""`import oracle` (and everything the CLI imports) must not import a framework."""

import subprocess
import sys

MODULES = "oracle, oracle.cli, oracle.cases, oracle.diff, oracle.runner, oracle.results, oracle.report"


def test_oracle_imports_no_framework() -> None:
    code = (f"import sys; import {MODULES}; "
            "print(','.join(m for m in ('torch', 'tensorflow', 'jax', 'keras', 'optax') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
