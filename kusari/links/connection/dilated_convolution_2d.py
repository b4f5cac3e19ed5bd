"""L.DilatedConvolution2D."""
from __future__ import annotations

from ... import initializers
from ...functions.connection.dilated_convolution_2d import dilated_convolution_2d
from ...link import Link
from ...variable import Parameter
from .convolution_2d import _pair, bias_parameter


class DilatedConvolution2D(Link):
    """y = dilated_convolution_2d(x, W, b): W is (out_channels, in_channels,
    kh, kw), its taps `dilate` pixels apart."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0, dilate=1,
                 nobias: bool = False, initialW=None, initial_bias=None):
        super().__init__()
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.ksize = ksize
        self.stride = _pair(stride)
        self.pad = _pair(pad)
        self.dilate = _pair(dilate)
        self.out_channels = out_channels
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_channels is not None:
                self._initialize_params(in_channels)
            bias_parameter(self, nobias, initial_bias, out_channels)

    def _initialize_params(self, in_channels: int) -> None:
        kh, kw = _pair(self.ksize)
        self.W.initialize((self.out_channels, in_channels, kh, kw))

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return dilated_convolution_2d(x, self.W, self.b, self.stride, self.pad, self.dilate)
