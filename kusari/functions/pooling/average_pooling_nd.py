"""Average pooling (1-d, 3-d, N-d): the mean over each window of
im2col_nd's patches, counting the padding (pad_value=0) or not (None)."""
from __future__ import annotations

__all__ = ["average_pooling_nd", "average_pooling_1d", "average_pooling_3d"]

import numpy as np

from .._core import Variable, call, operand, sent
from .pooling_nd import fixed_ndim, geometry, windows

LABEL = "AveragePoolingND"


def _counts(sizes, ksize, stride, pad, outs, dtype) -> np.ndarray:
    """How many elements of x (not padding) each window covers."""
    width = np.ones((), np.int64)
    for d, k, s, p, o in zip(sizes, ksize, stride, pad, outs):
        starts = -p + np.arange(o) * s
        w = np.minimum(starts + k, d) - np.maximum(starts, 0)
        width = np.multiply.outer(width, w)
    return width.astype(dtype)


def average(label: str, x, nd: int, ksize, stride, pad, pad_value) -> Variable:
    x, ksize, stride, pad = geometry(label, x, nd, ksize, stride, pad)
    col, outs = windows(label, x, ksize, stride, pad, False, 0.0)
    axes = tuple(range(2, 2 + nd))
    total = call("sum", col, axis=axes, keepdims=False)
    if pad_value is None:
        width = _counts(x.shape[2:], ksize, stride, pad, outs, x.dtype)
        return call("div", total, operand(sent(width, total), total))
    return call("mul", total, operand(1.0 / float(np.prod(ksize)), total))


def average_pooling_nd(x, ksize, stride=None, pad=0, pad_value=0) -> Variable:
    """The mean of each (k_1, ..., k_N) window of x (n, c, d_1, ..., d_N),
    windows `stride` apart (default: ksize); padded elements count as zeros
    (pad_value=0) or are left out of the mean (pad_value=None)."""
    if not (pad_value is None or pad_value == 0):
        raise ValueError(f"pad_value must be either 0 or None, not {pad_value}.")
    nd = len(x.shape[2:])
    return average(LABEL, x, nd, ksize, stride, pad, pad_value)


def average_pooling_1d(x, ksize, stride=None, pad=0, pad_value=0) -> Variable:
    """1-dimensional average pooling (see average_pooling_nd)."""
    fixed_ndim(1, x)
    return average_pooling_nd(x, ksize, stride, pad, pad_value)


def average_pooling_3d(x, ksize, stride=None, pad=0, pad_value=0) -> Variable:
    """3-dimensional average pooling (see average_pooling_nd)."""
    fixed_ndim(3, x)
    return average_pooling_nd(x, ksize, stride, pad, pad_value)
