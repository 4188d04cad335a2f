"""Runs only where a GPU is visible (`make test-gpu`): every device case on CPU and GPU columns."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.gpu

needs_gpu = pytest.mark.skipif(
    shutil.which("nvidia-smi") is None or subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode != 0,
    reason="no GPU visible")


@needs_gpu
def test_device_cases_on_cpu_and_gpu(tmp_path: Path) -> None:
    from oracle.cli import main

    out = Path(ROOT / "reports" / "gpu")
    assert main(["run", str(ROOT / "cases" / "devices"), "--columns", "jax,torch,tensorflow",
                 "--device", "cpu,gpu", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    env = results["environment"]
    assert env["torch:gpu"]["available"] or env["jax:gpu"]["available"], env
    for case in results["cases"]:
        for framework in ("jax", "torch"):
            cpu, gpu = case["columns"][f"{framework}:cpu"], case["columns"][f"{framework}:gpu"]
            if gpu["status"] != "unavailable":
                assert gpu["device"] == "gpu" and gpu["status"] in ("ok", "error"), (case["id"], gpu)
                assert cpu["status"] == gpu["status"], (case["id"], framework)
