"""Comparisons and logical operations as bool Variables (no gradient).

A kusari extension: Chainer's Variables refuse comparisons, and traced code
(kusari.jit) needs them to build F.where conditions."""
from __future__ import annotations

from .._core import Variable, call, operand, var


def _comparison(name: str, symbol: str):
    def f(x1, x2) -> Variable:
        x1 = var(x1)
        return call(name, x1, operand(x2, x1))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise x1 {symbol} x2 as a bool Variable (no gradient)."
    return f


greater = _comparison("greater", ">")
greater_equal = _comparison("greater_equal", ">=")
less = _comparison("less", "<")
less_equal = _comparison("less_equal", "<=")
equal = _comparison("equal", "==")
not_equal = _comparison("not_equal", "!=")


def logical_and(x1, x2) -> Variable:
    """Elementwise and of two bool arrays."""
    return call("logical_and", var(x1), var(x2))


def logical_or(x1, x2) -> Variable:
    """Elementwise or of two bool arrays."""
    return call("logical_or", var(x1), var(x2))


def logical_not(x) -> Variable:
    """Elementwise not of a bool array."""
    return call("logical_not", var(x))
