"""sum (Chainer's chainer.functions.math.sum; sum_to lives with the arrays)."""
from __future__ import annotations

from .._core import Variable, call, var
from ..array.sum_to import sum_to  # noqa: F401 (Chainer's chainer.functions.math.sum.sum_to)
from ._axis import reduction_axes


def sum(x, axis=None, keepdims: bool = False) -> Variable:  # noqa: A001 - Chainer's name
    """Sum of the elements over `axis` (None: all; an int or a tuple of
    ints), the summed axes kept with length 1 if `keepdims`. Integer arrays
    are summed too (a kusari extension: Chainer's takes floats only)."""
    x = var(x)
    return call("sum", x, axis=reduction_axes("Sum", axis, x.ndim), keepdims=bool(keepdims))

