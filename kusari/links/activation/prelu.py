"""L.PReLU: the parametric ReLU with a learned slope."""
from __future__ import annotations

from ... import functions as F
from ...link import Link
from ...variable import Parameter


class PReLU(Link):
    """y = x where x >= 0, W x elsewhere; W of `shape` (broadcast over the
    axes after the batch axis, from the left) starts at `init`."""

    def __init__(self, shape=(), init=0.25):
        super().__init__()
        with self.init_scope():
            self.W = Parameter(init, shape)

    def forward(self, x):
        return F.prelu(x, self.W)
