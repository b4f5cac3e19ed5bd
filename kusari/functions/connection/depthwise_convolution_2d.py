"""Depthwise convolution: each input channel convolved with its own
channel_multiplier filters (a grouped convolution with one group per channel)."""
from __future__ import annotations

__all__ = ["depthwise_convolution_2d"]

from .._core import Variable, call, var
from .convolution_nd import check
from .convolution_2d import convolution_2d


def depthwise_convolution_2d(x, W, b=None, stride=1, pad=0) -> Variable:
    """x is (n, c_I, h, w), W is (c_M, c_I, k_H, k_W), b is (c_M * c_I,); the
    output has c_M * c_I channels (channel m of input channel c at c * c_M + m)."""
    W = var(W)
    check("DepthwiseConvolution2D", W.ndim == 4, "W.ndim == 4", f"{W.ndim} != 4")
    multiplier, in_channels, kh, kw = W.shape
    W = call("transpose", W, axes=(1, 0, 2, 3))
    W = call("reshape", W, shape=(multiplier * in_channels, 1, kh, kw))
    return convolution_2d(x, W, b, stride, pad, groups=in_channels)
