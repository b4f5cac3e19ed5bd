"""L.DeformableConvolution2D: a convolution whose taps move by offsets that a
second convolution predicts from the input."""
from __future__ import annotations

from ... import initializers
from ...functions.connection.deformable_convolution_2d_sampler import (
    deformable_convolution_2d_sampler)
from ...link import Chain, Link
from ...variable import Parameter
from .convolution_2d import Convolution2D, _pair


class DeformableConvolution2D(Chain):
    """offset_conv (a Convolution2D to 2 kh kw channels) predicts the taps'
    offsets; deform_conv (DeformableConvolution2DSampler) convolves x read at
    the moved taps. The offset_* and deform_* arguments are theirs."""

    def __init__(self, in_channels, out_channels, ksize, stride=1, pad=0,
                 offset_nobias: bool = False, offset_initialW=None,
                 offset_initial_bias=None, deform_nobias: bool = False,
                 deform_initialW=None, deform_initial_bias=None):
        super().__init__()
        kh, kw = _pair(ksize)
        with self.init_scope():
            self.offset_conv = Convolution2D(in_channels, 2 * kh * kw, ksize, stride, pad,
                                             offset_nobias, offset_initialW,
                                             offset_initial_bias)
            self.deform_conv = DeformableConvolution2DSampler(
                in_channels, out_channels, ksize, stride, pad, deform_nobias,
                deform_initialW, deform_initial_bias)

    def forward(self, x):
        return self.deform_conv(x, self.offset_conv(x))


class DeformableConvolution2DSampler(Link):
    """deformable_convolution_2d_sampler with its own W (out_channels,
    in_channels, kh, kw; zeros by default, as in Chainer) and b."""

    def __init__(self, in_channels, out_channels, ksize, stride=1, pad=0,
                 nobias: bool = False, initialW=None, initial_bias=None):
        super().__init__()
        self.ksize = ksize
        self.stride = _pair(stride)
        self.pad = _pair(pad)
        self.out_channels = out_channels
        self.initialW = initialW
        if initialW is None:
            initialW = initializers.Zero()
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if nobias:
                self.b = None
            else:
                bias = initializers.Constant(0) if initial_bias is None else initial_bias
                self.b = Parameter(initializers._get_initializer(bias))
        if in_channels is not None:
            self._initialize_params(in_channels)

    def _initialize_params(self, in_channels: int) -> None:
        kh, kw = _pair(self.ksize)
        self.W.initialize((self.out_channels, in_channels, kh, kw))
        if self.b is not None:
            self.b.initialize(self.out_channels)

    def forward(self, x, offset):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return deformable_convolution_2d_sampler(x, offset, self.W, self.b, self.stride,
                                                 self.pad)
