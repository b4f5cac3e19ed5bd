"""swapaxes: interchange two axes."""
from __future__ import annotations

from .._core import Variable, var
from ._util import check_axis, is_int
from .transpose import permuted


def swapaxes(x, axis1: int, axis2: int) -> Variable:
    """Interchange axes `axis1` and `axis2` of `x`."""
    x = var(x)
    if not is_int(axis1) or not is_int(axis2):
        raise TypeError("Swapaxes: axis1 and axis2 must be ints")
    a = check_axis("Swapaxes", int(axis1), x.ndim, "axis1")
    b = check_axis("Swapaxes", int(axis2), x.ndim, "axis2")
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return permuted(x, axes)
