"""sigmoid (Chainer's chainer.functions.activation.sigmoid)."""
from __future__ import annotations

from .._core import Variable, call
from ._common import float_input


def sigmoid(x) -> Variable:
    """1 / (1 + exp(-x)), computed as tanh(x / 2) / 2 + 1 / 2 (Chainer's form)."""
    return call("sigmoid", float_input("Sigmoid", x))
