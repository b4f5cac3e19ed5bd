"""L.DeconvolutionND, Deconvolution1D and Deconvolution3D."""
from __future__ import annotations

from ... import initializers
from ...functions.connection.convolution_nd import as_tuple
from ...functions.connection.deconvolution_nd import deconvolution_nd
from ...link import Link
from ...variable import Parameter
from .convolution_2d import bias_parameter, divisible


class DeconvolutionND(Link):
    """y = deconvolution_nd(x, W, b) over `ndim` spatial axes: W is
    (in_channels, out_channels / groups, k_1, ..., k_N)."""

    def __init__(self, ndim, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, outsize=None, initialW=None, initial_bias=None,
                 dilate=1, groups=1):
        super().__init__()
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.out_channels = out_channels
        self.ksize = as_tuple(ksize, ndim, "ksize")
        self.stride = stride
        self.pad = pad
        self.outsize = outsize
        self.dilate = as_tuple(dilate, ndim, "dilate")
        self.groups = int(groups)
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_channels is not None:
                self._initialize_params(in_channels)
            bias_parameter(self, nobias, initial_bias, out_channels)

    def _initialize_params(self, in_channels: int) -> None:
        divisible(self.out_channels, in_channels, self.groups)
        self.W.initialize((in_channels, int(self.out_channels / self.groups)) + self.ksize)

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return deconvolution_nd(x, self.W, b=self.b, stride=self.stride, pad=self.pad,
                                outsize=self.outsize, dilate=self.dilate, groups=self.groups)


class Deconvolution1D(DeconvolutionND):
    """DeconvolutionND over one spatial axis."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, outsize=None, initialW=None, initial_bias=None,
                 dilate=1, groups=1):
        super().__init__(1, in_channels, out_channels, ksize, stride, pad, nobias, outsize,
                         initialW, initial_bias, dilate, groups)


class Deconvolution3D(DeconvolutionND):
    """DeconvolutionND over three spatial axes."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, outsize=None, initialW=None, initial_bias=None,
                 dilate=1, groups=1):
        super().__init__(3, in_channels, out_channels, ksize, stride, pad, nobias, outsize,
                         initialW, initial_bias, dilate, groups)
