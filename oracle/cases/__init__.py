"""Case files: the schema (pydantic), the YAML loader and validation errors with file, line, field.

A case file is data. It is read with PyYAML's safe composer (no tags that construct
objects, no anchors or aliases), validated against `Case`, and its steps are parsed by
oracle.steps; nothing in it is ever evaluated. One module per concern: `schema` (the models
and limits), `yaml_lines` (YAML with each field's line), `messages` (one line naming file,
line and field), `checks` (against the registry), `variants`, and `loading` (files found and
read within their limits).
"""

from oracle.cases.checks import LoadedCase
from oracle.cases.loading import case_files, check_identity, load_case, load_cases, load_file, load_id
from oracle.cases.messages import CaseError
from oracle.cases.schema import (
    _ID,
    DTYPES,
    FLOAT_DTYPES,
    INT_BOUNDS,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_FILE_BYTES,
    MAX_RANK,
    MAX_VARIANTS,
    VARIANT_RULE,
    Case,
    Grad,
    InputSpec,
    Require,
    Source,
    json_schema,
)

__all__ = ["_ID", "DTYPES", "FLOAT_DTYPES", "INT_BOUNDS", "MAX_DEPTH", "MAX_ELEMENTS", "MAX_FILE_BYTES", "MAX_RANK",
           "MAX_VARIANTS", "VARIANT_RULE", "Case", "CaseError", "Grad", "InputSpec", "LoadedCase", "Require", "Source",
           "case_files", "check_identity", "json_schema", "load_case", "load_cases", "load_file", "load_id"]
