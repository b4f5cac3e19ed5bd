"""Two-dimensional deconvolution (Chainer's F.deconvolution_2d)."""
from __future__ import annotations

__all__ = ["deconvolution_2d"]

from .._core import Variable
from .convolution_nd import DETERMINISTIC, REQUIRES_X_GRAD, FunctionNodeAdapter, parse_kwargs
from .deconvolution_nd import deconvolution


def deconvolution_2d(x, W, b=None, stride=1, pad=0, outsize=None, **kwargs) -> Variable:
    """deconvolution_2d(x, W, b=None, stride=1, pad=0, outsize=None, *, dilate=1, groups=1)

    x is (n, c_I, h, w), W is (c_I, c_O / groups, k_H, k_W), b is (c_O,);
    outsize (h_O, w_O) defaults to s (h - 1) + (k - 1) dilate + 1 - 2 p.
    """
    dilate, groups = parse_kwargs(kwargs, ("dilate", 1), ("groups", 1),
                                  deterministic=DETERMINISTIC,
                                  requires_x_grad=REQUIRES_X_GRAD)
    return deconvolution(x, W, b, stride, pad, outsize, dilate, groups, 2,
                         "Deconvolution2DFunction", bias_dtype_of_x=True)


class Deconvolution2DFunction(FunctionNodeAdapter):
    label = "Deconvolution2DFunction"

    def __init__(self, stride=1, pad=0, outsize=None, **kwargs):
        self.dilate, self.groups = parse_kwargs(
            kwargs, ("dilate", 1), ("groups", 1), deterministic=DETERMINISTIC,
            requires_x_grad=REQUIRES_X_GRAD)
        self.stride, self.pad, self.outsize = stride, pad, outsize

    def forward_function(self, x, W, b=None):
        return deconvolution(x, W, b, self.stride, self.pad, self.outsize, self.dilate,
                             self.groups, 2, self.label, bias_dtype_of_x=True)
