"""stack: join arrays along a new axis."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect


def stack(xs, axis: int = 0) -> Variable:
    """Join the same-shaped arrays `xs` along a new axis `axis`."""
    xs = [var(x) for x in xs]
    expect("Stack", len(xs) > 0, "in_types.size() > 0", "0 <= 0")
    if not xs:
        raise ValueError("stack needs at least one array")
    first = xs[0]
    ok = -first.ndim - 1 <= axis <= first.ndim
    expect("Stack", ok, "-in_types[0].ndim - 1 <= axis <= in_types[0].ndim",
           f"axis = {axis}, in_types[0].ndim = {first.ndim}")
    if not ok:
        raise ValueError(f"Stack: axis {axis} out of bounds for ndim {first.ndim}")
    for i, x in enumerate(xs[1:], 1):
        expect("Stack", x.dtype == first.dtype, f"in_types[{i}].dtype == in_types[0].dtype",
               f"{x.dtype} != {first.dtype}")
        expect("Stack", x.shape == first.shape, f"in_types[{i}].shape == in_types[0].shape",
               f"{x.shape} != {first.shape}")
    axis %= first.ndim + 1
    shape = first.shape[:axis] + (1,) + first.shape[axis:]
    return call("concat", *[call("reshape", x, shape=shape) for x in xs], axis=axis)
