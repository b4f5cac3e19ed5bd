"""L.DepthwiseConvolution2D."""
from __future__ import annotations

import numpy as np

from ... import initializers
from ...functions.connection.depthwise_convolution_2d import depthwise_convolution_2d
from ...link import Link
from ...variable import Parameter
from .convolution_2d import _pair


class DepthwiseConvolution2D(Link):
    """y = depthwise_convolution_2d(x, W, b): W is (channel_multiplier,
    in_channels, kh, kw), drawn by default with HeNormal(1 / sqrt(2)) as in
    Chainer; b has channel_multiplier * in_channels elements (default 0)."""

    def __init__(self, in_channels, channel_multiplier, ksize, stride=1, pad=0,
                 nobias: bool = False, initialW=None, initial_bias=None):
        super().__init__()
        self.ksize = ksize
        self.stride = _pair(stride)
        self.pad = _pair(pad)
        self.channel_multiplier = channel_multiplier
        self.nobias = nobias
        if initialW is None:
            initialW = initializers.HeNormal(1. / np.sqrt(2))
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if nobias:
                self.b = None
            else:
                if initial_bias is None:
                    initial_bias = initializers.Constant(0)
                self.b = Parameter(initializers._get_initializer(initial_bias))
        if in_channels is not None:
            self._initialize_params(in_channels)

    def _initialize_params(self, in_channels: int) -> None:
        kh, kw = _pair(self.ksize)
        self.W.initialize((self.channel_multiplier, in_channels, kh, kw))
        if self.b is not None:
            self.b.initialize(self.channel_multiplier * in_channels)

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return depthwise_convolution_2d(x, self.W, self.b, self.stride, self.pad)
