"""F.absolute_error."""
from __future__ import annotations

from ...variable import Variable
from .._core import call
from .mean_squared_error import _pair


def absolute_error(x0, x1) -> Variable:
    """|x0 - x1| elementwise; the gradient is sign(x0 - x1) (0 where equal)."""
    x0, x1 = _pair("AbsoluteError", x0, x1)
    return call("abs", x0 - x1)
