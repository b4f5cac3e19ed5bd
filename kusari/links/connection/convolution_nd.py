"""L.ConvolutionND, Convolution1D and Convolution3D."""
from __future__ import annotations

from ... import initializers
from ...functions.connection.convolution_nd import as_tuple, convolution_nd, parse_kwargs
from ...link import Link
from ...variable import Parameter
from .convolution_2d import as_array, bias_parameter, divisible


class ConvolutionND(Link):
    """y = convolution_nd(x, W, b) over `ndim` spatial axes: W is
    (out_channels, in_channels / groups, k_1, ..., k_N); in_channels None (or
    the two-argument form) infers it from the first mini-batch."""

    def __init__(self, ndim, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, initialW=None, initial_bias=None,
                 cover_all: bool = False, dilate=1, groups=1):
        super().__init__()
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.out_channels = out_channels
        self.ksize = as_tuple(ksize, ndim, "ksize")
        self.stride = stride
        self.pad = pad
        self.cover_all = cover_all
        self.dilate = as_tuple(dilate, ndim, "dilate")
        self.groups = int(groups)
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_channels is not None:
                self._initialize_params(in_channels)
            bias_parameter(self, nobias, initial_bias, out_channels)

    def _initialize_params(self, in_channels: int) -> None:
        divisible(self.out_channels, in_channels, self.groups)
        self.W.initialize((self.out_channels, int(in_channels / self.groups)) + self.ksize)

    @classmethod
    def from_params(cls, W, b=None, stride=1, pad=0, nobias: bool = False, **kwargs):
        """A ConvolutionND whose W (and b) start as copies of the given arrays."""
        cover_all, dilate, groups = parse_kwargs(
            kwargs, ("cover_all", False), ("dilate", 1), ("groups", 1))
        out_channels, in_channels_g, *ksize = W.shape
        if b is not None and out_channels != b.size:
            raise ValueError("`out_channels` does not match the size of `b`")
        return cls(len(ksize), in_channels_g * groups, out_channels, ksize, stride, pad,
                   nobias, initialW=as_array(W), initial_bias=as_array(b),
                   cover_all=cover_all, dilate=dilate, groups=groups)

    def forward(self, x):
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return convolution_nd(x, self.W, self.b, self.stride, self.pad,
                              cover_all=self.cover_all, dilate=self.dilate,
                              groups=self.groups)


class Convolution1D(ConvolutionND):
    """ConvolutionND over one spatial axis."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, initialW=None, initial_bias=None,
                 cover_all: bool = False, dilate=1, groups=1):
        super().__init__(1, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                         initial_bias, cover_all, dilate, groups)


class Convolution3D(ConvolutionND):
    """ConvolutionND over three spatial axes."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 nobias: bool = False, initialW=None, initial_bias=None,
                 cover_all: bool = False, dilate=1, groups=1):
        super().__init__(3, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                         initial_bias, cover_all, dilate, groups)
