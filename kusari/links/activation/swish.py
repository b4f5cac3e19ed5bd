"""L.Swish: x * sigmoid(beta x) with a learned beta."""
from __future__ import annotations

from ... import functions as F
from ... import initializers
from ...link import Link
from ...variable import Parameter


class Swish(Link):
    """beta of `beta_shape` starts at `beta_init`; beta_shape None: taken
    from the first input (x.shape[1:])."""

    def __init__(self, beta_shape, beta_init=1.0):
        super().__init__()
        with self.init_scope():
            if beta_shape is not None:
                self.beta = Parameter(beta_init, beta_shape)
            else:
                self.beta = Parameter(initializers.Constant(beta_init))

    def forward(self, x):
        if self.beta.array is None:
            self.beta.initialize(x.shape[1:])
        return F.swish(x, self.beta)
