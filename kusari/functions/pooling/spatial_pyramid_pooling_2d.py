"""Spatial pyramid pooling: max pooling into 1, 2, 4, ... bins per axis,
flattened and concatenated, so any image size gives one fixed length."""
from __future__ import annotations

__all__ = ["spatial_pyramid_pooling_2d"]

import math

from .._core import Variable, call, var
from .max_pooling_nd import max_pooling_2d


def spatial_pyramid_pooling_2d(x, pyramid_height: int, pooling=None) -> Variable:
    """x (n, c, h, w) to (n, c (1 + 4 + ... + 4^(pyramid_height - 1)), 1, 1);
    `pooling` must be 'max'."""
    x = var(x)
    _, _, h, w = x.shape
    ys = []
    for level in range(pyramid_height):
        bins = 2 ** level
        kh, kw = math.ceil(h / bins), math.ceil(w / bins)
        pad = ((kh * bins - h) // 2, (kw * bins - w) // 2)
        if pooling != "max":
            raise ValueError("Unsupported pooling operation: ", pooling)
        y = max_pooling_2d(x, ksize=(kh, kw), stride=None, pad=pad, cover_all=True)
        n, c, yh, yw = y.shape
        ys.append(call("reshape", y, shape=(n, c * yh * yw, 1, 1)))
    return call("concat", *ys, axis=1)
