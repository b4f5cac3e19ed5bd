"""repeat: each element repeated (NumPy's repeat)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var
from ._util import check_axis, is_int


def repeat(x, repeats, axis=None) -> Variable:
    """Each element of `x` repeated `repeats` times (an int, or one count per
    element along `axis`); with axis None x is flattened first."""
    if isinstance(repeats, (int, np.integer)):
        repeats = (int(repeats),)
    elif isinstance(repeats, tuple) and all(isinstance(r, (int, np.integer)) for r in repeats):
        repeats = tuple(int(r) for r in repeats)
    else:
        raise TypeError("repeats must be int or tuple of ints")
    if not all(r >= 0 for r in repeats):
        raise ValueError("all elements in repeats must be zero or larger")
    if axis is not None and not is_int(axis):
        raise TypeError("axis must be int or None")
    x = var(x)
    if axis is None:
        x = call("reshape", x, shape=(x.size,))
        axis = 0
    else:
        axis = check_axis("Repeat", int(axis), x.ndim)
    n = x.shape[axis]
    if len(repeats) == 1:
        r = repeats[0]
        inserted = x.shape[:axis + 1] + (1,) + x.shape[axis + 1:]
        spread = x.shape[:axis + 1] + (r,) + x.shape[axis + 1:]
        y = call("reshape", x, shape=inserted)
        if r != 1:
            y = call("broadcast_to", y, shape=spread)
        return call("reshape", y, shape=x.shape[:axis] + (n * r,) + x.shape[axis + 1:])
    if len(repeats) != n:
        raise ValueError(f"operands could not be broadcast together: {len(repeats)} repeats "
                         f"for {n} elements along axis {axis}")
    index = np.repeat(np.arange(n), repeats)
    key = (("s", None, None, None),) * axis + (("a", 0),)
    return call("getitem", x, var(index), key=key)
