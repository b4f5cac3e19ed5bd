"""separate: the slices of an array along an axis."""
from __future__ import annotations

from .._core import call, var
from ._util import check_axis, expect


def separate(x, axis: int = 0) -> tuple:
    """The slices of `x` along `axis`, each without that axis."""
    x = var(x)
    ok = axis < x.ndim if axis >= 0 else -axis <= x.ndim
    expect("Separate", ok, "axis < x.ndim" if axis >= 0 else "-axis <= x.ndim",
           f"axis = {axis}, x.ndim = {x.ndim}")
    axis = check_axis("Separate", axis, x.ndim)
    prefix = (("s", None, None, None),) * axis
    return tuple(call("getitem", x, key=prefix + (("i", i),)) for i in range(x.shape[axis]))
