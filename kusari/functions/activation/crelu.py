"""crelu (Chainer's chainer.functions.activation.crelu)."""
from __future__ import annotations

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call
from ._common import float_input


def crelu(x, axis: int = 1) -> Variable:
    """relu(x) and relu(-x) concatenated along `axis`."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError("crelu: axis must be an integer value")
    x = float_input("CReLU", x)
    if not (x.ndim > axis and x.ndim >= -axis):
        raise invalid_in("CReLU", InvalidType("x.ndim > axis and x.ndim >= -axis",
                                              f"x.ndim = {x.ndim}, axis = {axis}"))
    return call("concat", call("relu", x), call("relu", -x), axis=int(axis) % x.ndim)
