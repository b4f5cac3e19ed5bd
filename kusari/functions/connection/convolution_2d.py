"""Two-dimensional convolution (Chainer's F.convolution_2d)."""
from __future__ import annotations

__all__ = ["convolution_2d"]

from .._core import Variable
from .convolution_nd import (DETERMINISTIC, REQUIRES_X_GRAD, FunctionNodeAdapter, convolution,
                             parse_kwargs)


def convolution_2d(x, W, b=None, stride=1, pad=0, cover_all: bool = False,
                   **kwargs) -> Variable:
    """convolution_2d(x, W, b=None, stride=1, pad=0, cover_all=False, *, dilate=1, groups=1)

    x is (n, c_I, h, w), W is (c_O, c_I / groups, k_H, k_W), b is (c_O,);
    stride, pad and dilate are ints or (y, x) pairs. With cover_all the last
    windows may run over the padded image so that every pixel is covered.
    """
    dilate, groups, cudnn_fast = parse_kwargs(
        kwargs, ("dilate", 1), ("groups", 1), ("cudnn_fast", False),
        deterministic=DETERMINISTIC, requires_x_grad=REQUIRES_X_GRAD)
    if cudnn_fast:
        raise RuntimeError("'cudnn_fast' can't be used in the CPU backend")
    return convolution(x, W, b, stride, pad, cover_all, dilate, groups, 2,
                       "Convolution2DFunction", bias_dtype_of_x=True)


class Convolution2DFunction(FunctionNodeAdapter):
    label = "Convolution2DFunction"

    def __init__(self, stride=1, pad=0, cover_all=False, **kwargs):
        self.dilate, self.groups, cudnn_fast = parse_kwargs(
            kwargs, ("dilate", 1), ("groups", 1), ("cudnn_fast", False),
            deterministic=DETERMINISTIC, requires_x_grad=REQUIRES_X_GRAD)
        self.stride, self.pad, self.cover_all = stride, pad, cover_all

    def forward_function(self, x, W, b=None):
        return convolution(x, W, b, self.stride, self.pad, self.cover_all, self.dilate,
                           self.groups, 2, self.label, bias_dtype_of_x=True)
