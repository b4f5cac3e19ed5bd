"""maximum (Chainer's chainer.functions.math.maximum)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import check_float


def maximum(x1, x2) -> Variable:
    """Elementwise maximum of two float arrays of one dtype (broadcast); on
    ties the gradient goes to x1, as in Chainer."""
    x1, x2 = var(x1), var(x2)
    check_float("Maximum", x1, "x1")
    return call("maximum", x1, x2)
