"""L.LocalConvolution2D: a locally-connected layer (unshared filters)."""
from __future__ import annotations

from ... import initializers
from ...functions.connection.local_convolution_2d import local_convolution_2d
from ...link import Link
from ...variable import Parameter
from .convolution_2d import _pair


class LocalConvolution2D(Link):
    """y = local_convolution_2d(x, W, b): W is (out_channels, out_h, out_w,
    in_channels, kh, kw) with out = in - k + 1 per axis (as Chainer computes
    it); in_channels or in_size None infers them from the first mini-batch."""

    def __init__(self, in_channels, out_channels, in_size=None, ksize=None, stride=1,
                 nobias: bool = False, initialW=None, initial_bias=None, **kwargs):
        super().__init__()
        self.ksize = ksize
        self.stride = _pair(stride)
        self.nobias = nobias
        self.out_channels = out_channels
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if nobias:
                self.b = None
            else:
                bias = 0 if initial_bias is None else initial_bias
                self.b = Parameter(initializers._get_initializer(bias))
            if in_channels is not None and in_size is not None:
                self._initialize_params(in_channels, _pair(in_size))

    def _initialize_params(self, in_channels: int, in_size) -> None:
        kh, kw = _pair(self.ksize)
        ih, iw = _pair(in_size)
        oh, ow = ih - kh + 1, iw - kw + 1
        self.W.initialize((self.out_channels, oh, ow, in_channels, kh, kw))
        if not self.nobias:
            self.b.initialize((self.out_channels, oh, ow))

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1], x.shape[2:])
        return local_convolution_2d(x, self.W, self.b, self.stride)
