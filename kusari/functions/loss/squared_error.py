"""F.squared_error and F.squared_difference (the same function, Chainer's
two names)."""
from __future__ import annotations

from ...variable import Variable
from .mean_squared_error import _pair


def squared_error(x0, x1) -> Variable:
    """(x0 - x1) ** 2 elementwise (not halved)."""
    x0, x1 = _pair("SquaredError", x0, x1)
    d = x0 - x1
    return d * d


def squared_difference(x1, x2) -> Variable:
    """(x1 - x2) ** 2 elementwise: squared_error under another name."""
    return squared_error(x1, x2)
