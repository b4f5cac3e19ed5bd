"""softplus (Chainer's chainer.functions.activation.softplus)."""
from __future__ import annotations

from .._core import Variable, call
from ._common import float_input


def softplus(x, beta: float = 1.0) -> Variable:
    """log(1 + exp(beta * x)) / beta, computed stably; its gradient is
    sigmoid(beta * x) (1/2 at 0)."""
    x = float_input("Softplus", x)
    if beta == 1.0:
        return call("softplus", x)
    return call("softplus", x * beta) * (1.0 / beta)
