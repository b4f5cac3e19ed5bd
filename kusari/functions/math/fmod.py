"""fmod (Chainer's chainer.functions.math.fmod)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._unary import node_class


def fmod(x, divisor) -> Variable:
    """Elementwise remainder of x / divisor with the sign of x (C's fmod);
    both of one float dtype. d/dx = 1, d/ddivisor = -fix(x / divisor)."""
    return call("fmod", var(x), var(divisor))


Fmod = node_class("Fmod", "fmod", "fmod")
