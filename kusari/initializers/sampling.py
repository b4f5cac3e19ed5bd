"""Bilinear up/downsampling filters for (de)convolution weights."""
from __future__ import annotations

import numpy

from ..initializer import Initializer
from ._device import xp_of


def _linear_filter(size: int, ndim: int, upsampling: bool = True):
    """The ndim-dimensional bilinear kernel of `size` (normalized to sum 1
    when downsampling)."""
    factor = (size + 1) // 2
    center = factor - 1. if size % 2 == 1 else factor - 0.5
    filt = 1.
    for axis in numpy.ogrid[(slice(size),) * ndim]:
        filt = filt * (1. - abs(axis - center) / factor)
    if not upsampling:
        filt /= filt.sum()
    return filt


class _SamplingFilter(Initializer):
    def __init__(self, upsampling=True, interpolation="linear", dtype=None):
        if interpolation != "linear":
            raise ValueError(f"Unsupported interpolation method: {interpolation}")
        self._upsampling = upsampling
        super().__init__(dtype)

    def __call__(self, array):
        self._check_dtype(array)
        xp = xp_of(array)
        in_c, out_c = array.shape[:2]
        if not (in_c == out_c or out_c == 1):
            raise ValueError("the filter's first two axes must be equal, or the "
                             f"second 1: shape {array.shape}")
        ksizes = set(array.shape[2:])
        if len(ksizes) > 1:
            raise ValueError(f"ksize must be all same: {array.shape[2:]}")
        ksize = ksizes.pop() if ksizes else None
        filt = xp.asarray(_linear_filter(ksize, array.ndim - 2, self._upsampling))
        array[...] = 0.
        outs = 0 if out_c == 1 else xp.arange(out_c)
        array[xp.arange(in_c), outs, ...] = filt


class UpsamplingDeconvFilter(_SamplingFilter):
    """Bilinear upsampling weights for a deconvolution."""

    def __init__(self, interpolation="linear", dtype=None):
        super().__init__(True, interpolation, dtype)


class DownsamplingConvFilter(_SamplingFilter):
    """Bilinear downsampling (averaging) weights for a convolution."""

    def __init__(self, interpolation="linear", dtype=None):
        super().__init__(False, interpolation, dtype)
