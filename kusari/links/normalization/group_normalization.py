"""L.GroupNormalization."""
from __future__ import annotations

import numpy as np

from ... import initializers
from ...configuration import get_dtype
from ...functions.normalization import group_normalization as _gn
from ...link import Link
from ...variable import Parameter


class GroupNormalization(Link):
    """The channels of each sample in `groups` groups, each normalized, then
    scaled by gamma and shifted by beta per channel (learned, of `size`; with
    size None from the first batch)."""

    def __init__(self, groups, size=None, eps=1e-5, initial_gamma=None, initial_beta=None):
        super().__init__()
        dtype = get_dtype(None, map_mixed16=np.float32)
        with self.init_scope():
            self.groups = groups
            gamma = initializers._get_initializer(1 if initial_gamma is None else initial_gamma)
            gamma.dtype = dtype
            beta = initializers._get_initializer(0 if initial_beta is None else initial_beta)
            beta.dtype = dtype
            self.gamma = Parameter(gamma)
            self.beta = Parameter(beta)
            self.eps = eps
        if size is not None:
            self._initialize_params(size)

    def _initialize_params(self, size) -> None:
        self.gamma.initialize(size)
        self.beta.initialize(size)

    def forward(self, x):
        if self.gamma.array is None:
            if x.ndim < 2:
                raise ValueError("Input dimension must be at least 2, including batch size "
                                 "dimension (first dimension).")
            self._initialize_params(x.shape[1])
        return _gn.group_normalization(x, self.groups, self.gamma, self.beta, self.eps)
