"""2-dimensional average pooling (Chainer's F.average_pooling_2d)."""
from __future__ import annotations

__all__ = ["average_pooling_2d"]

from .._core import Variable
from .average_pooling_nd import average


def average_pooling_2d(x, ksize, stride=None, pad=0) -> Variable:
    """The mean of each k_H x k_W window of x (n, c, h, w), windows `stride`
    apart (default: ksize); the zero padding counts in the mean."""
    return average("AveragePooling2D", x, 2, ksize, stride, pad, 0)
