"""Case files found, read within their limits and loaded: the case itself, or one per variant."""

from __future__ import annotations

import math
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oracle.cases.checks import LoadedCase, validate
from oracle.cases.messages import CaseError, line_for
from oracle.cases.schema import MAX_FILE_BYTES, MAX_VARIANTS, Product
from oracle.cases.variants import apply_variant, variant_line, variant_list
from oracle.cases.yaml_lines import compose


def load_case(path: str | Path) -> LoadedCase:
    """Load and validate one case file (its variants not expanded: see load_file); raises CaseError."""
    path = Path(path)
    data, lines = read_mapping(path)
    return validate(data, path, lines)


def read_mapping(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """A case file's mapping and each field's line, read within the size limit; raises CaseError."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would hang the read, /dev/zero would never end
            raise CaseError(path, None, "", "not a regular file (a FIFO, device or socket)")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the limit and the byte that breaks it
    except OSError as exc:
        raise CaseError(path, None, "", f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CaseError(path, None, "", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(path, raw[: exc.start].count(b"\n") + 1, "", "file is not valid UTF-8") from None
    data, lines = compose(text, path)
    if not isinstance(data, dict):
        raise CaseError(path, 1, "", "a case file must be a mapping of fields")
    return data, lines


def load_file(path: str | Path) -> list[LoadedCase]:
    """Every case a file holds: the case itself, or one per variant (ids `case-id[variant]`); raises CaseError."""
    path = Path(path)
    data, lines = read_mapping(path)
    base = validate(data, path, lines)
    if base.case.variants is None:
        return [base]
    found = []
    variants = base.case.variants
    if isinstance(variants, Product) and math.prod(map(len, variants.product)) > MAX_VARIANTS:
        sizes = [len(names) for names in variants.product]  # four lists of 200: 1.6 billion, never to be built
        raise CaseError(path, line_for(("variants", "product"), lines), "variants.product",
                        f"{' x '.join(map(str, sizes))} = {math.prod(sizes)} combinations exceeds the limit of "
                        f"{MAX_VARIANTS} variants")
    for i, (name, changes) in enumerate(variant_list(variants)):
        try:
            found.append(validate(apply_variant(data, changes, path, lines), path, lines, name))
        except CaseError as exc:
            line = variant_line(exc, i, changes, lines) if isinstance(base.case.variants, list) else exc.line
            raise CaseError(path, line, f"variants[{i}] ({name}): {exc.field}".rstrip(": "), exc.message) from None
    return found


def load_id(path: str | Path, case_id: str) -> LoadedCase:
    """The case `case_id` of a file: the case itself, or one of its variants (`case-id[variant]`)."""
    found = load_file(path)
    match = [c for c in found if c.id == case_id]
    if not match:
        raise CaseError(path, None, "", f"no case {case_id!r} here; it holds {', '.join(c.id for c in found)}")
    return match[0]


def case_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand directories to their *.yaml files, sorted, so runs are deterministic."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for found in sorted(p.rglob("*.yaml")):
                if found.is_file():
                    files.append(found)
                else:  # a FIFO, socket, device or dangling link in a folder: say so and go on
                    sys.stderr.write(f"{found}: not a regular file; skipped\n")
        elif p.exists():
            files.append(p)
        else:
            raise CaseError(p, None, "", "no such file or directory")
    return files


def load_cases(paths: Sequence[str | Path]) -> list[LoadedCase]:
    """Load every case under `paths` (each file once); the id must be the file name; duplicate ids name both files."""
    seen: dict[str, LoadedCase] = {}
    files: dict[Path, Path] = {}
    for path in case_files(paths):
        files.setdefault(path.resolve(), path)  # `cases cases/x.yaml` names x.yaml twice: one case
    for path in files.values():
        for loaded in load_file(path):
            check_identity(loaded, seen)
    return list(seen.values())


def check_identity(loaded: LoadedCase, seen: dict[str, LoadedCase]) -> None:
    """The id must be the file name and unique among `seen` (which it joins); CaseError naming both files if not.
    `oracle run` and the pytest plugin both hold case files to this."""
    path = loaded.path
    if loaded.base_id != path.stem:
        raise CaseError(path, _id_line(path), "id", f"id {loaded.base_id!r} differs from the file name "
                        f"{path.stem!r}; the file name is the id")
    other = seen.get(loaded.id)
    if other is not None and other.path.resolve() != path.resolve():
        raise CaseError(path, 1, "id", f"duplicate id {loaded.id!r}, also in {other.path}")
    seen[loaded.id] = loaded


def _id_line(path: Path) -> int | None:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((i + 1 for i, line in enumerate(lines) if line.startswith("id:")), None)
