"""exp and logarithms (Chainer's chainer.functions.math.exponential)."""
from __future__ import annotations

import numpy as np

from ...user_function import FunctionNode
from ._unary import node_class, unary

exp = unary("exp", "Elementwise exponential.")
log = unary("log", "Elementwise natural logarithm.")
log2 = unary("log2", "Elementwise base-2 logarithm.")
log10 = unary("log10", "Elementwise base-10 logarithm.")



class Exp(FunctionNode):
    """Chainer's Exp as a FunctionNode (function hooks see it by that name):
    its forward is NumPy's exp, its backward y * gy with functions, so it
    differentiates again. F.exp itself is the registry op."""

    @property
    def label(self) -> str:
        return "exp"

    def check_type_forward(self, in_types):
        from ...utils import type_check
        type_check._argname(in_types, ("x",))
        type_check.expect(in_types[0].dtype.kind == "f")

    def forward(self, inputs):
        self.retain_outputs((0,))
        return np.asarray(np.exp(inputs[0])),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return y * grad_outputs[0],


Log = node_class("Log", "log", "log")
Log2 = node_class("Log2", "log2", "log2")
Log10 = node_class("Log10", "log10", "log10")
