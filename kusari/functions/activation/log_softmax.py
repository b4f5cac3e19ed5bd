"""log_softmax (Chainer's chainer.functions.activation.log_softmax)."""
from __future__ import annotations

from .._core import Variable, call
from ._common import float_input
from .softmax import _one_axis


def log_softmax(x, axis: int = 1) -> Variable:
    """log(softmax(x)) along `axis`, computed stably."""
    x = float_input("LogSoftmax", x)
    return call("log_softmax", x, axis=_one_axis("LogSoftmax", axis, x.ndim))
