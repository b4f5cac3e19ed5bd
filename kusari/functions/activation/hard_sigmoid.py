"""hard_sigmoid (Chainer's chainer.functions.activation.hard_sigmoid)."""
from __future__ import annotations

from .._core import Variable, call
from ..math.selection import where
from ._common import compare, float_input


def hard_sigmoid(x) -> Variable:
    """clip(0.2 x + 0.5, 0, 1); the gradient is 0.2 where -2.5 < x < 2.5, else 0."""
    x = float_input("HardSigmoid", x)
    inside = call("logical_and", compare("greater", x, -2.5), compare("less", x, 2.5))
    saturated = call("cast", compare("greater_equal", x, 2.5), dtype=x.dtype)   # 1 or 0
    return where(inside, x * 0.2 + 0.5, saturated)
