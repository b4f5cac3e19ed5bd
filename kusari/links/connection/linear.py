"""L.Linear: the fully-connected layer."""
from __future__ import annotations

from ... import functions as F
from ... import initializers
from ...link import Link
from ...utils import size_of_shape
from ...variable import Parameter, Variable


class Linear(Link):
    """y = x W^T + b. `Linear(3, 2)` maps 3 inputs to 2 outputs; `Linear(2)`
    (or `Linear(None, 2)`) infers the input size from the first mini-batch
    (W starts uninitialized).

    W is drawn with `initialW` (default LeCunNormal, from NumPy's global
    generator as Chainer draws it), b filled with `initial_bias` (default 0).
    An array given as either is cast to the parameter's dtype (config.dtype,
    float32 unless changed), as in Chainer.
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

    @classmethod
    def from_params(cls, W, b=None, nobias: bool = False) -> "Linear":
        """A Linear whose W (and b) start as copies of the given arrays."""
        out_size, in_size = W.shape
        if b is not None and out_size != b.size:
            raise ValueError("`out_size` does not match the size of `b`")
        as_array = (lambda v: v.array if isinstance(v, Variable) else v)
        return cls(in_size, out_size, nobias, initialW=as_array(W),
                   initial_bias=None if b is None else as_array(b))

    @property
    def printable_specs(self):
        yield "in_size", self.in_size
        yield "out_size", self.out_size
        yield "nobias", self.b is None

    def forward(self, x, n_batch_axes: int = 1):
        if self.W.array is None:
            self._initialize_params(size_of_shape(x.shape[n_batch_axes:]))
        return F.linear(x, self.W, self.b, n_batch_axes=n_batch_axes)
