"""maximum (Chainer's chainer.functions.math.maximum)."""
from __future__ import annotations

from .._core import Variable, call, operand, var


def maximum(x1, x2) -> Variable:
    """Elementwise maximum of two arrays of one dtype (broadcast; x2 may
    also be a number, and integer arrays are taken too, a kusari extension);
    on ties the gradient goes to x1, as in Chainer."""
    x1 = var(x1)
    return call("maximum", x1, operand(x2, x1))
