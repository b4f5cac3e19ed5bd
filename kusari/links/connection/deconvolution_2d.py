"""L.Deconvolution2D: a 2-d transposed convolution layer."""
from __future__ import annotations

import numpy as np

from ... import initializers
from ...functions.connection.convolution_nd import DETERMINISTIC, parse_kwargs
from ...functions.connection.deconvolution_2d import deconvolution_2d
from ...link import Link
from ...variable import Parameter
from .convolution_2d import _pair, bias_parameter, divisible


class Deconvolution2D(Link):
    """y = deconvolution_2d(x, W, b): W is (in_channels, out_channels / groups,
    kh, kw); outsize (h, w) fixes the output size where several fit;
    in_channels None (or the two-argument form) infers it from the first
    mini-batch. dilate and groups are keyword arguments."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, outsize=None, initialW=None, initial_bias=None,
                 **kwargs):
        super().__init__()
        dilate, groups = parse_kwargs(kwargs, ("dilate", 1), ("groups", 1),
                                      deterministic=DETERMINISTIC)
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.ksize = ksize
        self.stride = _pair(stride)
        self.pad = _pair(pad)
        self.dilate = _pair(dilate)
        self.outsize = (None, None) if outsize is None else outsize
        self.out_channels = out_channels
        self.groups = int(groups)
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_channels is not None:
                self._initialize_params(in_channels)
            if not nobias and isinstance(initial_bias, np.ndarray):
                assert initial_bias.shape == (out_channels,)
            bias_parameter(self, nobias, initial_bias, out_channels)

    def _initialize_params(self, in_channels: int) -> None:
        kh, kw = _pair(self.ksize)
        divisible(self.out_channels, in_channels, self.groups)
        self.W.initialize((in_channels, int(self.out_channels / self.groups), kh, kw))

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        outsize = None if self.outsize == (None, None) else self.outsize
        return deconvolution_2d(x, self.W, self.b, self.stride, self.pad, outsize,
                                dilate=self.dilate, groups=self.groups)
