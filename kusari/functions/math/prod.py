"""prod (Chainer's chainer.functions.math.prod)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import reduction_axes


def prod(x, axis=None, keepdims: bool = False) -> Variable:
    """Product of the elements over `axis`. Each element's gradient is the
    product of the others (no division: exact where elements are zero)."""
    x = var(x)
    return call("prod", x, axis=reduction_axes("Prod", axis, x.ndim), keepdims=bool(keepdims))
