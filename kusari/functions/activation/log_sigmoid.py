"""log_sigmoid: log(sigmoid(x)) computed stably (a kusari extension; not in Chainer 7)."""
from __future__ import annotations

from .._core import Variable, call
from ._common import float_input


def log_sigmoid(x) -> Variable:
    """log(1 / (1 + exp(-x))) = -softplus(-x); its gradient is sigmoid(-x)."""
    x = float_input("LogSigmoid", x)
    return -call("softplus", -x)
