"""F.mean_absolute_error."""
from __future__ import annotations

from ...variable import Variable
from .._core import call
from .mean_squared_error import _mean_of, _pair


def mean_absolute_error(x0, x1) -> Variable:
    """The mean of |x0 - x1| over all elements."""
    x0, x1 = _pair("MeanAbsoluteError", x0, x1)
    return _mean_of(call("abs", x0 - x1), x0.dtype)
