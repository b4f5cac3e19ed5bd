"""Dilated convolution (Chainer's F.dilated_convolution_2d)."""
from __future__ import annotations

__all__ = ["dilated_convolution_2d"]

from .._core import Variable
from .convolution_2d import convolution_2d


def dilated_convolution_2d(x, W, b=None, stride=1, pad=0, dilate=1,
                           cover_all: bool = False) -> Variable:
    """A convolution whose filter taps lie `dilate` pixels apart."""
    return convolution_2d(x, W, b, stride, pad, cover_all, dilate=dilate)
