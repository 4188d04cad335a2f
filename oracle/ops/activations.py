"""Activations: elementwise nonlinearities and softmax-type normalisations."""

from __future__ import annotations

from oracle.ops.spec import Attr, call, op

SOFTMAX_AXIS = Attr("axis", reference=-1, doc="the axis normalised; the reference uses the last when unpinned")


def _softmax(r, x, axis):  # type: ignore[no-untyped-def]
    shifted = x - r.xp.max(x, axis=axis, keepdims=True)
    e = r.xp.exp(shifted)
    return e / r.xp.sum(e, axis=axis, keepdims=True)


def _log_softmax(r, x, axis):  # type: ignore[no-untyped-def]
    shifted = x - r.xp.max(x, axis=axis, keepdims=True)
    return shifted - r.xp.log(r.xp.sum(r.xp.exp(shifted), axis=axis, keepdims=True))


OPS = [
    op("softmax", "activation", "x", "exp(x) / sum(exp(x)) along `axis`, computed stably", _softmax,
       attrs={"axis": SOFTMAX_AXIS},
       torch=call("torch.nn.functional.softmax", axis="dim"), tensorflow=call("tf.nn.softmax", axis="axis"),
       jax=call("jax.nn.softmax", axis="axis")),
    op("log_softmax", "activation", "x", "x - logsumexp(x) along `axis`", _log_softmax,
       attrs={"axis": SOFTMAX_AXIS},
       torch=call("torch.nn.functional.log_softmax", axis="dim"), tensorflow=call("tf.nn.log_softmax", axis="axis"),
       jax=call("jax.nn.log_softmax", axis="axis")),
]
