"""softmax (Chainer's chainer.functions.activation.softmax)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, axis_tuple, call
from ._common import float_input


def softmax(x, axis: int = 1) -> Variable:
    """exp(x) normalized along `axis`."""
    x = float_input("Softmax", x)
    return call("softmax", x, axis=_one_axis("Softmax", axis, x.ndim))


def _one_axis(label: str, axis, ndim: int) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{label}: axis must be an int, not {type(axis).__name__}")
    return axis_tuple(label, axis, ndim)[0]
