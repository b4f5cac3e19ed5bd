"""squeeze: remove axes of length one."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect, is_int


def squeeze(x, axis=None) -> Variable:
    """`x` without its axes of length one (or only those in `axis`). Always a
    new node, as in Chainer."""
    if axis is not None and not is_int(axis) and not (
            isinstance(axis, tuple) and all(is_int(a) for a in axis)):
        raise TypeError("Squeeze: axis must be None, int or tuple of ints")
    x = var(x)
    if axis is None:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    else:
        axes = [axis] if is_int(axis) else list(axis)
        for a in axes:
            expect("Squeeze", -x.ndim <= a < x.ndim,
                   "-x.ndim <= axis < x.ndim", f"axis = {a}, x.ndim = {x.ndim}")
            if not -x.ndim <= a < x.ndim:
                raise ValueError(f"Squeeze: axis {a} out of bounds for x.ndim = {x.ndim}")
        axes = [int(a) % x.ndim for a in axes]
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size "
                                 f"not equal to one (axis {a} of shape {x.shape})")
    return call("reshape", x, shape=tuple(d for i, d in enumerate(x.shape) if i not in axes))
