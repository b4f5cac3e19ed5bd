"""L.SimplifiedDropconnect: a linear layer whose weights are dropped."""
from __future__ import annotations

import numpy as np

from ... import functions as F
from ... import initializers
from ...link import Link
from ...variable import Parameter


class SimplifiedDropconnect(Link):
    """y = x (mask * W)^T / (1 - ratio) + b in training (F.simplified_dropconnect);
    W drawn with HeNormal(1 / sqrt(2)) by default, b starting at 0. in_size
    None: taken from the first input."""

    def __init__(self, in_size, out_size, ratio=.5, nobias=False, initialW=None,
                 initial_bias=None):
        super().__init__()
        self.out_size = out_size
        self.ratio = ratio
        if initialW is None:
            initialW = initializers.HeNormal(1. / np.sqrt(2))
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_size is not None:
                self._initialize_params(in_size)
            if nobias:
                self.b = None
            else:
                if initial_bias is None:
                    initial_bias = initializers.Constant(0)
                self.b = Parameter(initializers._get_initializer(initial_bias), out_size)

    def _initialize_params(self, in_size):
        self.W.initialize((self.out_size, in_size))

    def forward(self, x, train=True, mask=None, use_batchwise_mask=True):
        if self.W.array is None:
            self._initialize_params(x.size // len(x))
        if mask is not None and "mask" not in self.__dict__:
            self.add_persistent("mask", mask)
        return F.simplified_dropconnect(x, self.W, self.b, self.ratio, train, mask,
                                        use_batchwise_mask)
