"""User-defined functions the tests of the `function_node` op apply: written
as a Chainer user writes them (forward on arrays, backward with Variables
and functions), so their backward differentiates again."""
from __future__ import annotations

import numpy as np

import kusari
import kusari.functions as F
from kusari.utils import type_check


class Sin(kusari.FunctionNode):
    """sin, with cos in its backward (made of functions: differentiable)."""

    def check_type_forward(self, in_types):
        x, = in_types
        type_check.expect(x.dtype.kind == "f")

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        return np.sin(x),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        gy, = grad_outputs
        return gy * F.cos(x),


class MulAdd(kusari.FunctionNode):
    """(a * b, a + b) with NumPy broadcasting: two outputs, retained inputs,
    gradients summed back to each input's shape."""

    def forward(self, inputs):
        a, b = inputs
        self.retain_inputs((0, 1))
        return a * b, a + b

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        g0, g1 = grad_outputs
        out = []
        for i, (x, other) in enumerate(((a, b), (b, a))):
            if i not in indexes:
                continue
            g = None
            if g0 is not None:
                g = g0 * F.broadcast_to(other, g0.shape)
            if g1 is not None:
                g = g1 if g is None else g + g1
            out.append(F.sum_to(g, x.shape))
        return tuple(out)


class Exp(kusari.FunctionNode):
    """exp with its output retained (the backward reads y)."""

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        return np.exp(x),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return grad_outputs[0] * y,


def sin(x):
    return Sin().apply((x,))[0]


def mul_add(a, b):
    return MulAdd().apply((a, b))


def exp(x):
    return Exp().apply((x,))[0]
