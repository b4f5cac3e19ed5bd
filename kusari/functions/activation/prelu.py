"""prelu (Chainer's chainer.functions.activation.prelu)."""
from __future__ import annotations

from .._core import Variable, var
from ..math.selection import where
from ._common import along_axis1, compare, float_input


def prelu(x, W) -> Variable:
    """x where x >= 0, else W * x; W has shape x.shape[1:1 + W.ndim] and is
    broadcast over the other axes."""
    x = float_input("PReLUFunction", x)
    w = along_axis1("PReLUFunction", x, var(W), "W")
    return where(compare("greater_equal", x, 0), x, x * w)
