"""identity (Chainer's chainer.functions.math.identity): the function
lives with the arrays in kusari; Chainer's Identity class is here."""
from __future__ import annotations

from ...user_function import FunctionNode
from ..array.identity import identity  # noqa: F401 (Chainer's path to F.identity)


class Identity(FunctionNode):
    """Chainer's Identity as a FunctionNode: outputs its inputs, passes the
    gradients back unchanged."""

    def check_type_forward(self, in_types):
        pass

    def forward(self, xs):
        return xs

    def backward(self, indexes, gys):
        return gys

