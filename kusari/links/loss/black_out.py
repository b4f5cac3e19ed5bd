"""L.BlackOut."""
from __future__ import annotations

import numpy as np

from ...functions.loss import black_out as _bo
from ...link import Link
from ...utils import WalkerAlias
from ...variable import Parameter, Variable


class BlackOut(Link):
    """The BlackOut loss with an output embedding W (vocabulary, in_size);
    negative words drawn in proportion to `counts` (or `sample_data`, if
    set, used as the samples)."""

    sample_data = None

    def __init__(self, in_size, counts, sample_size):
        super().__init__()
        self.sampler = WalkerAlias(np.array(counts, dtype=np.float32))
        self.sample_size = sample_size
        with self.init_scope():
            self.W = Parameter(shape=(len(counts), in_size))

    def device_resident_accept(self, visitor) -> None:
        super().device_resident_accept(visitor)
        self.sampler.device_resident_accept(visitor)

    def forward(self, x, t):
        samples = self.sample_data if self.sample_data is not None else \
            self.sampler.sample((x.shape[0], self.sample_size))
        return _bo.black_out(x, t, self.W, Variable(samples, requires_grad=False))
