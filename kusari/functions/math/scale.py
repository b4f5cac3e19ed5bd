"""scale (Chainer's chainer.functions.math.scale)."""
from __future__ import annotations

from .._core import Variable, var
from .bias import _along


def scale(x, y, axis: int = 1) -> Variable:
    """x * y, y's axes lined up with x's from `axis` on and broadcast over
    the rest."""
    x, y = var(x), var(y)
    return x * _along(x, y, axis)
