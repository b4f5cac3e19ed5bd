"""Applying ops: `apply` records Nodes on the tape (kusari.tape).

`apply` runs one op eagerly: it computes the NumPy result at once (so
`y.array` is there), and records a Node when backprop is enabled and an input
requires a gradient. On traced inputs (inside `kusari.jit` or
`compiler.trace`) it computes no array, only the shape and dtype.
"""
from __future__ import annotations

import traceback
import weakref
from math import prod

import numpy as np

from .backends import cuda
from .compiler.errors import InvalidType, invalid_in
from .compiler.ops import OpDef
from .configuration import state
from .runtime.blocked import EAGER_PARALLEL, parallel_elementwise, parallel_sum
from .tape import Const, Node, _consts, const  # noqa: F401  (Chainer-style names here too)
from . import tracing as _tracing
from .tracing import Traced

ndarray = np.ndarray


# -- apply ------------------------------------------------------------------------

def _value(x):
    return x.value if type(x) is Const else x._array


def _to_node(x):
    if type(x) is Const:
        return x
    node = x._node
    return node if node is not None else x._leaf_node()


HOOKED = [0]      # function hooks registered in any thread (kusari.function_hook)


def apply(op: OpDef, args: tuple, attrs: tuple = (), in_hooks: bool = False):
    """Apply registry op `op` to Variables/Consts `args`; return a Variable.

    Checks the operands with the op's shape rule first (Chainer's InvalidType,
    naming the op) unless `config.type_check` is off. Function hooks in force
    see the application (`in_hooks`: they have been called already).
    """
    if HOOKED[0] and not in_hooks:
        from .function_hook import active_hooks
        hooks = active_hooks()
        if hooks:
            return hooked(op, args, attrs, hooks, _unhooked)
    arrays = [a.value if type(a) is Const else a._array for a in args]
    device = False
    for a in arrays:
        if type(a) is ndarray:
            continue
        if type(a) is not Traced:
            device = device or cuda.is_cupy_array(a)
            continue
        if _tracing.active() is None and _tracing.TRACING:
            # another thread is tracing with these Variables: wait for it
            # to finish (and restore them), then compute on their arrays
            _tracing.wait_for_traces()
            arrays = [a.value if type(a) is Const else a._array for a in args]
            if not any(type(x) is Traced for x in arrays):
                return apply(op, args, attrs, in_hooks)
        return _apply_traced(op, args, attrs)
    if _tracing.TRACING and _tracing.active() is not None:
        # inside a trace an op on concrete Variables alone (a parameter's
        # penalty, W.T) is recorded too: computed at trace time it would be
        # frozen, and its gradient would never reach the parameter
        return _apply_traced(op, args, attrs)
    kw = dict(zip(op.attr_names, attrs)) if attrs else _NO_ATTRS
    out = None
    if device and op.name == "getitem":
        args, arrays = _indices_sent(args, arrays)
    if device:                    # CuPy arrays: the device's kernels
        if state.type_check:
            op.infer_checked(kw, arrays)
        out = _device_kernel(op, arrays, kw)
    elif state.type_check:
        shape, dtype = op.infer_checked(kw, arrays)
        if op.out_arg and prod(shape) >= EAGER_PARALLEL:   # large: over the threads
            out = parallel_elementwise(op.impl, arrays, kw, shape, dtype)
        elif op.name == "sum" and arrays[0].size >= EAGER_PARALLEL:
            out = parallel_sum(arrays[0], kw["axis"], kw["keepdims"])
    try:
        if out is None:
            out = op.impl(*arrays, **kw)
    except InvalidType:
        raise
    except (ValueError, IndexError, TypeError) as e:
        # what the shape rule cannot see (index values out of bounds ...)
        raise invalid_in(op.label, InvalidType("valid operands", str(e))) from None
    if type(out) is not ndarray:
        out = _as_array(out)
    if state.debug:
        check_finite(op, out, "forward")
        return note_stack(record(_Variable(), op, args, attrs, arrays, out))
    return record(_Variable(), op, args, attrs, arrays, out)


def _indices_sent(args, arrays):
    """x[i] on a device array with index arrays on the host (as CuPy's []
    takes them): the indices as Variables on x's device, so that the node
    recorded, and its gradient, hold them there."""
    x = arrays[0]
    if not cuda.is_cupy_array(x) or all(type(a) is not ndarray for a in arrays[1:]):
        return args, arrays
    args, arrays = list(args), list(arrays)
    with x.device:
        for k in range(1, len(arrays)):
            if type(arrays[k]) is ndarray:
                arrays[k] = cuda.cupy.asarray(arrays[k])
                args[k] = _Variable()(arrays[k], requires_grad=False)
    return tuple(args), arrays


def _device_kernel(op, arrays, kw):
    from .runtime.cupy_backend import cupy_backend
    return cupy_backend().eager(op, arrays, kw)


def note_stack(v):
    """config.debug: remember where `v`'s op was applied."""
    if v._node is not None:
        STACKS[v._node] = traceback.extract_stack()[:-2]
    return v


# config.debug: where each op of the graph was applied (for errors in backward)
STACKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def with_stack(node, error: BaseException) -> None:
    """Add to `error` the stack where `node`'s op was applied, if recorded."""
    stack = STACKS.get(node)
    if stack is None:
        return
    extra = "\nStacktrace of the function is below:\n" + "".join(traceback.format_list(stack))
    error.args = (str(error.args[0]) + extra,) + error.args[1:] if error.args else (extra,)


def _unhooked(op: OpDef, args: tuple, attrs: tuple):
    return apply(op, args, attrs, True)


def hooked(op: OpDef, args: tuple, attrs: tuple, hooks, run):
    """`run(op, args, attrs)` between the hooks' forward callbacks."""
    call = OpCall(op, attrs, args)
    in_data = tuple([a.value if type(a) is Const else a._array for a in args])
    for hook in hooks.values():
        hook.forward_preprocess(call, in_data)
    out = run(op, args, attrs)
    for hook in hooks.values():
        hook.forward_postprocess(call, in_data)
    return out


# Chainer's class names of kusari's ops where the label is not one
_CHAINER_NAMES = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div",
                  "pow": "PowVarVar", "neg": "Neg", "abs": "Absolute",
                  "getitem": "GetItem", "matmul": "MatMul", "linear": "LinearFunction"}


def chainer_name(op: OpDef, operands) -> str:
    """The name of the Chainer class that does what `op` does on `operands`
    (function hooks report it: 'Mul', 'AddConstant', 'Exp' ...)."""
    name = _CHAINER_NAMES.get(op.name)
    if name is None:
        label = op.label
        return label if label.isidentifier() else op.name.title()
    if op.name in ("add", "sub", "mul", "div", "pow") and any(
            type(a) is Const or not hasattr(a, "shape") for a in operands):
        return "PowVarConst" if name == "PowVarVar" else name + "Constant"
    return name


class OpCall:
    """One application of kusari's op as function hooks see it (Chainer's
    FunctionNode interface: label, `_impl_name`)."""

    __slots__ = ("op", "attrs", "args")
    local_function_hooks: dict = {}
    rank = 0

    def __init__(self, op: OpDef, attrs: tuple, args: tuple):
        self.op = op
        self.attrs = attrs
        self.args = args

    @property
    def label(self) -> str:
        return self.op.label

    @property
    def _impl_name(self) -> str:
        return chainer_name(self.op, self.args)

    def __repr__(self):
        return f"<{self._impl_name} (kusari op {self.op.name})>"


_NO_ATTRS: dict = {}

_variable_class: list = []


def _Variable():
    """kusari.variable.Variable (imported late: variable imports this module)."""
    if not _variable_class:
        from .variable import Variable
        _variable_class.append(Variable)
    return _variable_class[0]


def _as_array(out):
    if isinstance(out, np.generic):
        return np.asarray(out)
    return out  # cupy and other array types pass through


def record(Variable, op: OpDef, args: tuple, attrs: tuple, arrays, out):
    """Wrap `out` in a Variable, recording a Node when backprop needs one."""
    v = Variable.__new__(Variable)
    v._array = out
    v._grad = None
    v._grad_var = None
    v.name = None
    requires = False
    for a in args:
        if type(a) is not Const and a._requires_grad:
            requires = True
            break
    if requires and state.enable_backprop:
        mask = op.saved_mask(len(arrays))
        if mask is None:
            saved = None
        elif mask is True:
            saved = tuple(arrays)
        else:
            saved = tuple([a if m else None for a, m in zip(arrays, mask)])
        if len(args) == 2:
            a, b = args
            inputs = (a if type(a) is Const else (a._node or a._leaf_node()),
                      b if type(b) is Const else (b._node or b._leaf_node()))
        else:
            inputs = tuple([_to_node(a) for a in args])
        v._node = Node(op, attrs, inputs, saved, out if op.saves_out else None,
                       weakref.ref(v), out.shape, out.dtype)
        v._requires_grad = True
    else:
        v._node = None
        v._requires_grad = requires
    return v


def _apply_traced(op: OpDef, args: tuple, attrs: tuple):
    """Record `op` on traced operands: shape and dtype only, always a Node."""
    from .variable import Variable
    shape, dtype = op.infer_checked(dict(zip(op.attr_names, attrs)), [_value(a) for a in args])
    out = Traced(shape, dtype)
    v = Variable.__new__(Variable)
    v._array = out
    v._grad = None
    v._grad_var = None
    v.name = None
    # a trace keeps every operand: constants it closes over are read from here
    saved = tuple([_value(a) for a in args])
    inputs = tuple([_trace_node(a) for a in args])
    requires = any(type(a) is not Const and a._requires_grad for a in args)
    v._node = out.node = Node(op, attrs, inputs, saved, out if op.saves_out else None,
                              weakref.ref(v), shape, dtype, requires_grad=requires)
    v._requires_grad = requires
    if not (requires and state.enable_backprop):
        v = stop_gradient(v)
    # ops on weakly typed values (hyperparameters read at every call) stay weak
    if op.name != "cast" and all(type(a) is Const or a.__dict__.get("_weak") for a in args):
        v.__dict__["_weak"] = True
    return v


def _trace_node(a):
    """The node a traced op reads `a` through: a concrete Variable with a
    history from outside the trace is captured by value, as a leaf."""
    if type(a) is Const:
        return a
    node = a._node
    if node is None:
        return a._leaf_node()
    if node.op is not None and type(a._array) is not Traced:
        from .tracing import active
        ctx = active()
        if ctx is not None:
            return ctx.detached_leaf(a)
    return node


def stop_gradient(v):
    """`v`'s value with no gradient flowing back through it."""
    from .compiler import ops
    from .variable import Variable
    if type(v._array) is not Traced:
        return Variable(v._array, requires_grad=False)
    w = Variable.__new__(Variable)
    w._array = v._array
    w._grad = None
    w._grad_var = None
    w.name = None
    w._node = Node(ops.get("stop_gradient"), (), (_to_node(v),), None, None,
                   weakref.ref(w), v._array.shape, v._array.dtype, requires_grad=False)
    w._requires_grad = False
    return w


def check_finite(op: OpDef, out, direction: str) -> None:
    """config.debug: refuse a NaN result, naming the op (Chainer's message)."""
    if isinstance(out, np.ndarray) and out.dtype.kind == "f" and np.isnan(out).any():
        raise RuntimeError(f"NaN is detected on {direction} computation of {op.label}")


def evaluate(g, inputs: list) -> list:
    """Run IR graph `g` with Variable ops on `inputs` (Variables or Consts).

    This is how a gradient graph is recorded for double backprop, and how a
    graph runs on traced values: every equation becomes one `apply`.
    """
    from .compiler import ops
    from .compiler.ir import ArrayConst
    from .variable import Variable

    def on_const(d):
        value = d["attrs"]["value"]
        if isinstance(value, ArrayConst):
            return Variable(value.array.copy(), requires_grad=False)
        if d["shape"] == ():
            return const(value, d["dtype"])
        return Variable(np.full(d["shape"], value, d["dtype"]), requires_grad=False)

    def on_op(d, args):
        op = ops.get(d["op"])
        return apply(op, tuple(args), tuple(d["attrs"][k] for k in op.attr_names))

    out = g.interpret(inputs, on_const, on_op)
    return [Variable(np.asarray(v.value), requires_grad=False) if type(v) is Const else v
            for v in out]


def apply_call(ref, args: tuple) -> list:
    """All outputs of the graph `ref` holds, applied to Variables `args`: run
    once, recorded as one `call` node per output (each differentiable)."""
    from .compiler import ops
    from .variable import Variable
    op = ops.get("call")
    n_out = len(ref.graph.outputs)
    arrays = [_value(a) for a in args]
    if any(type(a) is Traced for a in arrays):
        return [apply(op, args, (ref, k)) for k in range(n_out)]
    op.infer_checked({"graph": ref, "output": 0}, arrays)
    if any(type(a) is not ndarray and cuda.is_cupy_array(a) for a in arrays):
        from .runtime.cupy_backend import cupy_backend
        backend = cupy_backend()
        backend.device_of(op, arrays)     # (one device: else an error naming both)
        outs = ref.on(backend).run(arrays)       # (it runs on the arrays' device)
    else:
        outs = ref.run(arrays)
    return [record(Variable, op, args, (ref, k), arrays,
                   out if type(out) is ndarray else _as_array(out))
            for k, out in enumerate(outs)]


def grad(outputs, inputs, grad_outputs=None, grad_inputs=None, set_grad=False,
         retain_grad=False, enable_double_backprop=False, loss_scale=None):
    """Chainer's `chainer.grad` (see kusari.backprop.grad)."""
    from .backprop import grad as _grad
    return _grad(outputs, inputs, grad_outputs, grad_inputs, set_grad, retain_grad,
                 enable_double_backprop, loss_scale)


from .user_function import FunctionNode  # noqa: E402,F401  (Chainer's module path)
