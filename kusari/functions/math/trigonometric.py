"""Trigonometric functions (Chainer's chainer.functions.math.trigonometric)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._unary import node_class, unary

sin = unary("sin", "Elementwise sine.")
cos = unary("cos", "Elementwise cosine.")
tan = unary("tan", "Elementwise tangent.")
arcsin = unary("arcsin", "Elementwise arcsine.")
arccos = unary("arccos", "Elementwise arccosine.")
arctan = unary("arctan", "Elementwise arctangent.")


def arctan2(x1, x2) -> Variable:
    """Elementwise arctangent of x1 / x2, choosing the quadrant (both arrays
    of one float dtype, broadcast)."""
    return call("arctan2", var(x1), var(x2))


Sin = node_class("Sin", "sin", "sin")
Cos = node_class("Cos", "cos", "cos")
Tan = node_class("Tan", "tan", "tan")
Arcsin = node_class("Arcsin", "arcsin", "arcsin")
Arccos = node_class("Arccos", "arccos", "arccos")
Arctan = node_class("Arctan", "arctan", "arctan")
Arctan2 = node_class("Arctan2", "arctan2", "arctan2")
