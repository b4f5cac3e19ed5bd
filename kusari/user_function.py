"""User-defined functions: Chainer's `FunctionNode`.

A subclass computes its forward on arrays (`forward`, or `forward_cpu` /
`forward_gpu`) and its backward with Variables and kusari.functions
(`backward(indexes, grad_outputs)`, or `backward_accumulate`).

- Applied eagerly, the forward runs at once and each output is recorded as
  one Node of the registry op `function_node`, whose attributes are the
  function's handle (a `FunctionRef`) and the output index. backward() calls
  the user's backward once per function with the gradients of all its
  outputs (kusari.backprop); a double backprop records what it computes, so
  a backward written with functions differentiates again.
- Under `kusari.jit` (traced inputs) the forward is an opaque op of the IR
  that calls the user's forward at every run, and the backward is traced
  into IR (kusari.user_trace), so it fuses and differentiates like any op.

Old-style `Function`s (array backward) are adapted to this in kusari.function.
"""
from __future__ import annotations

import collections
import traceback
import weakref

import numpy as np

from .configuration import state
from .tape import Node
from . import tracing as _tracing
from .tracing import Traced


def _user_op():
    from .compiler import ops
    return ops.get("function_node")


class FunctionRef:
    """The handle a `function_node` op holds: the FunctionNode, its outputs'
    types, and what one compiled run of its forward computed (a function with
    several outputs is several nodes of the IR, each asking for its own)."""

    __slots__ = ("node", "out_types", "in_types", "_last", "__weakref__")

    def __init__(self, node, out_types, in_types=()):
        self.node = node
        self.out_types = tuple(out_types)
        self.in_types = tuple(in_types)
        self._last = None          # (input arrays, outputs, output indexes not served)

    def output_type(self, k: int):
        return self.out_types[k]

    def input_type(self, k: int):
        return self.in_types[k]

    def run(self, arrays, k: int):
        """Output `k` of the forward on `arrays` (a compiled graph's call).

        The forward runs once for the nodes of one run: the others are served
        what it computed, as long as they ask with the same arrays and have
        not been served yet (a later run computes afresh)."""
        last = self._last
        if last is not None and k in last[2] and len(last[0]) == len(arrays) and \
                all(a is b for a, b in zip(last[0], arrays)):
            last[2].discard(k)
            return last[1][k]
        outs = self.node._forward_at_run(tuple(arrays))
        self._last = (tuple(arrays), outs, set(range(len(outs))) - {k})
        return outs[k]

    def traced_backward(self, gys, outs, inputs, needed):
        from .user_trace import traced_backward
        return traced_backward(self, gys, outs, inputs, needed)

    def __repr__(self):
        return f"{self.node.label}#{id(self.node) & 0xffffff:06x}"


class FunctionNode:
    """A node of the computational graph defined by the user (Chainer's
    FunctionNode): see the module docstring."""

    inputs = None
    outputs = None
    rank = 0
    stack = None
    _input_indexes_to_retain = None
    _output_indexes_to_retain = None
    _retained_output_data = None
    _output_count = None
    _local_function_hooks = None
    _ref = None
    _traced_retained = None      # while its backward is traced: (inputs, outputs)
    lazy_grad_sum = False
    is_elementwise = False
    _is_chainerx_fallback_mode = False
    chainerx_device = None
    _supports_static_optimizations = False

    # -- what it is ------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.__class__.__name__

    @property
    def _impl_name(self) -> str:
        return self.__class__.__name__

    @property
    def local_function_hooks(self):
        if self._local_function_hooks is None:
            self._local_function_hooks = collections.OrderedDict()
        return self._local_function_hooks

    @property
    def _n_local_function_hooks(self) -> int:
        return 0 if self._local_function_hooks is None else len(self._local_function_hooks)

    @property
    def input_layouts(self):
        return (None,) * len(self.inputs or ())

    @property
    def output_layouts(self):
        return (None,) * (self._output_count or 0)

    @property
    def output_data(self):
        """The retained output arrays (None where not retained)."""
        if self._retained_output_data is None:
            raise RuntimeError("retained output data is gone")
        out = [None] * self._output_count
        for i, data in zip(self._output_indexes_to_retain, self._retained_output_data):
            out[i] = data
        return tuple(out)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"A function class object ({self.__class__.__name__}) which is derived "
            "from chainer.FunctionNode has been called as if it were a callable. "
            "Use apply() method instead.")

    # -- the forward -------------------------------------------------------------
    def apply(self, inputs):
        """Compute the outputs of `inputs` (Variables or arrays) and record
        this function in the graph; returns a tuple of Variables."""
        from .variable import Variable, as_variable
        input_vars = [as_variable(x) if x is not None else Variable(None, requires_grad=False)
                      for x in inputs]
        in_data = tuple([x._array for x in input_vars])
        if any(type(a) is Traced for a in in_data) or \
                (_tracing.TRACING and _tracing.active() is not None):
            from .user_trace import apply_traced
            return apply_traced(self, input_vars, in_data)
        _check_compatible(in_data, "forward input", self.label)
        if state.debug:
            self.stack = traceback.extract_stack()
        if state.type_check:
            self._check_data_type_forward(in_data)
        hooks = self._hooks()
        for hook in hooks:
            hook.forward_preprocess(self, in_data)
        self._input_indexes_to_retain = None
        self._output_indexes_to_retain = None
        outputs = self.forward(in_data)
        _check_outputs(self, outputs)
        for hook in hooks:
            hook.forward_postprocess(self, in_data)
        if state.debug:
            for y in outputs:
                if y is not None and y.dtype.kind == "f" and np.isnan(y).any():
                    raise RuntimeError(f"NaN is detected on forward computation of {self.label}")
        self._output_count = len(outputs)
        requires_grad = any(x._requires_grad for x in input_vars)
        if not state.enable_backprop:
            return tuple([Variable(y, requires_grad=requires_grad) for y in outputs])
        self.rank = max([x.node.rank for x in input_vars], default=0)
        self.inputs = tuple([x.node for x in input_vars])
        self._ref = ref = FunctionRef(self, [_type_of(y) for y in outputs])
        ret = tuple([_output_variable(ref, k, y, self.inputs, requires_grad)
                     for k, y in enumerate(outputs)])
        self.outputs = tuple([weakref.ref(y._node) for y in ret])
        if self._input_indexes_to_retain is not None:
            for i in self._input_indexes_to_retain:
                self.inputs[i].retain_data()
        if self._output_indexes_to_retain is not None:
            kept = []
            for i in self._output_indexes_to_retain:
                ret[i]._node.retain_data()
                kept.append(outputs[i])
            self._retained_output_data = tuple(kept)
        self.lazy_grad_sum = state.lazy_grad_sum
        return ret

    def _hooks(self):
        from .function_hook import get_function_hooks
        hooks = get_function_hooks()
        if self._local_function_hooks:
            hooks = collections.OrderedDict(hooks)
            hooks.update(self._local_function_hooks)
        return list(hooks.values()) if hooks else ()

    def _forward_at_run(self, in_data: tuple) -> tuple:
        """The forward on concrete arrays inside a compiled graph (kusari.jit)."""
        self._input_indexes_to_retain = None
        self._output_indexes_to_retain = None
        outputs = self.forward(in_data)
        _check_outputs(self, outputs)
        if self._output_indexes_to_retain is not None:
            self._retained_output_data = tuple([outputs[i]
                                                for i in self._output_indexes_to_retain])
        want = self._ref.out_types if self._ref is not None else None
        if want is not None:
            for k, (y, t) in enumerate(zip(outputs, want)):
                if _type_of(y) != t:
                    raise TypeError(
                        f"{self.label}: output {k} of the forward is "
                        f"{_type_text(_type_of(y))} at run time but was "
                        f"{_type_text(t)} when the function was traced")
        return outputs

    def _check_data_type_forward(self, in_data) -> None:
        from .utils import type_check
        in_type = type_check.get_light_types(in_data)
        try:
            with type_check.light_mode:
                self.check_type_forward(in_type)
            return
        except type_check.InvalidType:
            pass
        in_type = type_check.get_types(in_data, "in_types", False)
        with type_check.get_function_check_context(self):
            self.check_type_forward(in_type)

    def check_type_forward(self, in_types) -> None:
        """Check the inputs' types (type_check.expect ...): none by default."""

    def check_layout_forward(self, inputs) -> None:
        pass

    def forward(self, inputs):
        """The outputs (a tuple of arrays) of the input arrays: by default
        forward_cpu or forward_gpu, by the type of the first input."""
        assert len(inputs) > 0
        if _is_cupy(inputs[0]):
            return self.forward_gpu(inputs)
        return self.forward_cpu(inputs)

    def forward_cpu(self, inputs):
        raise NotImplementedError(
            f"{self.__class__.__name__} implements neither forward nor forward_cpu")

    def forward_gpu(self, inputs):
        raise NotImplementedError(
            f"{self.__class__.__name__} implements neither forward nor forward_gpu")

    def retain_inputs(self, indexes) -> None:
        """Keep these inputs for backward (call it in forward)."""
        self._input_indexes_to_retain = tuple(indexes)

    def retain_outputs(self, indexes) -> None:
        """Keep these outputs for backward (call it in forward)."""
        self._output_indexes_to_retain = tuple(indexes)

    # -- the backward ---------------------------------------------------------------
    def backward(self, target_input_indexes, grad_outputs):
        """Gradients (Variables) of the inputs listed in `target_input_indexes`
        given the outputs' gradients (Variables, None where none flows). The
        default: not differentiable."""
        return (None,) * len(target_input_indexes)

    def backward_accumulate(self, target_input_indexes, grad_outputs, grad_inputs):
        """backward(), plus the gradients `grad_inputs` other paths gave."""
        gxs = self._backward_target_inputs(target_input_indexes, grad_outputs)
        return tuple([gx if g_in is None else g_in if gx is None else gx + g_in
                      for gx, g_in in zip(gxs, grad_inputs)])

    def _backward_target_inputs(self, target_input_indexes, grad_outputs):
        gxs = self.backward(target_input_indexes, grad_outputs)
        if len(gxs) == len(self.inputs):
            gxs = tuple([gxs[i] for i in target_input_indexes])
        elif len(gxs) != len(target_input_indexes):
            raise ValueError(self._get_error_message(
                "number of gradients returned from backward is incorrect: "
                f"{len(gxs)} != expected {len(self.inputs)} or "
                f"{len(target_input_indexes)}"))
        return gxs

    def _get_error_message(self, message: str) -> str:
        lines = [message, f"  function={self._impl_name} ({self.label})"]
        for i, x in enumerate(self.inputs or ()):
            lines.append(f"    input {i}: shape={x.shape} dtype={x.dtype}")
        for i, ref in enumerate(self.outputs or ()):
            y = ref()
            lines.append(f"    output {i}: not available" if y is None else
                         f"    output {i}: shape={y.shape} dtype={y.dtype}")
        return "\n".join(lines)

    def get_retained_inputs(self):
        """The inputs kept by retain_inputs, as Variables (None where gone)."""
        if self._traced_retained is not None:
            return self._traced_retained[0]
        if self._input_indexes_to_retain is None or self.inputs is None:
            return ()
        out = []
        for i in self._input_indexes_to_retain:
            x = self.inputs[i]
            out.append(None if x.data is None else x.get_variable())
        return tuple(out)

    def get_retained_outputs(self):
        """The outputs kept by retain_outputs, as Variables (an output whose
        Variable is gone gets a new one, still made by this function)."""
        if self._traced_retained is not None:
            return self._traced_retained[1]
        if self._output_indexes_to_retain is None or self.outputs is None:
            return ()
        if self._retained_output_data is None:
            raise ValueError(self._get_error_message(
                "retain_outputs is not called in forward."))
        from .variable import Variable
        out = []
        outputs = list(self.outputs)
        for i, data in zip(self._output_indexes_to_retain, self._retained_output_data):
            node = outputs[i]()
            if node is None:
                v = Variable(data)
                set_creator_node(v._node, self, index=i)
                v._node._data = data
                outputs[i] = weakref.ref(v._node)
            else:
                v = node.get_variable()
            out.append(None if v._array is None else v)
        self.outputs = tuple(outputs)
        return tuple(out)

    # -- the graph ------------------------------------------------------------------
    def unchain(self) -> None:
        """Take this function out of the graph: its outputs become leaves."""
        for ref in self.outputs or ():
            y = ref()
            if y is not None:
                y.unchain()
        self.inputs = None
        self.outputs = None

    def add_hook(self, hook, name: str | None = None) -> None:
        from .function_hook import FunctionHook
        if not isinstance(hook, FunctionHook):
            raise TypeError("Hook must be of type FunctionHook")
        if name is None:
            name = hook.name
        hooks = self.local_function_hooks
        if name in hooks:
            raise KeyError(f"Hook {name} already exists")
        hooks[name] = hook
        hook.added(self)

    def delete_hook(self, name: str) -> None:
        if name in self.local_function_hooks:
            self.local_function_hooks[name].deleted(self)
            del self.local_function_hooks[name]
        else:
            raise KeyError(f"Hook {name} does not exist")


class OpFunction(FunctionNode):
    """Chainer's FunctionNode view of one application of kusari's own op.

    The application lives in the Node of its output (kusari.tape): this
    view gives it the FunctionNode interface (label, inputs, outputs, rank,
    unchain) where Chainer's code expects one; two views of one Node are
    equal."""

    def __init__(self, node: Node):
        self.node = node

    def __eq__(self, other):
        return isinstance(other, OpFunction) and other.node is self.node

    def __hash__(self):
        return hash(id(self.node))

    def __repr__(self):
        return f"<{self._impl_name} (kusari op {self.node.op.name if self.node.op else '-'})>"

    @property
    def label(self) -> str:
        op = self.node.op
        return "None" if op is None else op.label

    @property
    def _impl_name(self) -> str:
        from .function_node import chainer_name
        op = self.node.op
        return "None" if op is None else chainer_name(op, self.node.inputs)

    @property
    def inputs(self):
        return tuple([x for x in self.node.inputs if type(x) is Node])

    @property
    def outputs(self):
        return (weakref.ref(self.node),)

    @property
    def rank(self) -> int:
        return self.node.rank - 1

    def apply(self, inputs):
        raise RuntimeError(f"{self.label} has been applied already: this is a view of "
                           "one application of kusari's op, not a function to apply")

    def unchain(self) -> None:
        self.node.unchain()


# -- helpers ---------------------------------------------------------------------------

def _is_cupy(a) -> bool:
    return type(a).__module__.split(".")[0] == "cupy"


def _type_of(y):
    return (None, None) if y is None else (tuple(y.shape), np.dtype(y.dtype))


def _type_text(t) -> str:
    return "None" if t[0] is None else f"{t[1]}{list(t[0])}"


def _check_compatible(arrays, what: str, label: str) -> None:
    kinds = {_is_cupy(a) for a in arrays if a is not None}
    if len(kinds) > 1:
        raise TypeError(f"incompatible array types are mixed in the {what} ({label}).\n"
                        f"Actual: {', '.join(str(type(a)) for a in arrays)}")


def _check_outputs(fn, outputs) -> None:
    if not isinstance(outputs, tuple):
        raise TypeError(f"forward output must be a tuple ({fn.label})\n"
                        f"Actual: {type(outputs)}")
    if not all(y is None or isinstance(y, np.ndarray) or _is_cupy(y) for y in outputs):
        raise TypeError("forward output must be a tuple of ndarrays.\n"
                        f"Function: {fn.label}\n"
                        f"Actual output types: {tuple(type(y) for y in outputs)}")
    _check_compatible(outputs, "forward output", fn.label)


def _output_variable(ref: FunctionRef, k: int, y, input_nodes, requires_grad: bool):
    from .variable import Variable
    v = Variable.__new__(Variable)
    v._array = y
    v._grad = None
    v._grad_var = None
    v.name = None
    v._requires_grad = requires_grad
    shape, dtype = ref.out_types[k]
    v._node = Node(_user_op(), (ref, k), input_nodes, None, None, weakref.ref(v),
                   shape, dtype, requires_grad)
    return v


def set_creator_node(node: Node, func, index: int | None = None) -> None:
    """Make `node` an output of `func` (a FunctionNode, an old-style Function,
    or None to make it a leaf), as Chainer's `creator_node` setter does."""
    from .function import Function
    if isinstance(func, Function):
        func = func.node
    if func is None:
        node.unchain()
        return
    if isinstance(func, OpFunction):
        if func.node is node:
            return
        raise TypeError(
            f"cannot make a value an output of {func.label}: an application of "
            "kusari's own op has exactly one output (its Node)")
    if not isinstance(func, FunctionNode):
        raise TypeError(f"creator_node must be a FunctionNode, not {type(func).__name__}")
    ref = func._ref
    if ref is None:
        ref = func._ref = FunctionRef(func, ())
    if index is None:
        index = 0
        for i, out in enumerate(func.outputs or ()):
            if out() is node:
                index = i
                break
    node.op = _user_op()
    node.attrs = (ref, index)
    node.inputs = tuple(func.inputs or ())
    node.saved = None
    node.out = None
    node._rank = None
