"""Defects of issue 22 where the judge itself was wrong: a reference formula, a binding, a hidden argument.

Each small case runs through the reference column (JAX float64, its own process) and the
native columns as users' runs do; the expected value is computed here, in this process,
by NumPy's definition of the function or by the framework's own public API.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from oracle.cases import load_case
from oracle.outcome import Tensor

NAN, INF = float("nan"), float("inf")

CASES: dict[str, dict[str, Any]] = {
    "relu-nan": {"inputs": {"x": {"dtype": "float32", "values": ["nan", -1.0, 0.0, 2.0, 7.0, "inf", "-inf"]}},
                 "steps": ["y = relu(x)", "z = relu6(x)"]},
    # -inf at another class than the target's (row 1) and at the target's (row 0)
    "nll-neginf": {"inputs": {"lp": {"dtype": "float32", "values": [["-inf", -0.5], ["-inf", -2.0], [-1.0, -3.0]]},
                              "y": {"dtype": "int64", "values": [0, 1, 0]}},
                   "steps": ["l = nll_loss(lp, y, reduction=none)"]},
    "bce-inf": {"inputs": {"x": {"dtype": "float32", "values": ["inf", "-inf", "inf", "-inf", 1.0, -3.0, 0.0]},
                           "t": {"dtype": "float32", "values": [0.0, 1.0, 1.0, 0.0, 0.0, 0.25, 1.0]}},
                "steps": ["l = binary_cross_entropy_with_logits(x, t, reduction=none)"]},
    "resize-rank3": {"inputs": {"x": {"dtype": "float32", "values": [[[1.0, 2.0, 3.0, 4.0]]]}},
                     "steps": ["y = resize(x, size=[3], method=bilinear)"]},
    "group-norm-ncl": {"inputs": {"x": {"shape": [2, 4, 3], "dtype": "float32", "init": {"normal": {"seed": 0}}}},
                       "steps": ["y = group_norm(x, num_groups=2)"]},
    "scatter-scalar": {"inputs": {"x": {"dtype": "float32", "values": [1.0, 2.0, 3.0, 4.0]},
                                  "i": {"dtype": "int64", "values": 1}, "u": {"dtype": "float32", "values": 5.0}},
                       "steps": ["y = scatter_add(x, i, u)"]},
    "accuracy-binary": {"inputs": {"p": {"dtype": "float32", "values": [0.2, 0.7, 0.5, 0.9]},
                                   "t": {"dtype": "int32", "values": [0, 1, 1, 0]}},
                        "steps": ["a = accuracy(p, t, task=binary)"]},
    # class 1's two samples: one hit, one miss; classes 0 and 2 always hit: micro 0.75, macro 5/6
    "top-k": {"inputs": {"p": {"dtype": "float32", "values": [[0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.5, 0.2, 0.3],
                                                              [0.1, 0.8, 0.1]]},
                         "t": {"dtype": "int64", "values": [0, 2, 1, 1]}},
              "steps": ["a = top_k_accuracy(p, t, num_classes=3, k=1)",
                        "m = top_k_accuracy(p, t, num_classes=3, k=1, average=macro)"]},
    "poisson": {"inputs": {"q": {"dtype": "float32", "values": [1.0, 2.0, 3.0]},
                           "t": {"dtype": "float32", "values": [2.0, 1.0, 0.5]}},
                "steps": ["l = poisson_nll(q, t)", "g = poisson_nll(q, t, log_input=true)"]},
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    from oracle.results import execute, parse_columns

    folder = tmp_path_factory.mktemp("defects")
    loaded = []
    for cid, body in CASES.items():
        path = folder / f"{cid}.yaml"
        path.write_text(yaml.safe_dump({"id": cid, "title": cid, **body}, sort_keys=False), encoding="utf-8")
        loaded.append(load_case(path))
    results = execute(loaded, parse_columns("reference,torch,jax", "cpu"), folder / "logs")
    return {c["id"]: c["columns"] for c in results["cases"]}


def value(cell: dict[str, Any], name: str) -> np.ndarray:
    assert cell["status"] == "ok", cell.get("error") or cell["notes"]
    got = Tensor.from_results(cell["outputs"][name]).values
    assert got is not None
    return got.astype(np.float64)


def close(got: np.ndarray, want: Any, rtol: float = 1e-6) -> None:
    np.testing.assert_allclose(got, np.asarray(want, dtype=np.float64), rtol=rtol, atol=1e-7, equal_nan=True)


def test_relu_and_relu6_of_nan_are_nan_as_max_and_min_define_them(run: dict[str, Any]) -> None:
    x = np.array([NAN, -1.0, 0.0, 2.0, 7.0, INF, -INF])
    close(value(run["relu-nan"]["reference"], "y"), np.maximum(x, 0.0))  # NaN propagates through maximum
    close(value(run["relu-nan"]["reference"], "z"), np.minimum(np.maximum(x, 0.0), 6.0))
    assert math.isnan(value(run["relu-nan"]["reference"], "y")[0])


def test_nll_loss_at_minus_inf_log_probabilities_matches_torch(run: dict[str, Any]) -> None:
    import torch

    lp = torch.tensor([[-INF, -0.5], [-INF, -2.0], [-1.0, -3.0]], dtype=torch.float64)
    native = torch.nn.NLLLoss(reduction="none")(lp, torch.tensor([0, 1, 0])).numpy()
    close(value(run["nll-neginf"]["reference"], "l"), native)
    assert value(run["nll-neginf"]["reference"], "l")[0] == INF


def test_bce_with_logits_at_infinite_logits_is_its_limit(run: dict[str, Any]) -> None:
    got = value(run["bce-inf"]["reference"], "l")
    # -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))) as x -> +-inf: inf where the wrong class is certain, else 0
    assert list(got[:4]) == [INF, INF, 0.0, 0.0]
    x, t = np.array([1.0, -3.0, 0.0]), np.array([0.0, 0.25, 1.0])
    close(got[4:], np.logaddexp(0.0, x) - x * t, rtol=1e-12)


def test_resize_of_one_spatial_axis_matches_torch_linear(run: dict[str, Any]) -> None:
    import torch

    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]], dtype=torch.float64)
    native = torch.nn.functional.interpolate(x, size=3, mode="linear", align_corners=False).numpy()
    close(value(run["resize-rank3"]["reference"], "y"), native, rtol=1e-12)


def test_group_norm_on_n_c_l_matches_torch(run: dict[str, Any]) -> None:
    import torch

    x = _planned("group-norm-ncl")["x"]
    native = torch.nn.functional.group_norm(torch.from_numpy(x.astype(np.float64)), 2, eps=1e-5).numpy()
    close(value(run["group-norm-ncl"]["reference"], "y"), native, rtol=1e-9)


def test_scatter_add_with_a_scalar_index_and_update_adds_to_one_row(run: dict[str, Any]) -> None:
    want = np.array([1.0, 2.0, 3.0, 4.0])
    np.add.at(want, 1, 5.0)
    close(value(run["scatter-scalar"]["reference"], "y"), want)
    close(value(run["scatter-scalar"]["jax"], "y"), want)  # x.at[i].add(u) agrees


def test_jax_binary_accuracy_calls_flax_binary_accuracy(run: dict[str, Any]) -> None:
    import jax.numpy as jnp
    from flax import nnx

    cell = run["accuracy-binary"]["jax"]
    metric = nnx.metrics.Accuracy(threshold=0.5)
    metric.update(logits=jnp.array([0.2, 0.7, 0.5, 0.9], jnp.float32), labels=jnp.array([0, 1, 1, 0], jnp.int32))
    close(value(cell, "a"), float(metric.compute()))
    assert "threshold=0.5" in cell["native_api"][0]


def test_top_k_accuracy_passes_average_as_declared_and_a_case_can_pin_torchmetrics_default(
        run: dict[str, Any]) -> None:
    import torch
    import torchmetrics

    p = torch.tensor(CASES["top-k"]["inputs"]["p"]["values"])
    t = torch.tensor(CASES["top-k"]["inputs"]["t"]["values"])
    micro = float(torchmetrics.classification.MulticlassAccuracy(num_classes=3, top_k=1, average="micro")(p, t))
    default = float(torchmetrics.classification.MulticlassAccuracy(num_classes=3, top_k=1)(p, t))  # macro
    assert micro != default
    cells = run["top-k"]
    close(value(cells["torch"], "a"), micro)
    close(value(cells["torch"], "m"), default)
    close(value(cells["reference"], "a"), micro)
    close(value(cells["reference"], "m"), default)
    assert "average='micro'" in cells["torch"]["native_api"][0]


def test_poisson_nll_log_input_is_declared_and_pinnable_to_torchs_default(run: dict[str, Any]) -> None:
    import torch

    q, t = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), torch.tensor([2.0, 1.0, 0.5], dtype=torch.float64)
    rate = float(torch.nn.PoissonNLLLoss(log_input=False)(q, t))
    default = float(torch.nn.PoissonNLLLoss()(q, t))  # log_input=True: q is log(rate)
    cells = run["poisson"]
    close(value(cells["torch"], "l"), rate)
    close(value(cells["torch"], "g"), default)
    close(value(cells["reference"], "l"), rate, rtol=1e-12)
    close(value(cells["reference"], "g"), default, rtol=1e-12)
    assert "log_input=False" in cells["torch"]["native_api"][0]


def _planned(cid: str) -> dict[str, np.ndarray]:
    """The case's inputs as the oracle generates them (seeded), for the native call here."""
    import tempfile

    from oracle.plan import plan

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{cid}.yaml"
        path.write_text(yaml.safe_dump({"id": cid, "title": cid, **CASES[cid]}, sort_keys=False), encoding="utf-8")
        return dict(plan(load_case(path)).inputs)
