"""swish (Chainer's chainer.functions.activation.swish)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._common import along_axis1, float_input


def swish(x, beta=1.0) -> Variable:
    """x * sigmoid(beta * x). beta is an array of shape x.shape[1:1 +
    beta.ndim] (Chainer's form, broadcast over the other axes) or, as a
    kusari extension, a number."""
    x = float_input("Swish", x)
    if not isinstance(beta, (int, float)):
        beta = along_axis1("Swish", x, var(beta), "beta")
    return x * call("sigmoid", x * beta)
