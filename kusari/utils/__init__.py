"""Chainer's utils: small helpers users reach for."""
from __future__ import annotations

import numpy as np

from . import type_check  # noqa: F401


def force_array(x, dtype=None):
    """`x` as an ndarray (NumPy returns scalars from some 0-d operations)."""
    if np.isscalar(x) or isinstance(x, np.generic):
        return np.asarray(x, dtype=dtype)
    return x if dtype is None else x.astype(dtype, copy=False)


def force_type(dtype, value):
    """`value` converted to `dtype` (a scalar or an array)."""
    if np.isscalar(value):
        return np.dtype(dtype).type(value)
    if value.dtype != dtype:
        return value.astype(dtype, copy=False)
    return value


def size_of_shape(shape) -> int:
    size = 1
    for d in shape:
        size *= int(d)
    return size


def sum_to(x, shape):
    """Sum array `x` down to `shape` (NumPy arrays)."""
    from ..compiler.ops.numpy_kernels import sum_to as _sum_to
    return _sum_to(x, tuple(shape))
