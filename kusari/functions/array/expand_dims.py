"""expand_dims: insert an axis of length one."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect


def expand_dims(x, axis: int) -> Variable:
    """`x` with a new axis of length one at `axis`."""
    x = var(x)
    axis = int(axis)
    ok = x.ndim >= axis if axis >= 0 else x.ndim >= -axis - 1
    expect("ExpandDims", ok, "x.ndim >= axis" if axis >= 0 else "x.ndim >= -axis - 1",
           f"x.ndim = {x.ndim}, axis = {axis}")
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise ValueError(f"ExpandDims: axis {axis} out of bounds for x.ndim = {x.ndim}")
    axis %= x.ndim + 1
    return call("reshape", x, shape=x.shape[:axis] + (1,) + x.shape[axis:])
