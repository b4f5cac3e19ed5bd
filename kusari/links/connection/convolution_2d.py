"""L.Convolution2D: a 2-d convolution layer (Chainer's arguments)."""
from __future__ import annotations

from ... import initializers
from ...configuration import get_compute_mode
from ...functions.connection.convolution_2d import convolution_2d
from ...functions.connection.convolution_nd import DETERMINISTIC, parse_kwargs
from ...link import Link
from ...variable import Parameter, Variable


def _pair(x):
    if hasattr(x, "__getitem__"):
        return x
    return x, x


def as_array(v):
    return v.array if isinstance(v, Variable) else v


def divisible(out_channels: int, in_channels: int, groups: int) -> None:
    if out_channels % groups != 0:
        raise ValueError("the number of output channels must be divisible by the number "
                         "of groups")
    if in_channels % groups != 0:
        raise ValueError("the number of input channels must be divisible by the number "
                         "of groups")


def bias_parameter(link: Link, nobias: bool, initial_bias, size) -> None:
    """link.b: None with nobias, else filled by initial_bias (default 0)."""
    if nobias:
        link.b = None
    else:
        bias = 0 if initial_bias is None else initial_bias
        link.b = Parameter(initializers._get_initializer(bias), size)


class Convolution2D(Link):
    """y = convolution_2d(x, W, b): W is (out_channels, in_channels / groups,
    kh, kw), drawn with initialW (default LeCunNormal), b filled with
    initial_bias (default 0). `Convolution2D(out_channels, ksize)` or
    in_channels=None infers the input channels from the first mini-batch.
    dilate and groups are keyword arguments."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, initialW=None, initial_bias=None, **kwargs):
        super().__init__()
        dilate, groups = parse_kwargs(kwargs, ("dilate", 1), ("groups", 1),
                                      deterministic=DETERMINISTIC)
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.ksize = ksize
        self.stride = _pair(stride)
        self.pad = _pair(pad)
        self.dilate = _pair(dilate)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.groups = int(groups)
        # cuDNN's channel-last mode (chainer.using_config('compute_mode',
        # 'cudnn_fast')): convolution_2d refuses it on the CPU, as Chainer does
        self.cudnn_fast = get_compute_mode() == "cudnn_fast"
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_channels is not None:
                self._initialize_params(in_channels)
            bias_parameter(self, nobias, initial_bias, out_channels)

    @property
    def printable_specs(self):
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "nobias", self.b is None
        yield "dilate", self.dilate
        yield "groups", self.groups

    def _initialize_params(self, in_channels: int) -> None:
        kh, kw = _pair(self.ksize)
        divisible(self.out_channels, in_channels, self.groups)
        self.W.initialize((self.out_channels, int(in_channels / self.groups), kh, kw))

    @classmethod
    def from_params(cls, W, b=None, stride=1, pad=0, nobias: bool = False, **kwargs):
        """A Convolution2D whose W (and b) start as copies of the given arrays."""
        dilate, groups = parse_kwargs(kwargs, ("dilate", 1), ("groups", 1))
        out_channels, in_channels_g, kh, kw = W.shape
        if b is not None and out_channels != b.size:
            raise ValueError("`out_channels` does not match the size of `b`")
        return cls(in_channels_g * groups, out_channels, (kh, kw), stride, pad, nobias,
                   initialW=as_array(W), initial_bias=as_array(b), dilate=dilate,
                   groups=groups)

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return convolution_2d(x, self.W, self.b, self.stride, self.pad,
                              dilate=self.dilate, groups=self.groups,
                              cudnn_fast=self.cudnn_fast)
