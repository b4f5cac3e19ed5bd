"""concat: join arrays along an existing axis."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect, is_int


def concat(xs, axis: int = 1) -> Variable:
    """Join the arrays `xs` along `axis` (a new node even for one array)."""
    if not is_int(axis):
        raise TypeError("Concat: axis must be int")
    xs = [var(x) for x in xs]
    expect("Concat", len(xs) > 0, "in_types.size() > 0", "0 <= 0")
    if not xs:
        raise ValueError("concat needs at least one array")
    ndim = xs[0].ndim
    expect("Concat", -ndim <= axis < ndim, "-in_types[0].ndim <= axis < in_types[0].ndim",
           f"axis = {axis}, in_types[0].ndim = {ndim}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"Concat: axis {axis} out of bounds for ndim {ndim}")
    return call("concat", *xs, axis=int(axis) % ndim)
