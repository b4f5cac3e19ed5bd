"""Max pooling (1-d, 2-d, 3-d, N-d): the maximum over each window of
im2col_nd's patches (padded with -inf), found once by argmax; the gradient
goes to the first maximum of each window, as in Chainer."""
from __future__ import annotations

__all__ = ["max_pooling_nd", "max_pooling_1d", "max_pooling_2d", "max_pooling_3d"]

import numpy as np

from ...utils import size_of_shape
from .._core import call
from .pooling_nd import first_max, fixed_ndim, geometry, windows

LABEL = "MaxPoolingND"

def max_pooling_nd(x, ksize, stride=None, pad=0, cover_all: bool = True,
                   return_indices: bool = False):
    """The maximum of each (k_1, ..., k_N) window of x (n, c, d_1, ..., d_N),
    windows `stride` apart (default: ksize) over x padded by `pad` with -inf.
    cover_all (default True) adds the last, partial windows.

    With return_indices, also returns the position within its window (flat,
    as an ndarray of the output's shape) of each maximum."""
    nd = len(x.shape[2:])
    x, ksize, stride, pad = geometry(LABEL, x, nd, ksize, stride, pad)
    col, outs = windows(LABEL, x, ksize, stride, pad, cover_all, -np.inf)
    n, c = x.shape[:2]
    col = call("reshape", col, shape=(n, c, size_of_shape(ksize)) + outs)
    y, indexes = first_max(col, 2)
    return (y, indexes.array) if return_indices else y

def max_pooling_1d(x, ksize, stride=None, pad=0, cover_all: bool = True,
                   return_indices: bool = False):
    """1-dimensional max pooling (see max_pooling_nd)."""
    fixed_ndim(1, x)
    return max_pooling_nd(x, ksize, stride, pad, cover_all, return_indices)

def max_pooling_2d(x, ksize, stride=None, pad=0, cover_all: bool = True,
                   return_indices: bool = False):
    """2-dimensional max pooling (see max_pooling_nd)."""
    fixed_ndim(2, x)
    return max_pooling_nd(x, ksize, stride, pad, cover_all, return_indices)

def max_pooling_3d(x, ksize, stride=None, pad=0, cover_all: bool = True,
                   return_indices: bool = False):
    """3-dimensional max pooling (see max_pooling_nd)."""
    fixed_ndim(3, x)
    return max_pooling_nd(x, ksize, stride, pad, cover_all, return_indices)
