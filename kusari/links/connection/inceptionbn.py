"""L.InceptionBN: the inception module of BN-Inception (Chainer's
chainer.links.InceptionBN)."""
from __future__ import annotations

from ...configuration import get_dtype
from ...functions.activation.relu import relu
from ...functions.array.concat import concat
from ...functions.pooling.average_pooling_2d import average_pooling_2d
from ...functions.pooling.max_pooling_nd import max_pooling_2d
from ...link import Chain
from ..normalization.batch_normalization import BatchNormalization
from .convolution_2d import Convolution2D


class InceptionBN(Chain):
    """Inception with BatchNormalization after every convolution (which have
    no bias), the 5x5 path replaced by two 3x3 convolutions, and max or
    average pooling (`pooltype`). Paths, concatenated on the channel axis:
    1x1 (out1; none when out1 is 0), 1x1 (proj3) -> 3x3 (out3), 1x1
    (proj33) -> 3x3 -> 3x3 (out33), 3x3 pooling -> 1x1 (proj_pool; no
    projection when None). `stride` applies to each path's last step; a
    1x1 path needs stride 1 and a pooling projection."""

    def __init__(self, in_channels, out1, proj3, out3, proj33, out33, pooltype,
                 proj_pool=None, stride=1, conv_init=None, dtype=None):
        super().__init__()
        self.out1 = out1
        self.proj_pool = proj_pool
        self.stride = stride
        self.pooltype = pooltype
        if pooltype != "max" and pooltype != "avg":
            # Chainer's error type for this
            raise NotImplementedError(
                f"InceptionBN: pooltype must be 'max' or 'avg', not {pooltype!r}")
        if out1 > 0 and (stride != 1 or proj_pool is None):
            raise AssertionError(
                "InceptionBN: a 1x1 path (out1 > 0) needs stride == 1 and a proj_pool "
                f"(got stride={stride}, proj_pool={proj_pool})")
        dtype = get_dtype(dtype)
        with self.init_scope():
            self.proj3 = Convolution2D(in_channels, proj3, 1, nobias=True,
                                       initialW=conv_init)
            self.conv3 = Convolution2D(proj3, out3, 3, pad=1, stride=stride, nobias=True,
                                       initialW=conv_init)
            self.proj33 = Convolution2D(in_channels, proj33, 1, nobias=True,
                                        initialW=conv_init)
            self.conv33a = Convolution2D(proj33, out33, 3, pad=1, nobias=True,
                                         initialW=conv_init)
            self.conv33b = Convolution2D(out33, out33, 3, pad=1, stride=stride,
                                         nobias=True, initialW=conv_init)
            self.proj3n = BatchNormalization(proj3, dtype=dtype)
            self.conv3n = BatchNormalization(out3, dtype=dtype)
            self.proj33n = BatchNormalization(proj33, dtype=dtype)
            self.conv33an = BatchNormalization(out33, dtype=dtype)
            self.conv33bn = BatchNormalization(out33, dtype=dtype)
            if out1 > 0:
                self.conv1 = Convolution2D(in_channels, out1, 1, stride=stride,
                                           nobias=True, initialW=conv_init)
                self.conv1n = BatchNormalization(out1, dtype=dtype)
            if proj_pool is not None:
                self.poolp = Convolution2D(in_channels, proj_pool, 1, nobias=True,
                                           initialW=conv_init)
                self.poolpn = BatchNormalization(proj_pool, dtype=dtype)

    def forward(self, x):
        outs = []
        if self.out1 > 0:
            outs.append(relu(self.conv1n(self.conv1(x))))
        h3 = relu(self.proj3n(self.proj3(x)))
        outs.append(relu(self.conv3n(self.conv3(h3))))
        h33 = relu(self.proj33n(self.proj33(x)))
        h33 = relu(self.conv33an(self.conv33a(h33)))
        outs.append(relu(self.conv33bn(self.conv33b(h33))))
        if self.pooltype == "max":
            p = max_pooling_2d(x, 3, stride=self.stride, pad=1, cover_all=False)
        else:
            p = average_pooling_2d(x, 3, stride=self.stride, pad=1)
        if self.proj_pool is not None:
            p = relu(self.poolpn(self.poolp(p)))
        outs.append(p)
        return concat(outs, axis=1)
