"""Array helpers (Chainer's chainer.utils.array)."""
from __future__ import annotations

import warnings

import numpy


def as_vec(x):
    warnings.warn("chainer.utils.array.as_vec is deprecated. Please refer to "
                  "numpy.ravel or other array backend functions to flatten "
                  "ndarrays.", DeprecationWarning)
    return x if x.ndim == 1 else x.ravel()


def as_mat(x):
    warnings.warn("chainer.utils.array.as_mat is deprecated. Please refer to "
                  "numpy.reshape or other array backend functions to reshape "
                  "ndarrays.", DeprecationWarning)
    return x if x.ndim == 2 else x.reshape(len(x), -1)


def empty_like(x):
    warnings.warn("chainer.utils.array.empty_like is deprecated. Please refer to "
                  "numpy.empty_like or other array backend functions to "
                  "initialize empty arrays.", DeprecationWarning)
    from ..backend import get_array_module
    return get_array_module(x).empty_like(x)


def size_of_shape(shape) -> int:
    size = 1
    for d in shape:
        size *= d
    return int(size)


def sum_to(x, shape):
    """Sum array `x` down to `shape` (the inverse of broadcasting)."""
    if x.shape == tuple(shape):
        return x
    from ..variable import Variable
    if isinstance(x, Variable):
        raise TypeError("chainer.utils.sum_to does not support Variable input. "
                        "Use chainer.functions.sum_to instead.")
    lead = x.ndim - len(shape)
    lead_axes = tuple(range(lead))
    axes = tuple(lead + i for i, d in enumerate(shape) if d == 1)
    y = x.sum(lead_axes + axes, keepdims=True)
    return y.squeeze(lead_axes) if lead > 0 else y


def _numpy_dtype(x):
    return numpy.asarray(x).dtype
