"""cumsum (Chainer's chainer.functions.math.cumsum)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import check_float, single_axis


def cumsum(x, axis=None) -> Variable:
    """Cumulative sum along `axis` (None: of the flattened array). Its
    gradient is a cumulative sum run from the other end."""
    x = var(x)
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
        raise TypeError(f"Cumsum: axis must be int or None, not {axis!r}")
    check_float("Cumsum", x)
    axis = single_axis("Cumsum", axis, x.ndim)
    if axis is None:
        x = call("reshape", x, shape=(x.size,))
        axis = 0
    return call("cumsum", x, axis=axis)
