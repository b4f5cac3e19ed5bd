"""minimum (Chainer's chainer.functions.math.minimum)."""
from __future__ import annotations

from .._core import Variable, call, operand, var


def minimum(x1, x2) -> Variable:
    """Elementwise minimum of two arrays of one dtype (broadcast; x2 may
    also be a number, and integer arrays are taken too, a kusari extension);
    on ties the gradient goes to x1, as in Chainer."""
    x1 = var(x1)
    return call("minimum", x1, operand(x2, x1))
