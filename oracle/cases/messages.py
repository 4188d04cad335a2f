"""Messages for malformed case files: one line naming file, line and field, with a did-you-mean."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError


class CaseError(Exception):
    """A case file is malformed: one message naming file, line and field."""

    def __init__(self, path: str | Path, line: int | None, field: str, message: str) -> None:
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def dotted(at: tuple[Any, ...]) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f", did you mean {close[0]!r}?" if close else ""


_PYDANTIC_TAGS = {"float", "int", "bool", "str"}  # union-member tags pydantic adds to error locations


def _data_loc(raw: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Pydantic's error location with its own tags (`list[int]`, `function-after[...]`) removed.

    A part is kept when it is a key or index of the document at that point, so a user's key
    that looks like a tag (`observe[0]`) survives; a last part not in the document (a missing
    field) is kept unless it is a tag."""
    loc: list[Any] = []
    node = data
    for i, part in enumerate(raw):
        if isinstance(node, dict) and part in node:
            loc.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            loc.append(part)
            node = node[part]
        elif i == len(raw) - 1 and (isinstance(part, int) or (
                part not in _PYDANTIC_TAGS and "[" not in part and "(" not in part)):
            loc.append(part)
    return tuple(loc)


def pydantic_message(path: Path, err: ValidationError, lines: dict[tuple[Any, ...], int],
                     data: Any, root: type[BaseModel]) -> CaseError:
    errors = err.errors()
    # a misspelt field is both unknown and (if required) missing: name the unknown one, with its nearest field
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = _data_loc(tuple(first["loc"]), data)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden" and loc:
        message = f"unknown field {str(loc[-1])!r}{suggest(loc[-1], _fields_at(loc[:-1], root))}"
    elif first["type"] == "missing":
        message = "required field is missing"
    return CaseError(path, line_for(loc, lines), dotted(loc), message)


def _fields_at(loc: tuple[Any, ...], root: type[BaseModel]) -> list[str]:
    """The field names the schema allows at `loc`, for a did-you-mean suggestion."""
    model: Any = root
    skip_key = False
    for part in loc:
        if skip_key or isinstance(part, int):
            skip_key = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        skip_key = getattr(annotation, "__origin__", None) is dict
        members = getattr(annotation, "__args__", (annotation,))
        model = next((t for t in members if isinstance(t, type) and issubclass(t, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)
