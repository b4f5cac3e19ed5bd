"""flip: reverse the order of elements along an axis."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect, is_int


def _flip(array, axis: int):
    """A NumPy (or CuPy) array reversed along `axis` (Chainer's helper)."""
    index = [slice(None)] * array.ndim
    index[axis] = slice(None, None, -1)
    return array[tuple(index)]


def reversed_along(x: Variable, axis: int) -> Variable:
    return call("getitem", x, key=(("s", None, None, None),) * axis + (("s", None, None, -1),))


def flip(x, axis: int) -> Variable:
    """`x` reversed along `axis`."""
    if not is_int(axis):
        raise TypeError("axis must be int")
    x = var(x)
    expect("Flip", x.ndim > 0, "x.ndim > 0", f"{x.ndim} <= 0")
    if axis >= 0:
        expect("Flip", x.ndim > axis, "x.ndim > axis", f"{x.ndim} <= {axis}")
    else:
        expect("Flip", x.ndim >= -axis, "x.ndim >= -axis", f"{x.ndim} < {-axis}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"Flip: axis {axis} out of bounds for x.ndim = {x.ndim}")
    return reversed_along(x, int(axis) % x.ndim)
