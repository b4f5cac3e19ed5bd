"""sum_to: sum down to a shape, the inverse of broadcasting."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import shape_arg


def sum_to(x, shape) -> Variable:
    """Sum `x` down to `shape` (x itself when it has that shape)."""
    x = var(x)
    shape = shape_arg(shape)
    if shape == x.shape:
        return x
    return call("sum_to", x, shape=shape)
