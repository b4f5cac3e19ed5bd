"""L.MLPConvolution2D: Network in Network's "mlpconv" layer (Chainer's
chainer.links.MLPConvolution2D)."""
from __future__ import annotations

from ...functions.activation.relu import relu
from ...link import ChainList
from ...utils.argument import check_unexpected_kwargs, parse_kwargs
from .convolution_2d import Convolution2D

_WSCALE = ("wscale is not supported anymore. Use conv_init and bias_init argument to "
           "change the scale of initial parameters.")


class MLPConvolution2D(ChainList):
    """A ksize convolution then 1x1 convolutions, one per entry of
    `out_channels`, with `activation` between them (not after the last).

    MLPConvolution2D(in_channels, out_channels, ksize, stride=1, pad=0,
    activation=relu, conv_init=None, bias_init=None); in_channels may be
    None or left out (MLPConvolution2D(out_channels, ksize, ...)): the first
    convolution's input size is then found at the first call."""

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 activation=relu, *args, **kwargs):
        if args:
            raise TypeError(_WSCALE)
        check_unexpected_kwargs(kwargs, wscale=_WSCALE)
        conv_init, bias_init = parse_kwargs(kwargs, ("conv_init", None), ("bias_init", None))
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        try:
            out_channels = tuple(out_channels)
        except TypeError:
            raise TypeError("MLPConvolution2D: out_channels must be a sequence of ints "
                            f"(one per convolution), not {out_channels!r}") from None
        if not out_channels:
            raise ValueError("MLPConvolution2D: out_channels must name at least one "
                             "convolution")
        convs = [Convolution2D(in_channels, out_channels[0], ksize, stride, pad,
                               initialW=conv_init, initial_bias=bias_init)]
        for n_in, n_out in zip(out_channels, out_channels[1:]):
            convs.append(Convolution2D(n_in, n_out, 1, initialW=conv_init,
                                       initial_bias=bias_init))
        super().__init__(*convs)
        self.activation = activation

    def forward(self, x):
        f = self.activation
        for conv in self[:-1]:
            x = f(conv(x))
        return self[-1](x)
