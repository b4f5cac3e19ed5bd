"""tanh (Chainer's chainer.functions.activation.tanh)."""
from __future__ import annotations

from .._core import Variable, call
from ._common import float_input


def tanh(x) -> Variable:
    """Elementwise hyperbolic tangent."""
    return call("tanh", float_input("Tanh", x))
