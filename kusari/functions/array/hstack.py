"""hstack: join arrays column-wise (NumPy's hstack)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import check_stack


def hstack(xs) -> Variable:
    """Concatenate along axis 1 (axis 0 for 1-D and 0-d arrays)."""
    xs = [var(x) for x in xs]
    check_stack("Hstack", xs, 1, 1, False)
    if xs[0].ndim == 0:
        xs = [call("reshape", x, shape=(1,)) for x in xs]
    return call("concat", *xs, axis=0 if xs[0].ndim == 1 else 1)
