"""No hidden arguments: a binding passes only what the case pinned, plus values it declares fixed, with a reason.

Walks the registry (every op, every framework, every leaf of a switch): the call the binder
renders (the outcome's `native_api` and the report's snippet) is parsed, and each keyword
in it must be a pinned or declared attribute's, an argument passed by keyword, or one of
the binding's `fixed` keywords, each declared with `fix(value, reason)`.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest

from oracle.expression import literal_keywords
from oracle.native import effective_attrs, render
from oracle.ops import FRAMEWORKS, OPS, Binding, OpDef, describe_binding
from oracle.ops.spec import Fixed

LEAVES = [(d.name, fw, i, leaf) for d in OPS.values() for fw in FRAMEWORKS
          for i, leaf in enumerate(d.binding(fw).leaves())]
# `custom` bindings run adapter code; their `code` text shows keywords literally. These are the literal
# keywords not yet declared as fixed (a ratchet: the number may only go down; issue 22, item 5). 47 before
# the `expression` kind took over most custom bindings (issue 25, item 2); an expression's keywords are checked
# like a call's, below.
CUSTOM_UNDECLARED_CEILING = 33


def _leaf_attrs(declared: OpDef, leaf: Binding) -> dict[str, Any]:
    """The attributes passed when the case pins nothing, plus a switch's own key so the leaf is reached."""
    attrs = effective_attrs(declared, {})
    for fw in FRAMEWORKS:
        top = declared.binding(fw)
        if top.kind == "switch" and top.on in declared.attrs:
            for key, case in top.cases.items():
                if leaf in case.leaves():
                    attrs.setdefault(top.on, {"False": False, "True": True}.get(key, key))
    return attrs


def _keywords(text: str) -> set[str]:
    keywords: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            keywords |= {k.arg for k in node.keywords if k.arg}
    return keywords


@pytest.mark.parametrize("name,framework,index,leaf", LEAVES, ids=[f"{n}-{fw}-{i}" for n, fw, i, _ in LEAVES])
def test_every_fixed_keyword_is_declared_with_a_reason(name: str, framework: str, index: int, leaf: Binding) -> None:
    for keyword, value in leaf.fixed.items():
        assert isinstance(value, Fixed) and value.reason.strip(), \
            f"{name}[{framework}]: fixed {keyword}={value!r} without a reason: declare it fix(value, reason)"


@pytest.mark.parametrize("name,framework,index,leaf",
                         [x for x in LEAVES if x[3].kind not in ("none", "custom")],
                         ids=[f"{n}-{fw}-{i}" for n, fw, i, leaf in LEAVES if leaf.kind not in ("none", "custom")])
def test_the_rendered_call_passes_no_undeclared_keyword(name: str, framework: str, index: int, leaf: Binding) -> None:
    declared = OPS[name]
    if leaf.kind == "expression":  # a keyword given a literal, not an argument, attribute or fixed constant
        hidden = literal_keywords(leaf.code, {*declared.arg_names, *declared.attrs, *leaf.fixed}) - set(leaf.fixed)
        assert not hidden, f"{name}[{framework}]: {leaf.code} passes {sorted(hidden)}, neither pinned nor fixed"
        return
    attrs = _leaf_attrs(declared, leaf)
    text = render(leaf, declared, {a: a for a in declared.arg_names}, attrs)
    allowed = set(leaf.fixed)
    allowed |= {a.split("=", 1)[0] for a in leaf.args or () if isinstance(a, str) and "=" in a}
    allowed |= {leaf.attrs[a].keyword for a in attrs if a in leaf.attrs}
    hidden = _keywords(text) - allowed
    assert not hidden, f"{name}[{framework}]: {text} passes {sorted(hidden)}, neither pinned nor declared fixed"


def test_fixed_values_show_in_the_listing_with_their_reason() -> None:
    listing = describe_binding(OPS["accuracy"].jax)
    assert "threshold=0.5 (flax.nnx.metrics.Accuracy is binary only with a threshold" in listing


def test_a_pinned_attribute_replaces_a_fixed_value_of_the_same_keyword() -> None:
    declared = OPS["accuracy"]
    leaf = declared.jax.cases["binary"]
    texts = {"preds": "p", "target": "t"}
    assert "Accuracy(threshold=0.5)" in render(leaf, declared, texts, {"task": "binary"})
    assert "Accuracy(threshold=0.7)" in render(leaf, declared, texts, {"task": "binary", "threshold": 0.7})


def test_custom_bindings_literal_keywords_do_not_grow() -> None:
    undeclared = []
    for name, framework, _, leaf in LEAVES:
        if leaf.kind != "custom":
            continue
        for keyword, value in re.findall(r"(\w+)=([^,)]+)", leaf.code):
            derived = "{" in value or value.strip() == "..."  # from an argument or a pinned attribute
            if not derived and keyword not in leaf.fixed:
                undeclared.append(f"{name}[{framework}]: {keyword}={value}")
    print(f"{len(undeclared)} literal keywords in custom bindings not declared fixed:", *undeclared, sep="\n  ")
    assert len(undeclared) <= CUSTOM_UNDECLARED_CEILING, undeclared


def test_the_listing_shows_the_argument_order_of_the_call() -> None:
    # Keras' cosine_similarity is called (x2, x1): the listing (oracle ops, docs/ops.md) says so
    assert describe_binding(OPS["cosine_similarity"].tensorflow) == "keras.losses.cosine_similarity(x2, x1)"
    assert describe_binding(OPS["cosine_similarity"].torch) == "torch.nn.functional.cosine_similarity"
