"""vstack: join arrays row-wise (NumPy's vstack)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import check_stack


def vstack(xs) -> Variable:
    """Concatenate along axis 0, 0-d and 1-D arrays taken as rows."""
    xs = [var(x) for x in xs]
    check_stack("Vstack", xs, 0, 1, True)
    if xs[0].ndim <= 1:
        xs = [call("reshape", x, shape=(1, x.size)) for x in xs]
    return call("concat", *xs, axis=0)
