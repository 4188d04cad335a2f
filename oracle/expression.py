"""The `expression` binding kind: the call as the Python a user writes, over the op's names.

A declaration such as `expression("torch.cat([x, y], dim=axis)")` names the op's arguments and
attributes, its `fixed` constants and the framework modules (torch, tf, jnp, jax, keras, optax,
flax, np). The binder runs it with the small interpreter below (never `eval`: only names, constants,
attribute and module lookups, subscripts and slices, calls, lists, tuples, `not`, unary minus, `~` and
arithmetic), and renders the same tree with the case's names and values as the `native_api` text and
the report's snippet, so what is shown is what was called. Statements separated by `; ` run in order
(`layer.train(training); layer(x)`, `tx = optax.clip(c); tx.update(g, tx.init(g))[0]`); the last one
is the value. An attribute left to the framework (not pinned, no declared default) may only be a
keyword's whole value: that keyword is then not passed.
"""

from __future__ import annotations

import ast
import functools
import operator
from typing import Any, Callable, Iterator, Mapping

from oracle.steps import python_text

MODULES = frozenset({"torch", "tf", "jnp", "jax", "keras", "optax", "flax", "np"})
BUILTINS: dict[str, Callable[..., Any]] = {"getattr": getattr}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {ast.Add: operator.add, ast.Sub: operator.sub,
                                                  ast.Mult: operator.mul, ast.Div: operator.truediv,
                                                  ast.FloorDiv: operator.floordiv}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.Not: operator.not_, ast.USub: operator.neg, ast.Invert: operator.invert}
_NODES = (ast.Module, ast.Expr, ast.Assign, ast.Name, ast.Load, ast.Store, ast.Constant, ast.Attribute,
          ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.Call, ast.keyword, ast.UnaryOp, ast.BinOp,
          *_BINARY, *_UNARY)


class ExpressionError(ValueError):
    """A declared expression outside the small language above: an oracle mistake."""


@functools.cache
def parse(code: str) -> ast.Module:
    """The statements of `code`, checked to be in the language; the last one an expression (the value)."""
    tree = ast.parse(code)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ExpressionError(f"{code!r}: the last statement must be the value")
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise ExpressionError(f"{code!r}: {type(node).__name__} is not in the expression language")
        if isinstance(node, ast.Assign) and (len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name)):
            raise ExpressionError(f"{code!r}: only `name = value` assignments")
    return tree


def dotted(node: ast.expr) -> str | None:
    """`torch.nn.functional.conv2d` for an attribute chain rooted at a module name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in MODULES:
        return ".".join([node.id, *reversed(parts)])
    return None


def _assigned(tree: ast.Module) -> set[str]:
    return {s.targets[0].id for s in tree.body if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)}


def problems(code: str, known: set[str], unset: set[str]) -> Iterator[str]:
    """What is wrong with `code` for names `known` (arguments, attributes, fixed constants), `unset` the
    attributes that may be left to the framework; the dotted module paths are checked by the binder."""
    try:
        tree = parse(code)
    except (SyntaxError, ExpressionError) as exc:
        yield str(exc)
        return
    allowed = known | _assigned(tree) | MODULES | set(BUILTINS)
    as_keyword = {id(k.value) for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in allowed:
            yield f"{code!r} names {node.id!r}, which is no argument, attribute, fixed value or module"
        if isinstance(node, ast.Name) and node.id in unset and id(node) not in as_keyword:
            yield f"{code!r} uses {node.id!r}, which the case may leave unpinned, other than as a keyword's value"


def calls(code: str) -> Iterator[tuple[str, list[str]]]:
    """Each call of a module function in `code`: its dotted path and the keywords it is given."""
    for node in ast.walk(parse(code)):
        if isinstance(node, ast.Call):
            path = dotted(node.func)
            if path is not None:
                yield path, [k.arg for k in node.keywords if k.arg]


def keyword_of(code: str, attr: str) -> tuple[str | None, str] | None:
    """The call and keyword that `attr` is the whole value of (the call's dotted path, or None for a method
    or a built object's call), or None where `code` does not pass it so."""
    for node in ast.walk(parse(code)):
        if isinstance(node, ast.Call):
            for k in node.keywords:
                if k.arg and isinstance(k.value, ast.Name) and k.value.id == attr:
                    return dotted(node.func), k.arg
    return None


def paths(code: str) -> list[str]:
    """Every dotted module path `code` names (what a snippet imports)."""
    found = [p for n in ast.walk(parse(code)) if isinstance(n, (ast.Attribute, ast.Name))
             for p in [dotted(n)] if p is not None]
    return [p for p in found if not any(q != p and q.startswith(p + ".") for q in found)]


def names(code: str) -> set[str]:
    return {n.id for n in ast.walk(parse(code)) if isinstance(n, ast.Name)}


def keywords(code: str) -> set[str]:
    return {k.arg for n in ast.walk(parse(code)) if isinstance(n, ast.Call) for k in n.keywords if k.arg}


def literal_keywords(code: str, names: set[str]) -> set[str]:
    """Keywords `code` passes a value that none of `names` (arguments, attributes, fixed) gives."""
    out = set()
    for node in ast.walk(parse(code)):
        if isinstance(node, ast.Call):
            for k in node.keywords:
                if k.arg and not {n.id for n in ast.walk(k.value) if isinstance(n, ast.Name)} & names:
                    out.add(k.arg)
    return out


def run(code: str, values: Mapping[str, Any], resolve: Callable[[str], Any]) -> Any:
    """Evaluate `code` with `values` for its names (a name absent from them is an unpinned attribute)."""
    scope = dict(values)
    tree = parse(code)
    value = None
    for statement in tree.body:  # parse() admits `name = value` and expressions only, the last an expression
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            scope[statement.targets[0].id] = _eval(statement.value, scope, resolve)
        elif isinstance(statement, ast.Expr):
            value = _eval(statement.value, scope, resolve)
    return value


def _eval(node: ast.expr, scope: dict[str, Any], resolve: Callable[[str], Any]) -> Any:
    def ev(n: ast.expr) -> Any:
        return _eval(n, scope, resolve)

    path = dotted(node)
    if path is not None:
        return resolve(path)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return scope[node.id] if node.id in scope else BUILTINS[node.id]
    if isinstance(node, ast.Attribute):
        return getattr(ev(node.value), node.attr)
    if isinstance(node, ast.Subscript):
        return ev(node.value)[ev(node.slice)]
    if isinstance(node, ast.Slice):
        return slice(*(None if n is None else ev(n) for n in (node.lower, node.upper, node.step)))
    if isinstance(node, ast.Tuple):
        return tuple(ev(e) for e in node.elts)
    if isinstance(node, ast.List):
        return [ev(e) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](ev(node.operand))
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](ev(node.left), ev(node.right))
    assert isinstance(node, ast.Call)
    keywords = {k.arg: ev(k.value) for k in node.keywords if k.arg and not _unset(k.value, scope)}
    return ev(node.func)(*(ev(a) for a in node.args), **keywords)


def _unset(value: ast.expr, scope: Mapping[str, Any]) -> bool:
    return isinstance(value, ast.Name) and value.id not in scope and value.id not in MODULES | set(BUILTINS)


class _Shown(ast.NodeTransformer):
    def __init__(self, texts: Mapping[str, str], values: Mapping[str, Any], unset: set[str]) -> None:
        self.texts, self.values, self.unset = texts, values, unset

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node.keywords = [k for k in node.keywords if not (isinstance(k.value, ast.Name) and k.value.id in self.unset)]
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.texts:
            return ast.parse(self.texts[node.id], mode="eval").body
        if node.id in self.values:
            return ast.parse(python_text(self.values[node.id]), mode="eval").body
        return node


def text(code: str, texts: Mapping[str, str], values: Mapping[str, Any], unset: set[str]) -> str:
    """`code` as run: arguments by their texts in the case, attributes and fixed constants by their values,
    keywords of `unset` attributes left out; statements joined by `; ` as the snippets expect."""
    tree = _Shown(texts, values, unset).visit(ast.parse(code))
    return "; ".join(ast.unparse(statement) for statement in tree.body)
