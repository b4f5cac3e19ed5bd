"""relu (Chainer's chainer.functions.activation.relu)."""
from __future__ import annotations

from .._core import Variable, call
from ._common import float_input


def relu(x) -> Variable:
    """max(x, 0); the gradient is 0 where the output is 0."""
    return call("relu", float_input("ReLU", x))
