"""User-defined functions under tracing (kusari.jit, compiler.trace).

The forward becomes an opaque `function_node` op that calls the user's
forward at every run of the compiled code. Its outputs' shapes and dtypes are
found when the function is traced, by running the forward once on a copy of
the function with stand-in arrays of the inputs' shapes and dtypes (values in
[0.5, 1.5) for floats, zeros for integers); the indexes it retains and the
non-array attributes it sets (shapes, flags) are kept for the backward.

The backward is traced into IR: the user's `backward` runs on traced
Variables standing for the output gradients and the retained inputs and
outputs, and the ops it applies become IR in the gradient graph, so they fuse
and differentiate again. What a traced backward cannot do, and says so: read
an array its forward stored on `self` (the forward has not run when the
backward is traced: retain the array, or compute it in backward), or compute
on arrays. An old-style Function's backward computes on arrays: it becomes a
FunctionNode of its own (kusari.function._OldStyleBackward), opaque, run after
the forward at every run, and refusing a second differentiation, as in Chainer.
"""
from __future__ import annotations

import copy
import warnings
import weakref

import numpy as np

from .compiler.errors import TraceError
from .configuration import state
from .tape import Node
from .tracing import Traced
from .user_function import (FunctionRef, _check_outputs, _type_of, _user_op)


def _holds_array(value) -> bool:
    if isinstance(value, (tuple, list)):
        return any(_holds_array(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_array(v) for v in value.values())
    return isinstance(value, (np.ndarray, Traced)) or \
        type(value).__module__.split(".")[0] in ("cupy", "kusari")


def _stand_in(a):
    """An array like `a` (a traced value, or a concrete one) to run a forward on."""
    if type(a) is not Traced:
        return a
    if a.dtype.kind == "f":
        return np.random.RandomState(0).uniform(0.5, 1.5, a.shape).astype(a.dtype)
    return np.zeros(a.shape, a.dtype)


def _infer(fn, in_data):
    """Run `fn`'s forward on stand-ins: the outputs' types (and what the
    forward decided that the backward may read)."""
    clone = copy.copy(fn)
    clone._input_indexes_to_retain = None
    clone._output_indexes_to_retain = None
    before = dict(vars(fn))
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outputs = clone.forward(tuple(_stand_in(a) for a in in_data))
    except TraceError:
        raise
    except Exception as e:
        raise TraceError(
            f"{fn.label}: kusari.jit runs the forward of a FunctionNode once on stand-in "
            "arrays (of the inputs' shapes and dtypes) to learn its outputs' types, and "
            f"it failed there: {type(e).__name__}: {e}") from e
    _check_outputs(fn, outputs)
    for k, y in enumerate(outputs):
        if y is None:
            raise TraceError(f"{fn.label}: under kusari.jit a FunctionNode's outputs must "
                             f"be arrays (output {k} is None)")
    fn._input_indexes_to_retain = clone._input_indexes_to_retain
    fn._output_indexes_to_retain = clone._output_indexes_to_retain
    for k, v in vars(clone).items():
        if k.startswith("_") and k.endswith("_to_retain"):
            continue
        if (k not in before or before[k] is not v) and not _holds_array(v):
            setattr(fn, k, v)      # shapes, flags the forward set: same at every run
    return [_type_of(y) for y in outputs]


def apply_traced(fn, input_vars, in_data):
    """FunctionNode.apply on traced inputs: one opaque op per output."""
    from .function_node import _trace_node, stop_gradient
    from .variable import Variable
    for k, a in enumerate(in_data):
        if a is None:
            raise TraceError(f"{fn.label}: under kusari.jit the inputs of a FunctionNode "
                             f"must be arrays (input {k} is None)")
    if state.type_check:
        fn._check_data_type_forward(in_data)
    out_types = _infer(fn, in_data)
    fn._output_count = len(out_types)
    requires = any(x._requires_grad for x in input_vars)
    fn.rank = max([x.node.rank for x in input_vars], default=0)
    inputs = tuple([_trace_node(x) for x in input_vars])
    fn.inputs = inputs
    fn._ref = ref = FunctionRef(fn, out_types, [_type_of(a) for a in in_data])
    saved = tuple(in_data)
    ret = []
    for k, (shape, dtype) in enumerate(out_types):
        out = Traced(shape, dtype)
        v = Variable.__new__(Variable)
        v._array = out
        v._grad = None
        v._grad_var = None
        v.name = None
        v._requires_grad = requires
        v._node = out.node = Node(_user_op(), (ref, k), inputs, saved, out,
                                  weakref.ref(v), shape, dtype, requires)
        ret.append(v if requires and state.enable_backprop else stop_gradient(v))
    fn.outputs = tuple([weakref.ref(v._node) for v in ret])
    fn._retained_output_data = None
    return tuple(ret)


def traced_backward(ref, gys: dict, outs: dict, inputs, needed) -> list:
    """The user's backward traced into the gradient graph of `inputs[0].g`.

    gys/outs: output index -> Sym of its gradient / of the output (a
    retained output not in the graph is added). Returns one Sym or None per
    input."""
    from . import tracing
    from .user_function import FunctionNode
    fn = ref.node
    targets = tuple([i for i, want in enumerate(needed) if want])
    if not gys or not targets or not inputs:
        return [None] * len(inputs)
    g = inputs[0].g
    n_out = len(ref.out_types)
    from .function import FunctionAdapter
    if isinstance(fn, FunctionAdapter):
        return _opaque_backward(ref, gys, outs, inputs, targets)
    retain_in = tuple(fn._input_indexes_to_retain or ())
    retain_out = tuple(fn._output_indexes_to_retain or ())
    out_syms = {}
    for k in retain_out:
        if k in outs:
            out_syms[k] = outs[k]
        else:               # an output the graph does not use: made again
            shape, dtype = ref.out_types[k]
            out_syms[k] = type(inputs[0])(g, g.add_raw(
                "function_node", [x.n for x in inputs], {"function": ref, "output": k},
                shape, dtype))
    grad_keys = sorted(gys)
    bound = [gys[k] for k in grad_keys] + [inputs[i] for i in retain_in] + \
        [out_syms[k] for k in retain_out]
    present: list = []

    def body(*args):
        gy_vars = dict(zip(grad_keys, args[:len(grad_keys)]))
        rest = args[len(grad_keys):]
        fn._traced_retained = (tuple(rest[:len(retain_in)]), tuple(rest[len(retain_in):]))
        try:
            grad_outputs = tuple([gy_vars.get(k) for k in range(n_out)])
            if type(fn).backward_accumulate is not FunctionNode.backward_accumulate:
                gxs = fn.backward_accumulate(targets, grad_outputs, (None,) * len(targets))
            else:
                gxs = fn.backward(targets, grad_outputs)
                if len(gxs) == len(inputs):
                    gxs = tuple([gxs[i] for i in targets])
            if len(gxs) != len(targets):
                raise ValueError(fn._get_error_message(
                    "number of gradients returned from backward is incorrect: "
                    f"{len(gxs)} != expected {len(inputs)} or {len(targets)}"))
        finally:
            fn._traced_retained = None
        out = []
        for i, gx in zip(targets, gxs):
            if gx is not None:
                present.append(i)
                out.append(gx)
        return tuple(out)

    examples = [np.lib.stride_tricks.as_strided(np.zeros(1, s.dtype), s.shape,
                                                (0,) * len(s.shape)) for s in bound]
    try:
        h, _, _, _, _ = tracing.trace_to_graph(body, examples, name=f"backward of {fn.label}",
                                               capture="const")
    except AttributeError as e:
        raise TraceError(
            f"the backward of {fn.label} reads an attribute its forward did not set while "
            f"kusari.jit traced it ({e}): under jit the backward is traced before any "
            "forward runs, so an array the forward stores on self is not there; retain it "
            "with retain_inputs/retain_outputs, or compute it in backward") from e
    except TraceError as e:
        raise TraceError(f"the backward of {fn.label} cannot be traced under kusari.jit: "
                         f"{e} (write it with Variables and kusari.functions, or as an "
                         "old-style Function, whose array backward runs as it is)") from e
    ids = _inline(g, h, [s.n for s in bound])
    result: list = [None] * len(inputs)
    for i, n in zip(present, ids):
        x = inputs[i]
        shape, dtype = g.shape(n), g.dtype(n)
        if dtype != x.dtype:
            raise TypeError(f"Function `{fn._impl_name}` ({fn.label}): the gradient of input "
                            f"{i} is {dtype}, but the input is {x.dtype}")
        if shape != x.shape:
            raise ValueError(f"Function `{fn._impl_name}` ({fn.label}): the gradient of input "
                             f"{i} has shape {shape}, but the input has {x.shape}")
        result[i] = type(x)(g, n)
    return result


def _output_syms(ref, outs: dict, inputs) -> list:
    """Syms of every output of the application (one not in the graph is made)."""
    g = inputs[0].g
    out = []
    for k, (shape, dtype) in enumerate(ref.out_types):
        if k in outs:
            out.append(outs[k])
        else:
            out.append(type(inputs[0])(g, g.add_raw(
                "function_node", [x.n for x in inputs], {"function": ref, "output": k},
                shape, dtype)))
    return out


def _opaque_backward(ref, gys: dict, outs: dict, inputs, targets) -> list:
    """An old-style Function's array backward, as a FunctionNode of its own
    applied in the graph: an opaque op per input gradient, reading the
    inputs, the forward's outputs (so that it runs after the forward) and
    the outputs' gradients. It cannot be differentiated again (as in Chainer)."""
    from .function import _OldStyleBackward
    g = inputs[0].g
    present = tuple(sorted(gys))
    back = _OldStyleBackward(ref.node, len(ref.out_types), present)
    back._ref = bref = FunctionRef(back, ref.in_types)
    back._output_count = len(ref.in_types)
    operands = [x.n for x in inputs] + [y.n for y in _output_syms(ref, outs, inputs)] + \
        [gys[k].n for k in present]
    result: list = [None] * len(inputs)
    for i in targets:
        shape, dtype = ref.in_types[i]
        result[i] = type(inputs[0])(g, g.add_raw(
            "function_node", operands, {"function": bref, "output": i}, shape, dtype))
    return result


def _inline(g, h, bound_ids) -> list:
    """Copy graph `h` into `g`, its inputs bound to `bound_ids`; returns the
    node ids of its outputs in `g`."""
    ids = dict(zip(h.inputs, bound_ids))
    nodes = h.nx._node
    for n in h.topo():
        if n in ids:
            continue
        d = nodes[n]
        ids[n] = g.add_raw(d["op"], [ids[a] for a in d["args"]], dict(d["attrs"]),
                           d["shape"], d["dtype"])
    return [ids[o] for o in h.outputs]
