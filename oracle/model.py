"""The results document (results.json) as types: what `oracle.results.build` writes and every reader reads.

One declaration for the report, the baseline, the version comparison, the pytest plugin, explore and
verify, so mypy checks their reading of it. The README's "Results contract" describes the same fields
in words; oracle/results_check.py checks a document read from disk against them before any reader
indexes into it. This module imports nothing of the project: everything may import it.
"""

# no `from __future__ import annotations`: TypedDict reads NotRequired from evaluated annotations only
# (with string ones every key counts as required at runtime, __required_keys__ included)
from typing import Any, NotRequired, TypedDict


class TensorRecord(TypedDict):
    """One observed output or gradient; `values` nested lists, NaN/Inf as the strings "nan"/"inf"/"-inf",
    a complex element as [re, im]. A None result has every field None and both flags false."""

    shape: list[int] | None
    dtype: str | None
    values: Any  # nested lists of JSON numbers and the strings above
    nan: bool
    inf: bool


class ErrorRecord(TypedDict):
    type: str  # the native class, qualified
    base: str  # its nearest Python builtin base
    message: str
    where: NotRequired[str]
    public: NotRequired[str]


class WarningRecord(TypedDict):
    category: str
    message: str


class OutputStatus(TypedDict):
    """An output that did not compute in a case that isolates its outputs."""

    status: str  # error | unsupported
    error: NotRequired[ErrorRecord | None]
    reason: NotRequired[str]
    after: NotRequired[str]


class ColumnOutcome(TypedDict):
    """One (case, column) cell: oracle.outcome.Outcome.to_results."""

    status: str  # ok, error, unsupported, crash, timeout, unavailable
    framework: str
    version: str
    device: str
    error: ErrorRecord | None
    warnings: list[WarningRecord]
    outputs: dict[str, TensorRecord]
    native_api: list[str]
    elapsed_s: float
    notes: dict[str, Any]  # settings, form, compiled, attr_defaults, reason...: free per column
    interpretations: dict[str, dict[str, TensorRecord]]
    output_status: NotRequired[dict[str, OutputStatus]]


class VerdictRecord(TypedDict):
    """One pair of columns judged (oracle.diff.Verdict.to_json)."""

    columns: list[str]
    kind: str  # one of oracle.diff.KINDS
    explanation: str


class InputRecord(TypedDict):
    """An input as the plan built it; explicit values travel for the snippets."""

    dtype: str | None
    init: Any  # "values", "literal", or {kind: params}
    shape: NotRequired[list[int]]
    values: NotRequired[Any]
    literal: NotRequired[Any]
    track: NotRequired[bool]


class CaseRecord(TypedDict):
    id: str
    case: NotRequired[str]  # the file's case id (the base id of its variants)
    variant: NotRequired[str | None]
    title: str
    description: NotRequired[str]
    tags: NotRequired[list[str]]
    file: str
    file_sha256: NotRequired[str]
    source: NotRequired[dict[str, Any] | None]
    require: NotRequired[dict[str, Any] | None]
    steps: list[str]
    grad: dict[str, Any] | None
    isolate: NotRequired[bool | list[str]]  # true, or the step outputs isolated
    custom_gradient: NotRequired[dict[str, dict[str, Any]]]
    inputs: dict[str, InputRecord]
    training: NotRequired[dict[str, Any] | None]
    columns: dict[str, ColumnOutcome]
    semantics: dict[str, str | None]  # column -> the semantics it followed ('' the reference's, None none)
    summary: str
    verdicts: list[VerdictRecord]
    contrast: NotRequired[dict[str, Any] | None]
    # the reproduction snippets the report shows: a framework (or a form's sub-column) -> native code;
    # written by results.build from the registry, so the report need not read it (older documents lack it)
    snippets: NotRequired[dict[str, str]]


class Environment(TypedDict):
    """One column's environment: what ran it."""

    framework: str
    version: str
    device: str
    python: str
    settings: dict[str, Any]
    available: bool
    reason: str


class ResultsDocument(TypedDict):
    results_version: int
    platform: str
    complete: bool
    missing: dict[str, list[str]]  # case id -> the columns that have not answered it
    environment: dict[str, Environment]
    cases: list[CaseRecord]
    kind: NotRequired[str]  # what made it where not `oracle run` (diff-versions): `check --results` refuses it
    provenance: NotRequired[dict[str, Any]]  # what a citation needs (oracle.provenance); older documents lack it
