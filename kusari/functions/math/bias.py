"""bias (Chainer's chainer.functions.math.bias)."""
from __future__ import annotations

from .._core import Variable, call, var


def _along(x: Variable, y: Variable, axis: int) -> Variable:
    """y reshaped to x's dimensions from `axis` on and broadcast to x (Caffe's
    broadcasting: y's axes line up with x's axes axis, axis + 1, ...)."""
    if not 0 <= axis <= x.ndim - y.ndim or x.shape[axis:axis + y.ndim] != y.shape:
        # (an AssertionError, as Chainer's check under config.debug)
        raise AssertionError(f"x.shape[axis:axis + y.ndim] == y.shape is required: "
                             f"x.shape = {x.shape}, y.shape = {y.shape}, axis = {axis}")
    shape = (1,) * axis + y.shape + (1,) * (x.ndim - axis - y.ndim)
    return call("broadcast_to", call("reshape", y, shape=shape), shape=x.shape)


def bias(x, y, axis: int = 1) -> Variable:
    """x + y, y's axes lined up with x's from `axis` on and broadcast over
    the rest."""
    x, y = var(x), var(y)
    return x + _along(x, y, axis)
