"""A case's `grad` as every column and the snippets receive it: one typed, immutable object.

oracle.cases.Grad validates the case file's mapping; this is what crosses to the workers (as JSON) and
what the gradient idioms (oracle/gradidioms.py) read. A leaf module: workers import it without pydantic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

FORWARD_MODE = ("jvp", "jacfwd")
TRANSFORMS = ("jacobian", "value_and_grad", *FORWARD_MODE)  # function transforms over the forward


@dataclass(frozen=True)
class GradOptions:
    """Differentiate `of` with respect to `wrt` by `idiom` (oracle.cases.Grad documents each option);
    `untracked`: the `wrt` inputs built with `track: false`."""

    of: str
    wrt: tuple[str, ...]
    idiom: str = "default"
    cotangent: str | None = None
    tangent: str | None = None
    unconnected: str | None = None  # "none" | "zero"
    calls: int = 1
    accumulate: bool = False
    order: int = 1
    untracked: tuple[str, ...] = ()

    @property
    def tracked(self) -> list[str]:
        return [n for n in self.wrt if n not in self.untracked]

    @property
    def names(self) -> list[str]:
        """Every name the idiom's lines use: the target, the sources, a cotangent or tangent input."""
        return list(dict.fromkeys([self.of, *self.wrt, *(n for n in (self.cotangent, self.tangent) if n)]))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "wrt": list(self.wrt), "untracked": list(self.untracked)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradOptions:
        """From a request on the wire, or a results record's `grad` with `untracked` added; a None option
        (as a results record may hold it) takes its default."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in data.items() if k in known and v is not None}
        return cls(**{**given, "wrt": tuple(data["wrt"]), "untracked": tuple(data.get("untracked") or ())})
