"""Upsampling with the indices max pooling returned: each element of x put
back at the position its window's maximum came from."""
from __future__ import annotations

__all__ = ["upsampling_2d"]

import numpy as np

from ...backends import cuda
from ...utils import size_of_shape
from .._core import Variable, call, operand
from .pooling_nd import as_tuple, check, conv_outsize, deconv_outsize, geometry

LABEL = "Upsampling2D"


def upsampling_2d(x, indexes, ksize, stride=None, pad=0, outsize=None,
                  cover_all: bool = True) -> Variable:
    """x (n, c, h, w) and `indexes` (an integer array of x's shape, as
    max_pooling_2d(..., return_indices=True) gives) to (n, c, h_O, w_O):
    x[n, c, i, j] lands at offset indexes[n, c, i, j] (flat) of window
    (i, j); positions no window picks are zero, overlaps add up."""
    x, ksize, stride, pad = geometry(LABEL, x, 2, ksize, stride, pad)
    indexes = getattr(indexes, "array", indexes)
    xp = cuda.get_array_module(indexes)       # (the mask is made where the indexes are)
    check(LABEL, x.shape == indexes.shape, "x.shape == indexes.shape",
          f"{x.shape} != {indexes.shape}")
    dims = x.shape[2:]
    if outsize is None:
        outsize = tuple(deconv_outsize(d, k, s, p, cover_all)
                        for d, k, s, p in zip(dims, ksize, stride, pad))
    else:
        outsize = as_tuple(outsize, 2, "outsize")
        want = tuple(conv_outsize(o, k, s, p, cover_all)
                     for o, k, s, p in zip(outsize, ksize, stride, pad))
        check(LABEL, dims == want, f"x.shape[2:] == {want}", f"{dims} != {want}")
    n, c = x.shape[:2]
    kk = size_of_shape(ksize)
    with cuda.get_device_from_array(indexes):
        hit = xp.arange(kk).reshape(1, 1, kk, 1, 1) == xp.asarray(indexes)[:, :, None]
    spread = call("where", operand(hit, x), call("reshape", x, shape=(n, c, 1) + dims),
                  operand(0.0, x))
    col = call("reshape", spread, shape=(n, c) + ksize + dims)
    return call("col2im_nd", col, stride=stride, pad=pad, dilate=(1, 1), size=outsize)
