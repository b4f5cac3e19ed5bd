"""L.NegativeSampling."""
from __future__ import annotations

import numpy as np

from ...configuration import get_dtype
from ...functions.loss import negative_sampling as _ns
from ...link import Link
from ...utils import WalkerAlias
from ...variable import Parameter


class NegativeSampling(Link):
    """The negative sampling loss with an output embedding W (vocabulary,
    in_size), starting at 0; negative words are drawn with probabilities
    proportional to counts ** power (WalkerAlias, NumPy's global
    generator)."""

    def __init__(self, in_size, counts, sample_size, power=0.75, dtype=None):
        super().__init__()
        dtype = get_dtype(dtype)
        self.sample_size = sample_size
        p = np.array(counts, dtype)
        np.power(p, dtype.type(power), p)
        self.sampler = WalkerAlias(p)
        with self.init_scope():
            self.W = Parameter(0, (len(counts), in_size))

    def device_resident_accept(self, visitor) -> None:
        super().device_resident_accept(visitor)
        self.sampler.device_resident_accept(visitor)

    def forward(self, x, t, reduce="sum", **kwargs):
        """forward(x, t, reduce='sum', *, return_samples=False)"""
        return_samples = kwargs.pop("return_samples", False)
        if kwargs:
            names = ", ".join(repr(k) for k in sorted(kwargs))
            raise TypeError(f"forward() got unexpected keyword argument(s) {names}")
        return _ns.negative_sampling(x, t, self.W, self.sampler.sample, self.sample_size,
                                     reduce=reduce, return_samples=return_samples)
