"""cumprod (Chainer's chainer.functions.math.cumprod)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import check_float, single_axis


def cumprod(x, axis=None) -> Variable:
    """Cumulative product along `axis` (None: of the flattened array). Its
    gradient uses products and sums only (exact where elements are zero)."""
    x = var(x)
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
        raise TypeError(f"Cumprod: axis must be int or None, not {axis!r}")
    check_float("Cumprod", x)
    axis = single_axis("Cumprod", axis, x.ndim)
    if axis is None:
        x = call("reshape", x, shape=(x.size,))
        axis = 0
    return call("cumprod", x, axis=axis)
