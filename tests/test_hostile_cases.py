"""Issue 24, items 6 and 7: case files the pytest plugin must refuse as `oracle run` does (an id that is not
the file name, one id in two folders), and variants that must load in bounded time and memory."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_pytest_plugin import CASE, pytest_in

from oracle.cases import MAX_VARIANTS, CaseError, load_file

BASE = """\
id: many
title: many variants
inputs:
  x: {values: [0.5, 2.0]}
steps:
  - y = log(x)
"""


def _variants(count: int) -> str:
    return BASE + "variants:\n" + "".join(f"  - {{name: v{i}, inputs: {{x: {{values: [{i}.5, 2.0]}}}}}}\n"
                                          for i in range(count))


def test_a_product_of_variants_is_capped_before_it_is_expanded(tmp_path: Path) -> None:
    lists = "".join("    - [" + ", ".join(f"{{name: {k}{i}}}" for i in range(200)) + "]\n" for k in "abcd")
    path = tmp_path / "many.yaml"
    path.write_text(BASE + "variants:\n  product:\n" + lists)
    with pytest.raises(CaseError) as refused:  # 200^4 = 1.6 billion combinations: refused, never built
        load_file(path)
    assert f"limit of {MAX_VARIANTS} variants" in str(refused.value) and "200 x 200 x 200 x 200" in str(refused.value)


def test_variants_load_in_linear_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each variant copies the case, not the case with every other variant in it (n copies of n: quadratic)."""
    copied = [0]
    deepcopy = copy.deepcopy

    def counting(data: Any, *args: Any) -> Any:
        copied[0] += len(json.dumps(data, default=str))
        return deepcopy(data, *args)

    monkeypatch.setattr(copy, "deepcopy", counting)
    work = {}
    for count in (100, 400):
        copied[0] = 0
        path = tmp_path / f"v{count}" / "many.yaml"
        path.parent.mkdir()
        path.write_text(_variants(count))
        assert len(load_file(path)) == count
        work[count] = copied[0]
    assert work[400] < 5 * work[100], work  # 4x the variants: about 4x the copying, not 16x


# --- item 6: the plugin holds case files to what `oracle run` does -------------------------------------------------

def test_the_plugin_refuses_an_id_that_is_not_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    shutil.copy(CASE, tmp_path / "cases" / "renamed.yaml")
    run = pytest_in(tmp_path, "--collect-only")
    assert run.returncode != 0
    assert f"id {CASE.stem!r} differs from the file name 'renamed'" in run.stdout, run.stdout[-2000:]


def test_the_plugin_refuses_one_id_in_two_folders(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / "cases" / folder).mkdir(parents=True)
        shutil.copy(CASE, tmp_path / "cases" / folder)
    run = pytest_in(tmp_path, "--collect-only")
    assert run.returncode != 0
    assert f"duplicate id {CASE.stem!r}, also in" in run.stdout, run.stdout[-2000:]
