"""F.mean_squared_error."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, var
from ._checks import expect, float_kind, same_dtype, same_shape


def _pair(label: str, x0, x1):
    x0, x1 = var(x0), var(x1)
    expect(label, float_kind(x0, "x0"), same_dtype(x0, x1, "x0", "x1"),
           same_shape(x0, x1, "x0", "x1"))
    return x0, x1


def _mean_of(values: Variable, dtype) -> Variable:
    """The mean of all elements, summed in float32 for float16 (as Chainer
    reduces), in `dtype`."""
    acc = np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)
    if acc != values.dtype:
        values = call("cast", values, dtype=acc)
    total = call("sum", values, axis=tuple(range(values.ndim)), keepdims=False)
    out = total / values.size
    return call("cast", out, dtype=dtype) if out.dtype != dtype else out


def mean_squared_error(x0, x1) -> Variable:
    """The mean of (x0 - x1) ** 2 over all elements (not halved)."""
    x0, x1 = _pair("MeanSquaredError", x0, x1)
    d = x0 - x1
    return _mean_of(d * d, x0.dtype)
