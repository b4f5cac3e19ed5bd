"""Chainer's old-style `Function`: forward and backward written on arrays.

A Function is applied through a `FunctionAdapter`, a FunctionNode that calls
the Function's array forward and backward (kusari.user_function). Its
backward computes on arrays, so what it returns cannot be differentiated
again: in a double backprop the gradients it gives are marked so, and a
second differentiation through them raises RuntimeError naming the function,
as Chainer does.
"""
from __future__ import annotations

import warnings
import weakref

import numpy as np

from .configuration import force_backprop_mode, no_backprop_mode  # noqa: F401
from .function_hook import FunctionHook  # noqa: F401  (Chainer's path too)
from .user_function import FunctionNode, _is_cupy


class FunctionAdapter(FunctionNode):
    """The FunctionNode through which a Function takes part in the graph."""

    _function = None
    _weak_function = None

    def __init__(self, function: "Function"):
        self._weak_function = weakref.ref(function)
        function._owned_node = self

    @property
    def function(self):
        """The Function this adapter wraps."""
        if self._function is not None:
            return self._function
        return self._weak_function and self._weak_function()

    @property
    def _owner_function(self):
        return self.function

    @property
    def label(self) -> str:
        return self.function.label

    @property
    def _impl_name(self) -> str:
        return self.function.__class__.__name__

    def check_type_forward(self, in_types) -> None:
        self.function.check_type_forward(in_types)

    def forward(self, inputs):
        self.retain_inputs(range(len(inputs)))    # old-style keeps all by default
        return self.function.forward(inputs)

    def backward(self, target_input_indexes, grad_outputs):
        from . import variable
        from .configuration import state
        inputs = [None] * len(self.inputs)
        for x, i in zip(self.get_retained_inputs(), self._input_indexes_to_retain or ()):
            inputs[i] = None if x is None else x.array
        grads = tuple([None if g is None else g.array for g in grad_outputs])
        gxs = self.function.backward(tuple(inputs), grads)
        for x, gx in zip(self.inputs, gxs):
            if gx is not None:
                variable._check_grad_type(self, x, gx)
        out = []
        for i in target_input_indexes:
            gx = gxs[i]
            if gx is None:
                out.append(None)
            elif state.enable_backprop:     # a double backprop: marked, not differentiable
                out.append(_old_style_gradient(gx, self.label))
            else:
                out.append(variable.Variable(gx))
        return tuple(out)


class _OldStyleGradient(FunctionNode):
    """A gradient an old-style Function's backward computed on arrays, passed
    through: differentiating it again raises, as in Chainer."""

    def __init__(self, label: str):
        self.function_label = label

    def forward(self, inputs):
        return inputs[0],

    def backward(self, indexes, grad_outputs):
        raise RuntimeError(
            f'cannot twice-differentiate an old style Function "{self.function_label}"')


class _OldStyleBackward(FunctionNode):
    """An old-style Function's array backward as a function of its own (under
    kusari.jit): its inputs are the function's inputs, its outputs and the
    outputs' gradients (`present` says whose); its outputs, the inputs'
    gradients (zeros where the backward gives None)."""

    def __init__(self, adapter: FunctionAdapter, n_out: int, present: tuple):
        self.adapter = adapter
        self.n_out = n_out
        self.present = present

    @property
    def label(self) -> str:
        return f"{self.adapter.label} (backward)"

    def forward(self, arrays):
        adapter = self.adapter
        n_in = len(arrays) - self.n_out - len(self.present)
        keep = set(adapter._input_indexes_to_retain or ())
        inputs = tuple([a if i in keep else None for i, a in enumerate(arrays[:n_in])])
        grads = [None] * self.n_out
        for j, gy in zip(self.present, arrays[n_in + self.n_out:]):
            grads[j] = gy
        gxs = adapter.function.backward(inputs, tuple(grads))
        if len(gxs) != n_in:
            raise ValueError(f"{adapter.label}: backward returned {len(gxs)} gradients "
                             f"for {n_in} inputs")
        return tuple([np.zeros_like(x) if gx is None else gx
                      for x, gx in zip(arrays[:n_in], gxs)])

    def backward(self, indexes, grad_outputs):
        raise RuntimeError(
            f'cannot twice-differentiate an old style Function "{self.adapter.label}"')


def _old_style_gradient(gx, label: str):
    from .variable import Variable
    return _OldStyleGradient(label).apply((Variable(gx),))[0]


class Function:
    """Old-style differentiable function: override `forward` (or
    forward_cpu/forward_gpu) and `backward` (or backward_cpu/backward_gpu),
    all on arrays. Calling it applies it to Variables or arrays."""

    _node = None
    _owned_node = None

    def __call__(self, *inputs):
        node = self.node
        node._function = self           # the applied node now owns this function
        node._weak_function = None
        self._node = weakref.ref(node)
        self._owned_node = None
        ret = node.apply(inputs)
        return ret[0] if len(ret) == 1 else tuple(ret)

    @property
    def node(self) -> FunctionAdapter:
        """The FunctionAdapter wrapping this function (made on first use)."""
        nd = (self._node and self._node()) or self._owned_node
        if nd is None:
            nd = FunctionAdapter(self)
            self._owned_node = nd
        return nd

    @property
    def inputs(self):
        return self.node.inputs

    @property
    def outputs(self):
        return self.node.outputs

    @property
    def local_function_hooks(self):
        return self.node.local_function_hooks

    @property
    def label(self) -> str:
        return self.__class__.__name__

    @property
    def output_data(self):
        return self.node.output_data

    @property
    def rank(self) -> int:
        return self.node.rank

    @property
    def stack(self):
        return self.node.stack

    def check_type_forward(self, in_types) -> None:
        """Check the inputs' types (type_check.expect ...): none by default."""

    def forward(self, inputs):
        if any(_is_cupy(x) for x in inputs):
            return self.forward_gpu(inputs)
        return self.forward_cpu(inputs)

    def forward_cpu(self, inputs):
        raise NotImplementedError(
            f"{self.__class__.__name__} implements neither forward nor forward_cpu")

    def forward_gpu(self, inputs):
        raise NotImplementedError(
            f"{self.__class__.__name__} implements neither forward nor forward_gpu")

    def backward(self, inputs, grad_outputs):
        if any(_is_cupy(x) for x in inputs + grad_outputs):
            return self.backward_gpu(inputs, grad_outputs)
        return self.backward_cpu(inputs, grad_outputs)

    def backward_cpu(self, inputs, grad_outputs):
        return tuple(None for _ in inputs)

    def backward_gpu(self, inputs, grad_outputs):
        return tuple(None for _ in inputs)

    def unchain(self) -> None:
        self.node.unchain()

    def add_hook(self, hook, name: str | None = None) -> None:
        self.node.add_hook(hook, name)

    def delete_hook(self, name: str) -> None:
        self.node.delete_hook(name)

    def retain_inputs(self, indexes) -> None:
        """Keep only these inputs for backward (all are kept by default)."""
        self.node.retain_inputs(indexes)

    def retain_outputs(self, indexes, retain_after_backward: bool = False) -> None:
        """Keep these outputs for backward (they are in `output_data`)."""
        if retain_after_backward:
            warnings.warn("retain_after_backward option has no effect", DeprecationWarning)
        self.node.retain_outputs(indexes)
