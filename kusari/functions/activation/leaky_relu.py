"""leaky_relu (Chainer's chainer.functions.activation.leaky_relu)."""
from __future__ import annotations

from .._core import Variable
from ..math.selection import where
from ._common import compare, float_input


def leaky_relu(x, slope: float = 0.2) -> Variable:
    """x where x > 0, else slope * x (the gradient at 0 is slope, as in Chainer)."""
    x = float_input("LeakyReLU", x)
    return where(compare("greater", x, 0), x, x * slope)
