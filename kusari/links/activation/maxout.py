"""L.Maxout: a linear layer followed by maxout over pools of its units."""
from __future__ import annotations

import numpy as np

from ... import functions as F
from ...initializer import Initializer
from ...link import Chain
from ...links.connection.linear import Linear


def _reshaped_init(init, ndim: int, shape: tuple, flat: tuple, what: str):
    """An initializer given for the (out, pool[, in]) layout, as one for the
    linear layer's flat parameter (Chainer's rules)."""
    if init is None or np.isscalar(init) or isinstance(init, Initializer):
        return init
    from ... import get_array_types
    if isinstance(init, get_array_types()):
        if init.ndim != ndim:
            raise ValueError(f"{what}.ndim should be {ndim}")
        return init.reshape(flat)
    if callable(init):
        original = init

        def reshaped(array):
            array.shape = shape
            original(array)
            array.shape = flat
        return reshaped
    return init


class Maxout(Chain):
    """y = max over each pool of `pool_size` units of linear(x): the linear
    layer (`self.linear`) has out_size * pool_size outputs. initialW may be
    given as (out_size, pool_size, in_size), initial_bias as (out_size,
    pool_size); initial_bias None: no bias."""

    def __init__(self, in_size, out_size, pool_size, initialW=None, initial_bias=0):
        super().__init__()
        n = out_size * pool_size
        initialW = _reshaped_init(initialW, 3, (out_size, pool_size, in_size), (n, in_size),
                                  "initialW")
        initial_bias = _reshaped_init(initial_bias, 2, (out_size, pool_size), (n,),
                                      "initial_bias")
        with self.init_scope():
            self.linear = Linear(in_size, n, nobias=initial_bias is None, initialW=initialW,
                                 initial_bias=initial_bias)
        self.out_size = out_size
        self.pool_size = pool_size

    def forward(self, x):
        return F.maxout(self.linear(x), self.pool_size)
