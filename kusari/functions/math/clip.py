"""clip (Chainer's chainer.functions.math.clip)."""
from __future__ import annotations

from .._core import Variable, call, operand, var


def clip(x, x_min, x_max) -> Variable:
    """x clipped to [x_min, x_max] (either bound may be None, not both); the
    gradient is 1 inside the closed interval, its ends included, else 0."""
    if x_min is None and x_max is None:
        raise ValueError("clip: must set either max or min")
    if x_min is not None and x_max is not None and x_min > x_max:
        raise ValueError("clip: x_min must be less than x_max.")
    x = var(x)
    if x_min is not None:
        x = call("maximum", x, operand(x_min, x))
    if x_max is not None:
        x = call("minimum", x, operand(x_max, x))
    return x
