"""rollaxis: roll one axis back to a position."""
from __future__ import annotations

from .._core import Variable, var
from ._util import expect, is_int
from .transpose import permuted


def rollaxis(x, axis: int, start: int = 0) -> Variable:
    """Move axis `axis` of `x` to before position `start` (NumPy's rollaxis)."""
    if not is_int(axis):
        raise TypeError("Rollaxis: axis must be int")
    if not is_int(start):
        raise TypeError("Rollaxis: start must be int")
    x = var(x)
    n = x.ndim
    expect("Rollaxis", (n > axis) if axis >= 0 else (n > -axis - 1),
           "x.ndim > axis" if axis >= 0 else "x.ndim > -axis - 1",
           f"x.ndim = {n}, axis = {axis}")
    expect("Rollaxis", (n >= start) if start >= 0 else (n > -start - 1),
           "x.ndim >= start" if start >= 0 else "x.ndim > -start - 1",
           f"x.ndim = {n}, start = {start}")
    if not (-n <= axis < n and -n - 1 < start <= n):
        raise ValueError(f"Rollaxis: axis {axis} or start {start} out of bounds for ndim {n}")
    axis %= n
    start = start + n if start < 0 else start
    order = list(range(n))
    order.remove(axis)
    order.insert(start - 1 if axis < start else start, axis)
    return permuted(x, order)
