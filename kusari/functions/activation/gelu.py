"""gelu: the Gaussian error linear unit (a kusari extension; not in Chainer 7)."""
from __future__ import annotations

import math

from .._core import Variable, call
from ._common import float_input


def gelu(x, approximate: bool = False) -> Variable:
    """x * ndtr(x), x times the standard normal CDF; with `approximate`,
    Hendrycks and Gimpel's tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = float_input("GELU", x)
    if approximate:
        inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
        return x * (call("tanh", inner) + 1.0) * 0.5
    return x * call("ndtr", x)
