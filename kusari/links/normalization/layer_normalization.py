"""L.LayerNormalization."""
from __future__ import annotations

from ...functions.normalization import layer_normalization as _ln
from ...link import Link
from ...utils import size_of_shape
from ...variable import Parameter


class LayerNormalization(Link):
    """Each sample (row) normalized, then scaled by gamma and shifted by beta
    (learned, of `size`; with size None from the first batch)."""

    def __init__(self, size=None, eps=1e-6, initial_gamma=None, initial_beta=None):
        super().__init__()
        with self.init_scope():
            self.gamma = Parameter(1 if initial_gamma is None else initial_gamma)
            self.beta = Parameter(0 if initial_beta is None else initial_beta)
            self.eps = eps
        if size is not None:
            self._initialize_params(size)

    def _initialize_params(self, size) -> None:
        self.gamma.initialize(size)
        self.beta.initialize(size)

    def forward(self, x):
        if self.gamma.array is None:
            self._initialize_params(size_of_shape(x.shape[1:]))
        return _ln.layer_normalization(x, self.gamma, self.beta, self.eps)
