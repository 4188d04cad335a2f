"""`oracle validate`: every problem of every case file, not only the first file's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from oracle.cases import CaseError, LoadedCase, case_files, load_cases


def validate_all(paths: Sequence[str | Path]) -> tuple[int, list[str]]:
    """(how many files are valid, one message per bad file or duplicate id), each file loaded on its own."""
    try:
        files = case_files(paths)
    except CaseError as exc:
        return 0, [str(exc)]
    problems: list[str] = []
    seen: dict[str, LoadedCase] = {}
    valid = 0
    for path in dict.fromkeys(files):
        try:
            loaded = load_cases([path])  # the same checks as a run, the file-name rule included
        except CaseError as exc:
            problems.append(str(exc))
            continue
        duplicate = next((c for c in loaded if c.id in seen and seen[c.id].path.resolve() != path.resolve()), None)
        if duplicate is not None:
            problems.append(f"{path}:1: id: duplicate id {duplicate.id!r}, also in {seen[duplicate.id].path}")
            continue
        seen.update({c.id: c for c in loaded})
        valid += 1
    return valid, problems
