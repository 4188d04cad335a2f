"""The step language: `out = op(arg, ..., key=value)`, tokenised and parsed, never evaluated.

An op with several results is unpacked as `values, indices = top_k(x, k=2)`. A step may be
vectorised: `y = vmap(dot, in_axes=[0, null], out_axes=0)(x, w)` maps the op over an axis of its
tensor arguments (jax.vmap, torch.func.vmap, tf.vectorized_map; oracle/vectorize.py).

Positional arguments are names defined earlier (inputs or step outputs), numeric literals or
lists of them (`split(x, [1, 4])`); keyword values are numbers, quoted or bare strings,
true/false/null, or lists. Bare `inf`, `-inf`, `nan` (and YAML's `.inf`, `-.inf`, `.nan`) are
float numbers, so `norm(x, ord=inf)` passes a float infinity; quoted, `"inf"` stays a string.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<special>[-+]?\.?(?i:inf|nan)\b(?!\s*=))
    | (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<str>"[^"]*"|'[^']*')
    | (?P<punct>[=(),\[\]])
    )""",
    re.VERBOSE,
)
MAX_DEPTH = 8  # nested lists in a keyword value
MAX_DIGITS = 30  # an integer literal longer than this is a typo, not a case
_KEYWORDS = {"true": True, "false": False, "null": None}  # bare `none` stays a string: reduction=none


class StepSyntaxError(ValueError):
    """The text of a step does not follow `out = op(args)`."""


@dataclass(frozen=True)
class Ref:
    """A positional argument that names an input or an earlier step's output."""

    name: str


@dataclass(frozen=True)
class Step:
    out: str
    op: str
    args: tuple[Ref | float | int | list[Any], ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    outs: tuple[str, ...] = ()  # `a, b = op(...)`: every name, in order (`out` is then the first)
    vmap: dict[str, Any] | None = None  # `vmap(op, in_axes=..., out_axes=..., randomness=...)(args)`

    @property
    def names(self) -> tuple[str, ...]:
        return self.outs or (self.out,)

    def to_json(self) -> dict[str, Any]:
        args = [{"ref": a.name} if isinstance(a, Ref) else a for a in self.args]
        return {"out": self.out, "op": self.op, "args": args, "attrs": self.attrs, "text": self.text,
                **({"outs": list(self.outs)} if self.outs else {}), **({"vmap": self.vmap} if self.vmap else {})}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Step:
        args = tuple(Ref(a["ref"]) if isinstance(a, dict) else a for a in data["args"])
        return Step(data["out"], data["op"], args, dict(data["attrs"]), data["text"], tuple(data.get("outs", ())),
                    data.get("vmap"))

    def with_attrs(self, attrs: dict[str, Any]) -> Step:
        """This step with attributes changed (a variant), its text rewritten to match."""
        merged = {**self.attrs, **attrs}
        parts = [a.name if isinstance(a, Ref) else _literal(a) for a in self.args]
        parts += [f"{k}={_literal(v)}" for k, v in merged.items()]
        call = self.op
        if self.vmap is not None:
            call = f"vmap({', '.join([self.op] + [f'{k}={_literal(v)}' for k, v in self.vmap.items()])})"
        text = f"{', '.join(self.names)} = {call}({', '.join(parts)})"
        return Step(self.out, self.op, self.args, merged, text, self.outs, self.vmap)


def _literal(value: Any) -> str:
    """A keyword value as the step language writes it (strings quoted, true/false/null)."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else repr(value)  # repr(inf) is `inf`: read back as a float


def python_text(value: Any) -> str:
    """A value as Python source: nan and inf as float('nan'), float('inf')."""
    if isinstance(value, list):
        return "[" + ", ".join(python_text(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(python_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    return repr(value)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise StepSyntaxError(f"unexpected character {text[pos:].lstrip()[:1]!r} at column {pos + 1}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        got_kind, got = self.peek()
        if got_kind != kind or (value is not None and got != value):
            want = repr(value) if value else kind
            raise StepSyntaxError(f"expected {want}, found {got!r}" if got else f"expected {want} at end")
        self.i += 1
        return got

    def value(self, depth: int = 0) -> Any:
        kind, text = self.peek()
        if kind == "special":
            self.i += 1
            return float(text.replace(".", ""))  # float() reads inf/-inf/nan, not YAML's .inf
        if kind == "num":
            self.i += 1
            if re.fullmatch(r"[-+]?\d+", text):
                if len(text.lstrip("+-")) > MAX_DIGITS:
                    raise StepSyntaxError(f"integer {text[:12]}... has more than {MAX_DIGITS} digits")
                return int(text)
            number = float(text)
            if math.isinf(number):
                raise StepSyntaxError(f"number {text[:24]} is out of range")
            return number
        if kind == "str":
            self.i += 1
            return text[1:-1]
        if kind == "name":
            self.i += 1
            return _KEYWORDS.get(text.lower(), text)
        if (kind, text) == ("punct", "["):
            if depth >= MAX_DEPTH:
                raise StepSyntaxError(f"lists nested deeper than {MAX_DEPTH} levels")
            self.i += 1
            items: list[Any] = []
            while self.peek() != ("punct", "]"):
                items.append(self.value(depth + 1))
                if self.peek() != ("punct", "]"):
                    self.take("punct", ",")
            self.i += 1
            return items
        raise StepSyntaxError(f"expected a value, found {text!r}" if text else "expected a value at end")

    def step(self, text: str) -> Step:
        outs = [self.take("name")]
        while self.peek() == ("punct", ","):  # `a, b = op(...)`: one name per output
            self.i += 1
            outs.append(self.take("name"))
        if len(set(outs)) != len(outs):
            raise StepSyntaxError(f"an output name is given twice in {', '.join(outs)}")
        out = outs[0]
        self.take("punct", "=")
        op = self.take("name")
        vmap: dict[str, Any] | None = None
        if op == "vmap":  # vmap(op, key=value, ...)(args): the op and the mapping, then the op's own call
            self.take("punct", "(")
            op = self.take("name")
            vmap = {}
            while self.peek() == ("punct", ","):
                self.i += 1
                key = self.take("name")
                self.take("punct", "=")
                if key in vmap:
                    raise StepSyntaxError(f"vmap option {key!r} given twice")
                vmap[key] = self.value()
            self.take("punct", ")")
        self.take("punct", "(")
        args: list[Ref | float | int | list[Any]] = []
        attrs: dict[str, Any] = {}
        while self.peek() != ("punct", ")"):
            kind, token = self.peek()
            is_keyword = kind == "name" and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] == ("punct", "=")
            if is_keyword:
                self.i += 2
                if token in attrs:
                    raise StepSyntaxError(f"attribute {token!r} given twice")
                attrs[token] = self.value()
            elif attrs:
                raise StepSyntaxError(f"positional argument {token!r} after keyword arguments")
            elif kind == "name":
                self.i += 1
                args.append(Ref(token))
            elif kind in ("num", "special") or (kind, token) == ("punct", "["):
                args.append(self.value())
            else:
                raise StepSyntaxError(f"expected an input name, a number or a list, found {token!r}")
            if self.peek() != ("punct", ")"):
                self.take("punct", ",")
        self.take("punct", ")")
        if self.peek()[0] != "end":
            raise StepSyntaxError(f"unexpected {self.peek()[1]!r} after the closing parenthesis")
        return Step(out, op, tuple(args), attrs, text.strip(), tuple(outs) if len(outs) > 1 else (), vmap)


def parse_step(text: str) -> Step:
    """Parse one step; raises StepSyntaxError with a short reason."""
    return _Parser(text).step(text)
