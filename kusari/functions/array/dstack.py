"""dstack: join arrays depth-wise (NumPy's dstack)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import check_stack


def _at_least_3d(x: Variable) -> Variable:
    if x.ndim == 0:
        shape = (1, 1, 1)
    elif x.ndim == 1:
        shape = (1,) + x.shape + (1,)
    elif x.ndim == 2:
        shape = x.shape + (1,)
    else:
        return x
    return call("reshape", x, shape=shape)


def dstack(xs) -> Variable:
    """Concatenate along axis 2, arrays of fewer dimensions taken as
    (1, N, 1) and (M, N, 1)."""
    xs = [var(x) for x in xs]
    check_stack("Dstack", xs, 2, 2, True)
    return call("concat", *[_at_least_3d(x) for x in xs], axis=2)
