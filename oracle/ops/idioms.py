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

from typing import Any, TypedDict

from oracle.ops.spec import Binding, Fixed, custom, fix, op

JAX_SHARP_BITS = "https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html"
TF_FUNCTION = "https://www.tensorflow.org/guide/function"
TORCH_COMPILE = "https://docs.pytorch.org/docs/stable/torch.compiler_troubleshooting.html"
TORCH_FULLGRAPH = "https://docs.pytorch.org/docs/stable/compile/programming_model.fullgraph_true.html"
JAX_CONTROL_FLOW = "https://docs.jax.dev/en/latest/control-flow.html"
JAX_ERRORS = "https://docs.jax.dev/en/latest/errors.html"
JAX_JIT = "https://docs.jax.dev/en/latest/_autosummary/jax.jit.html"
COMPILERS = {"jax": "jax.jit", "tensorflow": "tf.function", "torch": "torch.compile"}
SUMS = {"jax": "x.sum()", "tensorflow": "tf.reduce_sum(x)", "torch": "x.sum()"}
# compiled f as a whole graph or not at all; with argument 1 static (tf.function and torch.compile take a
# Python int as it is: part of the trace's signature, or specialized on)
WHOLE_GRAPH = {"jax": "jax.jit(f)", "tensorflow": "tf.function(f, jit_compile=True)",
               "torch": "torch.compile(f, fullgraph=True)"}
STATIC_1 = {"jax": "jax.jit(f, static_argnums=1)", "tensorflow": "tf.function(f)", "torch": "torch.compile(f)"}


class Bindings(TypedDict):
    jax: Binding
    tensorflow: Binding
    torch: Binding


def compiled(name: str, code: str, compilers: dict[str, str] = COMPILERS,
             fixed: dict[str, dict[str, Fixed]] | None = None) -> Bindings:
    """The idiom's binding in each framework: the adapter's function `name` (adapters/idioms.py, given that
    framework's compiler), shown as `code`, the calls in words, with COMPILE read as the compiler (or as
    `compilers` has it: a whole-graph or static-argument form, whose keywords `fixed` declares) and SUM as
    the framework's sum of x."""
    def binding(framework: str) -> Binding:
        text = code.replace("COMPILE", compilers[framework]).replace("SUM", SUMS[framework])
        return custom(name, text, fixed=(fixed or {}).get(framework))

    return Bindings(jax=binding("jax"), tensorflow=binding("tensorflow"), torch=binding("torch"))


def _if_on_value(r: Any, x: Any) -> Any:
    return x * 2 if float(r.concrete(x).sum()) > 0 else -x  # eager Python: the branch the values choose


def _side_effect_count(r: Any, x: Any) -> Any:
    return r.xp.asarray(2.0)  # eager Python: two calls append twice


def _scalar_argument_runs(r: Any, x: Any) -> Any:
    return r.xp.asarray(2.0)  # eager Python: the body runs on each of the two calls


def _global_read(r: Any, x: Any) -> Any:
    return x * 2.0  # eager Python: the second call reads the global as it is then (2.0)


def _new_shape_runs(r: Any, x: Any) -> Any:
    return r.xp.asarray(3.0)  # eager Python: the body runs on each of the three calls


def _new_dtype_runs(r: Any, x: Any, n: Any) -> Any:
    return r.xp.asarray(3.0)  # eager Python: the body runs on each of the three calls


def _float_of_value(r: Any, x: Any) -> Any:
    return x * float(r.concrete(x).sum())  # eager Python: float() of a computed value is that value


def _boolean_mask(r: Any, x: Any) -> Any:
    return x[r.concrete(x) > 0]  # eager Python: as many values as are positive


def _while_on_value(r: Any, x: Any) -> Any:
    while float(r.concrete(x).sum()) < 10:  # eager Python: the loop runs as long as the values say
        x = x * 2
    return x


def _item_assignment(r: Any, x: Any) -> Any:
    return r.xp.concatenate([r.xp.zeros((1,), dtype=x.dtype), x[1:]])  # eager NumPy: y[0] = 0 on a copy of x


def _int_argument_slice(r: Any, x: Any) -> Any:
    return x[:2]  # eager Python: a Python int slices


def _print_count(r: Any, x: Any) -> Any:
    return r.xp.asarray(2.0)  # eager Python: two calls print twice


def _leaked_intermediate(r: Any, x: Any) -> Any:
    return x * 2 + 1  # eager Python: the kept intermediate 2x is a value, usable after the call


def _out_of_bounds_index(r: Any, x: Any) -> Any:
    n = x.shape[0]
    if not r.follows("clamp_index"):  # eager NumPy raises
        raise IndexError(f"index {n} is out of bounds for axis 0 with size {n}")
    r.note(f"index {n} clamped into [0, {n - 1}]")
    return x[n - 1]


def _static_argument_runs(r: Any, x: Any) -> Any:
    return r.xp.asarray(3.0)  # eager Python: the body runs on each of the three calls


def _closure_list_read(r: Any, x: Any) -> Any:
    return x * 2.0  # eager Python: the second call reads the list as it is then (two items)


OPS = [
    op("compiled_if_on_value", "idioms", "x",
       "f(x) = 2x if sum(x) > 0 else -x, a Python `if` on a tensor's value, called through the framework's "
       "compiler", _if_on_value,
       conventions="eager Python takes the branch the values choose; jax.jit cannot turn a traced value into a "
                   f"Python bool ({JAX_SHARP_BITS}); tf.function's AutoGraph rewrites the `if` into tf.cond "
                   f"({TF_FUNCTION}); torch.compile breaks the graph at the branch ({TORCH_COMPILE})",
       **compiled("compiled_if_on_value", "COMPILE(f)({x}) with def f(x): return x * 2 if SUM > 0 else -x")),
    op("compiled_side_effect_count", "idioms", "x",
       "how many times a Python side effect in f (appending to a list) ran over two calls of compiled f on "
       "inputs of one shape and dtype", _side_effect_count,
       conventions="eager Python runs it on every call (2); jax.jit and tf.function run the Python body only "
                   f"while tracing, once per new signature ({JAX_SHARP_BITS}; {TF_FUNCTION}); torch.compile "
                   "replays side effects on Python objects after each call",
       **compiled("compiled_side_effect_count",
                  "calls = []; f = COMPILE(lambda x: calls.append(1) or x + 1); f({x}); "
                  "f({x}); len(calls)")),
    op("compiled_scalar_argument_runs", "idioms", "x",
       "how many times the Python body of compiled f(x, s) ran over two calls that differ only in a Python "
       "float s (1.0, then 2.0)", _scalar_argument_runs,
       conventions="eager Python runs it on each call (2); jax.jit traces a Python scalar as a weakly typed "
                   "array, so the second call reuses the trace (1); tf.function makes a Python scalar part of "
                   f"the signature and retraces for each new value (2) ({TF_FUNCTION}); torch.compile replays "
                   "side effects on Python objects after each call (2)",
       **compiled("compiled_scalar_argument_runs",
                  "runs = []; f = COMPILE(lambda x, s: runs.append(1) or x * s); "
                  "f({x}, 1.0); f({x}, 2.0); len(runs)")),
    op("compiled_global_read", "idioms", "x",
       "f(x) = x * scale with scale a Python global: call compiled f with scale = 1.0, set scale = 2.0, and "
       "return the second call's result", _global_read,
       conventions="eager Python reads the global at each call (2x); jax.jit and tf.function bake the value "
                   f"read while tracing into the compiled function (x) ({JAX_SHARP_BITS}; {TF_FUNCTION}); "
                   "torch.compile guards on the global and recompiles when it changes",
       **compiled("compiled_global_read", "scale = 1.0; f = COMPILE(lambda x: x * scale); f({x}); scale = 2.0; f({x})")),
    op("compiled_new_shape_runs", "idioms", "x",
       "how many times the Python body of compiled f ran over three calls: on x, on x[:1] (a new shape), and "
       "on x again", _new_shape_runs,
       conventions="eager Python runs it on each call (3); jax.jit and tf.function trace once per input shape and "
                   f"reuse the trace when a shape comes back (2) ({JAX_CONTROL_FLOW}; {TF_FUNCTION}); torch.compile "
                   "replays side effects on Python objects after each call",
       **compiled("compiled_new_shape_runs",
                  "runs = []; f = COMPILE(lambda x: runs.append(1) or x + 1); f({x}); f({x}[:1]); "
                  "f({x}); len(runs)")),
    op("compiled_new_dtype_runs", "idioms", "x n",
       "how many times the Python body of compiled f ran over three calls: on x, on n (same shape, another "
       "dtype), and on x again", _new_dtype_runs,
       conventions="eager Python runs it on each call (3); jax.jit and tf.function trace once per input dtype and "
                   f"reuse the trace when a dtype comes back (2) ({JAX_CONTROL_FLOW}; {TF_FUNCTION}); torch.compile "
                   "replays side effects on Python objects after each call",
       **compiled("compiled_new_dtype_runs",
                  "runs = []; f = COMPILE(lambda x: runs.append(1) or x + 1); f({x}); f({n}); "
                  "f({x}); len(runs)")),
    op("compiled_float_of_value", "idioms", "x",
       "f(x) = x * float(sum(x)): a Python float of a value computed inside the compiled function",
       _float_of_value,
       conventions="eager Python computes; jax.jit cannot turn a traced value into a Python float "
                   f"(ConcretizationTypeError, {JAX_ERRORS}); tf.function's AutoGraph converts the builtin "
                   f"float() into a cast ({TF_FUNCTION}); torch.compile breaks the graph at the conversion "
                   f"({TORCH_COMPILE})",
       **compiled("compiled_float_of_value", "COMPILE(f)({x}) with def f(x): return x * float(SUM)")),
    op("compiled_boolean_mask", "idioms", "x",
       "f(x) = x[x > 0], a result whose length depends on the values, inside the compiled function",
       _boolean_mask,
       conventions="eager Python keeps the positive values; jax.jit needs every shape known while tracing "
                   f"(NonConcreteBooleanIndexError, {JAX_ERRORS}); tf.function and torch.compile allow a "
                   "dynamic result shape",
       **compiled("compiled_boolean_mask", "COMPILE(f)({x}) with def f(x): return x[x > 0]")),
    op("compiled_while_on_value", "idioms", "x",
       "f(x): while sum(x) < 10: x = 2x; return x, a Python `while` on a tensor's value, called through the "
       "framework's compiler", _while_on_value,
       conventions="eager Python loops as long as the values say; jax.jit cannot turn a traced value into a "
                   f"Python bool ({JAX_CONTROL_FLOW}); tf.function's AutoGraph rewrites the `while` on a tensor "
                   f"into tf.while_loop ({TF_FUNCTION}); torch.compile breaks the graph at the condition",
       **compiled("compiled_while_on_value", "COMPILE(f)({x}) with def f(x): while SUM < 10: x = x * 2; return x")),
    op("compiled_item_assignment", "idioms", "x",
       "f(x): y = x + 0; y[0] = 0; return y, an in-place item assignment on an array made inside the compiled "
       "function", _item_assignment,
       conventions="eager NumPy assigns in place; JAX arrays are immutable (TypeError, use y.at[0].set(0)) "
                   f"({JAX_SHARP_BITS}); a tf.Tensor has no item assignment (TypeError); torch.compile keeps "
                   "torch's in-place write",
       **compiled("compiled_item_assignment", "COMPILE(f)({x}) with def f(x): y = x + 0; y[0] = 0; return y")),
    op("compiled_int_argument_slice", "idioms", "x",
       "f(x, n) = x[:n] called through the framework's compiler with a Python int n = 2", _int_argument_slice,
       conventions="eager Python slices; jax.jit traces n as an array, and a slice needs static bounds (IndexError; "
                   f"static_argnums=1 makes n static) ({JAX_JIT}); tf.function makes a Python int part of the "
                   f"signature ({TF_FUNCTION}); torch.compile specializes on it",
       **compiled("compiled_int_argument_slice", "COMPILE(f)({x}, 2) with def f(x, n): return x[:n]")),
    op("compiled_print_count", "idioms", "x",
       "how many lines a Python print in f wrote over two calls of compiled f on one input", _print_count,
       conventions="eager Python prints on every call (2); jax.jit and tf.function run print only while tracing "
                   f"(1; tf.print and jax.debug.print run on every call) ({JAX_SHARP_BITS}; {TF_FUNCTION}); "
                   "torch.compile breaks the graph at print and runs it on every call",
       **compiled("compiled_print_count", "f = COMPILE(lambda x: print('called') or x + 1); f({x}); f({x})")),
    op("compiled_leaked_intermediate", "idioms", "x",
       "compiled f(x) keeps its intermediate y = 2x in a Python list outside f and returns y + 1; after the "
       "call, the kept y + 1", _leaked_intermediate,
       conventions="eager Python keeps a value (2x + 1); jax.jit's kept intermediate is a tracer, which raises "
                   f"when used after the trace (UnexpectedTracerError, {JAX_ERRORS}); tf.function's is a graph "
                   f"tensor, out of scope outside the graph (TypeError, {TF_FUNCTION}); torch.compile keeps a tensor",
       **compiled("compiled_leaked_intermediate",
                  "saved = []; COMPILE(lambda x: saved.append(x * 2) or saved[-1] + 1)({x}); "
                  "saved[0] + 1")),
    op("compiled_out_of_bounds_index", "idioms", "x",
       "f(x) = x[x.shape[0]], the first index past the end, inside the compiled function",
       _out_of_bounds_index, alternatives=("clamp_index",),
       conventions="eager NumPy raises IndexError; JAX clamps an out-of-bounds index for retrieval, returning "
                   f"the last value ({JAX_SHARP_BITS}); tf.function checks the static shape while tracing; "
                   "torch.compile raises as eager torch does",
       **compiled("compiled_out_of_bounds_index", "COMPILE(f)({x}) with def f(x): return x[x.shape[0]]")),
    op("compiled_strict_if_on_value", "idioms", "x",
       "f(x) = 2x if sum(x) > 0 else -x, a Python `if` on a tensor's value, through the compiler's whole-graph "
       "form: jax.jit, tf.function(jit_compile=True), torch.compile(fullgraph=True)", _if_on_value,
       conventions="eager Python takes the branch the values choose; jax.jit always compiles one graph and "
                   "cannot turn a traced value into a Python bool; tf.function's AutoGraph rewrites the `if` "
                   "into tf.cond, which XLA compiles; torch.compile(fullgraph=True) raises at the graph break "
                   f"instead of breaking the graph ({TORCH_FULLGRAPH})",
       **compiled("compiled_strict_if_on_value", "COMPILE({x}) with def f(x): return x * 2 if SUM > 0 else -x",
                  WHOLE_GRAPH, {"tensorflow": {"jit_compile": fix(True, "the whole-graph form: XLA compiles f as one "
                                                                    "graph or fails")},
                                "torch": {"fullgraph": fix(True, "the whole-graph form: a graph break raises "
                                                                 "instead of splitting f")}})),
    op("compiled_static_argument_runs", "idioms", "x",
       "how many times the Python body of compiled f(x, n) = x[:n] ran over calls with the Python int n = 1, 2, "
       "then 1, with n static: jax.jit(f, static_argnums=1); tf.function and torch.compile take the int as it is",
       _static_argument_runs,
       conventions="eager Python runs it on each call (3); jax.jit compiles once per new value of a static "
                   f"argument and reuses a compilation when a value comes back (2) ({JAX_JIT}); tf.function "
                   f"makes a Python int part of the signature, likewise (2) ({TF_FUNCTION}); torch.compile "
                   "replays side effects on Python objects after each call",
       **compiled("compiled_static_argument_runs",
                  "runs = []; g = COMPILE; g({x}, 1); g({x}, 2); g({x}, 1); len(runs) with def f(x, n): "
                  "runs.append(1); return x[:n]", STATIC_1,
                  {"jax": {"static_argnums": fix(1, "n, the slice bound, must be static under jax.jit")}})),
    op("compiled_closure_list_read", "idioms", "x",
       "f(x) = x * len(items) with items a Python list f closes over: call compiled f with one item, append a "
       "second, and return the second call's result", _closure_list_read,
       conventions="eager Python reads the list at each call (2x); jax.jit and tf.function read it while tracing "
                   f"and keep that value (x) ({JAX_SHARP_BITS}; {TF_FUNCTION}); torch.compile guards on the "
                   "list's length and recompiles when it changes",
       **compiled("compiled_closure_list_read",
                  "items = [1.0]; f = COMPILE(lambda x: x * len(items)); f({x}); items.append(2.0); f({x})")),
]
