"""maxout (Chainer's chainer.functions.activation.maxout)."""
from __future__ import annotations

from ...compiler.errors import InvalidType
from .._core import Variable, call, var


def maxout(x, pool_size: int, axis: int = 1) -> Variable:
    """The maximum over groups of `pool_size` consecutive entries along
    `axis` (whose length pool_size must divide)."""
    if pool_size <= 0:
        raise ValueError("pool_size must be a positive integer.")
    x = var(x)
    axis = axis % x.ndim if -x.ndim <= axis < x.ndim else axis
    shape = x.shape
    if shape[axis] % pool_size != 0:
        raise InvalidType("x.shape[axis] % pool_size == 0",
                          f"x.shape[axis]={shape[axis]}, pool_size={pool_size}",
                          "axis dimension must be divided by pool_size")
    grouped = shape[:axis] + (shape[axis] // pool_size, pool_size) + shape[axis + 1:]
    from ..math.minmax import max as max_
    return max_(call("reshape", x, shape=grouped), axis=axis + 1)
