"""L.Bilinear: the bilinear layer of neural tensor networks."""
from __future__ import annotations

from ... import initializers
from ...backends import cuda
from ...functions.connection.bilinear import bilinear
from ...link import Link
from ...variable import Parameter


class Bilinear(Link):
    """y = bilinear(e1, e2, W, V1, V2, b): W is (left_size, right_size,
    out_size); V1 (left_size, out_size), V2 (right_size, out_size) and b
    (out_size,) unless nobias. initial_bias is None or a tuple of the three
    initial values (V1, V2, b)."""

    def __init__(self, left_size, right_size, out_size, nobias=False, initialW=None,
                 initial_bias=None):
        super().__init__()
        self.in_sizes = (left_size, right_size)
        self.nobias = nobias
        arrays = (cuda.ndarray,) if isinstance(cuda.ndarray, type) else ()
        import numpy as np
        arrays = (np.ndarray,) + arrays

        def check(value, shape):
            if isinstance(value, arrays):
                assert value.shape == shape, f"{value.shape} != {shape}"

        with self.init_scope():
            shape = (left_size, right_size, out_size)
            check(initialW, shape)
            self.W = Parameter(initializers._get_initializer(initialW), shape)
            if not nobias:
                v1_shape, v2_shape, b_shape = (left_size, out_size), (right_size, out_size), \
                    (out_size,)
                if isinstance(initial_bias, tuple):
                    v1, v2, b = initial_bias
                    check(v1, v1_shape)
                    check(v2, v2_shape)
                    check(b, b_shape)
                    v1, v2, b = (initializers._get_initializer(v) for v in (v1, v2, b))
                elif initial_bias is None:
                    v1 = initializers._get_initializer(None)
                    v2 = initializers._get_initializer(None)
                    b = 0
                else:
                    raise ValueError("initial_bias must be tuple or None")
                self.V1 = Parameter(v1, v1_shape)
                self.V2 = Parameter(v2, v2_shape)
                self.b = Parameter(b, b_shape)

    def forward(self, e1, e2):
        if self.nobias:
            return bilinear(e1, e2, self.W)
        return bilinear(e1, e2, self.W, self.V1, self.V2, self.b)

    def zero_grads(self):
        """Chainer's old name of zerograds."""
        self.zerograds()
