"""Case files read as YAML data, with the line of every field and no tag that constructs an object."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from oracle.cases.messages import CaseError, dotted
from oracle.cases.schema import MAX_DEPTH


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 floats: `3.0e9` and `1e-3` are numbers, not strings.

    PyYAML resolves floats by YAML 1.1, which needs a dot and a signed exponent (`3.0e+9`);
    the extra resolver runs after the 1.1 ones, so integers still resolve as integers."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def compose(text: str, path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely, returning plain data and a map from field path to line number."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise CaseError(path, event.start_mark.line + 1, "",
                                "YAML anchors and aliases are not allowed in case files")
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                raise CaseError(path, event.start_mark.line + 1, "", f"nested deeper than {MAX_DEPTH} levels")
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise CaseError(path, line, "", f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except (ValueError, OverflowError) as exc:  # PyYAML's scanner lets some (e.g. "\U00110000" -> chr) escape
        raise CaseError(path, None, "", f"invalid YAML: {str(exc).splitlines()[0]}") from None
    if node is None:
        raise CaseError(path, 1, "", "the file is empty")
    lines: dict[tuple[Any, ...], int] = {}
    return _plain(node, (), lines, path, _Loader("")), lines


def _plain(node: yaml.Node, at: tuple[Any, ...], lines: dict[tuple[Any, ...], int], path: Path,
           loader: yaml.SafeLoader) -> Any:
    lines[at] = node.start_mark.line + 1
    if node.tag.startswith("tag:yaml.org,2002:python") or not node.tag.startswith("tag:yaml.org,2002:"):
        raise CaseError(path, lines[at], dotted(at), f"invalid value: YAML tag {node.tag!r} is not allowed")
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(key_node, at, {}, path, loader)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise CaseError(path, key_node.start_mark.line + 1, dotted(at), f"mapping key {key!r} is not a name")
            if key in out:
                raise CaseError(path, key_node.start_mark.line + 1, dotted(at + (key,)), "duplicate key")
            out[key] = _plain(value_node, at + (key,), lines, path, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, at + (i,), lines, path, loader) for i, item in enumerate(node.value)]
    try:  # a scalar: only the safe, standard tags construct
        value = loader.construct_object(node)
        if isinstance(value, str):
            value.encode("utf-8")  # a lone surrogate ("\ud800") cannot be written to any report
    except UnicodeEncodeError:
        raise CaseError(path, lines[at], dotted(at), "invalid value: not valid Unicode (lone surrogate)") from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise CaseError(path, lines[at], dotted(at), f"invalid value: {str(exc).splitlines()[0]}") from None
    return value
