"""L.Linear: the fully-connected layer."""
from __future__ import annotations

from ... import functions as F
from ... import initializers
from ...link import Link
from ...utils import size_of_shape
from ...variable import Parameter


class Linear(Link):
    """y = x W^T + b. `Linear(3, 2)` maps 3 inputs to 2 outputs; `Linear(2)`
    infers the input size from the first mini-batch (W starts uninitialized).

    W is drawn with LeCunNormal from NumPy's global generator (as Chainer
    does), b starts at zero.
    """

    def __init__(self, in_size, out_size=None, nobias: bool = False, initialW=None,
                 initial_bias=None):
        super().__init__()
        if out_size is None:
            in_size, out_size = None, in_size
        self.in_size = in_size
        self.out_size = out_size
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_size is not None:
                self._initialize_params(in_size)
            if nobias:
                self.b = None
            else:
                bias = 0 if initial_bias is None else initial_bias
                self.b = Parameter(initializers._get_initializer(bias), out_size)

    def _initialize_params(self, in_size: int) -> None:
        self.W.initialize((self.out_size, in_size))

    def forward(self, x, n_batch_axes: int = 1):
        if self.W.array is None:
            self._initialize_params(size_of_shape(x.shape[n_batch_axes:]))
        return F.linear(x, self.W, self.b, n_batch_axes=n_batch_axes)
