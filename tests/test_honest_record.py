"""The record is the calls made: no recorded `native_api` in the whole suite holds a placeholder, and the
optimizer cells name each framework's defaults in effect (issue 21, item 5)."""

from __future__ import annotations

import json
import re
from typing import Any

from oracle.steps import parse_step

# What a description holds and a call as made never does: `**pinned`, `<pinned keywords>`, an elided value
# (`average=...`; an Ellipsis index `m.kernel[...]` is code), a name left unfilled (`{step}`), a keyword
# "when pinned", and the unfilled schedule names the issue found (`eta_min=alpha * lr`, a schedule's `, gamma,`;
# a norm layer's weight argument named gamma is a name filled).
PATTERNS = {
    "**pinned": r"\*\*pinned",
    "angle placeholder": r"<[A-Za-z_][^<>\n]*>",
    "ellipsis": r"(?<!\[)\.\.\.(?!\])",
    "unfilled brace": r"\{[A-Za-z_]\w*\}",
    "conditional words": r"\b(?:if|when|is) pinned\b",
    "unfilled schedule name": r"alpha \* l|(?:Decay|LR)\([^()]*, gamma[,)]",
}


def placeholders(text: str) -> list[str]:
    return [name for name, pattern in PATTERNS.items() if re.search(pattern, text)]


def test_the_patterns_tell_a_placeholder_from_code() -> None:
    assert placeholders("torch.optim.Adadelta([p], **pinned)") == ["**pinned"]
    assert placeholders("keras.metrics.F1Score(average=...).update_state(y, p)") == ["ellipsis"]
    assert placeholders("CosineAnnealingLR(opt, T_max=4, eta_min=alpha * lr)") == ["unfilled schedule name"]
    assert placeholders("ExponentialDecay(0.1, 4, gamma, staircase=True)") == ["unfilled schedule name"]
    assert placeholders("opt = torch.optim.SGD([p], <pinned keywords>)") == ["angle placeholder"]
    assert placeholders("optax.exponential_decay(0.1, 4)({step})") == ["unfilled brace"]
    for code in ("m.query.kernel[...] = a", "x < y", "tx.update({'w': g}, state)", "StepLR(opt, step_size=2, "
                 "gamma=0.5)", "torch.nn.Dropout(p=0.3)(x)",
                 "reference.group_norm_layer(x, gamma, beta, groups=2)"):
        assert placeholders(code) == [], code


def test_no_recorded_native_api_in_the_suite_holds_a_placeholder(pipeline: dict[str, Any]) -> None:
    apis = [(case["id"], column, api) for case in pipeline["cases"] for column, cell in case["columns"].items()
            for api in cell.get("native_api") or []]
    assert len({a[0] for a in apis}) >= 400  # the whole suite, not a corner of it
    bad = [(case, column, api, placeholders(api)) for case, column, api in apis if placeholders(api)]
    assert not bad, f"{len(bad)} recorded calls hold a placeholder, e.g.\n" + json.dumps(bad[:8], indent=1)


def _optimizer_steps(case: dict[str, Any]) -> list[Any]:
    steps = [parse_step(text) for text in case["steps"]]
    return [s for s in steps if s.op.endswith("_step") or s.op == "optimize"]


def test_optimizer_cells_record_the_defaults_in_effect(pipeline: dict[str, Any]) -> None:
    """A cell of an optimizer op names, per step, the value in effect of each hyperparameter it left to the
    framework, read back from what it built (torch opt.defaults, Keras attributes, optax's signature, saying so):
    the learning rate, which every optimizer has, always; never a pinned one."""
    checked, missing, pinned_named = 0, [], []
    for case in pipeline["cases"]:
        for step in _optimizer_steps(case):
            for column in ("torch", "tensorflow", "jax"):
                cell = case["columns"].get(column)
                if cell is None or cell["status"] != "ok":
                    continue
                found = (cell.get("notes") or {}).get("attr_defaults", {}).get(step.out, {})
                checked += 1
                if "learning_rate" not in step.attrs and not found.get("learning_rate"):
                    missing.append((case["id"], column, step.out))
                pinned_named += [(case["id"], column, k) for k in found if k in step.attrs]
    assert checked >= 40
    assert not missing, missing[:10]
    assert not pinned_named, pinned_named[:10]
