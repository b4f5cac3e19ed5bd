"""L.Inception: GoogLeNet's inception module (Chainer's
chainer.links.Inception)."""
from __future__ import annotations

from ...functions.activation.relu import relu
from ...functions.array.concat import concat
from ...functions.pooling.max_pooling_nd import max_pooling_2d
from ...link import Chain
from .convolution_2d import Convolution2D


class Inception(Chain):
    """Four paths concatenated on the channel axis, then relu: a 1x1
    convolution (out1); 1x1 (proj3) -> relu -> 3x3 (out3); 1x1 (proj5) ->
    relu -> 5x5 (out5); 3x3 max pooling (stride 1) -> 1x1 (proj_pool). The
    output keeps the input's spatial size."""

    def __init__(self, in_channels, out1, proj3, out3, proj5, out5, proj_pool,
                 conv_init=None, bias_init=None):
        super().__init__()
        init = dict(initialW=conv_init, initial_bias=bias_init)
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, out1, 1, **init)
            self.proj3 = Convolution2D(in_channels, proj3, 1, **init)
            self.conv3 = Convolution2D(proj3, out3, 3, pad=1, **init)
            self.proj5 = Convolution2D(in_channels, proj5, 1, **init)
            self.conv5 = Convolution2D(proj5, out5, 5, pad=2, **init)
            self.projp = Convolution2D(in_channels, proj_pool, 1, **init)

    def forward(self, x):
        out1 = self.conv1(x)
        out3 = self.conv3(relu(self.proj3(x)))
        out5 = self.conv5(relu(self.proj5(x)))
        pool = self.projp(max_pooling_2d(x, 3, stride=1, pad=1))
        return relu(concat((out1, out3, out5, pool), axis=1))
