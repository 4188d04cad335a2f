"""Idioms: Python code around a compiled call (jax.jit, tf.function, torch.compile), declared once (issue 26).

Some pitfalls are not an op's numerics but what a compiler does with the Python around it: an `if` on
a traced value, a Python side effect that runs once per trace, a global read at trace time. Each idiom
is an op whose reference states the eager Python semantics (the reference's own JAX float64 code, run
without a compiler), and whose binding in each framework is a small named function in the adapter
(adapters/<framework>_idioms.py) that builds the user's function and calls it through that framework's
compiler, as its documentation shows. Where a compiled call differs from eager Python, the column
records the framework's behaviour: an error, or other values.
"""

from __future__ import annotations

from typing import Any

from oracle.ops.spec import custom, op

JAX_SHARP_BITS = "https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html"
TF_FUNCTION = "https://www.tensorflow.org/guide/function"
TORCH_COMPILE = "https://docs.pytorch.org/docs/stable/torch.compiler_troubleshooting.html"


def _if_on_value(r: Any, x: Any) -> Any:
    return x * 2 if float(r.concrete(x).sum()) > 0 else -x  # eager Python: the branch the values choose


def _side_effect_count(r: Any, x: Any) -> Any:
    return r.xp.asarray(2.0)  # eager Python: two calls append twice


def _scalar_argument_runs(r: Any, x: Any) -> Any:
    return r.xp.asarray(2.0)  # eager Python: the body runs on each of the two calls


def _global_read(r: Any, x: Any) -> Any:
    return x * 2.0  # eager Python: the second call reads the global as it is then (2.0)


OPS = [
    op("compiled_if_on_value", "idioms", "x",
       "f(x) = 2x if sum(x) > 0 else -x, a Python `if` on a tensor's value, called through the framework's "
       "compiler", _if_on_value,
       conventions="eager Python takes the branch the values choose; jax.jit cannot turn a traced value into a "
                   f"Python bool ({JAX_SHARP_BITS}); tf.function's AutoGraph rewrites the `if` into tf.cond "
                   f"({TF_FUNCTION}); torch.compile breaks the graph at the branch ({TORCH_COMPILE})",
       jax=custom("compiled_if_on_value", "jax.jit(f)({x}) with def f(x): return x * 2 if x.sum() > 0 else -x"),
       tensorflow=custom("compiled_if_on_value",
                         "tf.function(f)({x}) with def f(x): return x * 2 if tf.reduce_sum(x) > 0 else -x"),
       torch=custom("compiled_if_on_value",
                    "torch.compile(f)({x}) with def f(x): return x * 2 if x.sum() > 0 else -x")),
    op("compiled_side_effect_count", "idioms", "x",
       "how many times a Python side effect in f (appending to a list) ran over two calls of compiled f on "
       "inputs of one shape and dtype", _side_effect_count,
       conventions="eager Python runs it on every call (2); jax.jit and tf.function run the Python body only "
                   f"while tracing, once per new signature ({JAX_SHARP_BITS}; {TF_FUNCTION}); torch.compile "
                   "replays side effects on Python objects after each call",
       jax=custom("compiled_side_effect_count",
                  "calls = []; f = jax.jit(lambda x: calls.append(1) or x + 1); f({x}); f({x}); len(calls)"),
       tensorflow=custom("compiled_side_effect_count",
                         "calls = []; f = tf.function(lambda x: calls.append(1) or x + 1); f({x}); f({x}); "
                         "len(calls)"),
       torch=custom("compiled_side_effect_count",
                    "calls = []; f = torch.compile(lambda x: calls.append(1) or x + 1); f({x}); f({x}); "
                    "len(calls)")),
    op("compiled_scalar_argument_runs", "idioms", "x",
       "how many times the Python body of compiled f(x, s) ran over two calls that differ only in a Python "
       "float s (1.0, then 2.0)", _scalar_argument_runs,
       conventions="eager Python runs it on each call (2); jax.jit traces a Python scalar as a weakly typed "
                   "array, so the second call reuses the trace (1); tf.function makes a Python scalar part of "
                   f"the signature and retraces for each new value (2) ({TF_FUNCTION}); torch.compile replays "
                   "side effects on Python objects after each call (2)",
       jax=custom("compiled_scalar_argument_runs",
                  "runs = []; f = jax.jit(lambda x, s: runs.append(1) or x * s); f({x}, 1.0); f({x}, 2.0); "
                  "len(runs)"),
       tensorflow=custom("compiled_scalar_argument_runs",
                         "runs = []; f = tf.function(lambda x, s: runs.append(1) or x * s); f({x}, 1.0); "
                         "f({x}, 2.0); len(runs)"),
       torch=custom("compiled_scalar_argument_runs",
                    "runs = []; f = torch.compile(lambda x, s: runs.append(1) or x * s); f({x}, 1.0); "
                    "f({x}, 2.0); len(runs)")),
    op("compiled_global_read", "idioms", "x",
       "f(x) = x * scale with scale a Python global: call compiled f with scale = 1.0, set scale = 2.0, and "
       "return the second call's result", _global_read,
       conventions="eager Python reads the global at each call (2x); jax.jit and tf.function bake the value "
                   f"read while tracing into the compiled function (x) ({JAX_SHARP_BITS}; {TF_FUNCTION}); "
                   "torch.compile guards on the global and recompiles when it changes",
       jax=custom("compiled_global_read",
                  "scale = 1.0; f = jax.jit(lambda x: x * scale); f({x}); scale = 2.0; f({x})"),
       tensorflow=custom("compiled_global_read",
                         "scale = 1.0; f = tf.function(lambda x: x * scale); f({x}); scale = 2.0; f({x})"),
       torch=custom("compiled_global_read",
                    "scale = 1.0; f = torch.compile(lambda x: x * scale); f({x}); scale = 2.0; f({x})")),
]
