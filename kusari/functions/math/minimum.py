"""minimum (Chainer's chainer.functions.math.minimum)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import check_float


def minimum(x1, x2) -> Variable:
    """Elementwise minimum of two float arrays of one dtype (broadcast); on
    ties the gradient goes to x1, as in Chainer."""
    x1, x2 = var(x1), var(x2)
    check_float("Minimum", x1, "x1")
    return call("minimum", x1, x2)
