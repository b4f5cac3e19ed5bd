"""Chi-square distribution."""
from __future__ import annotations

import math

from .. import functions as F
from ..distribution import Distribution
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x

_LOG2 = math.log(2.)


class Chisquare(Distribution):
    """Chi-square distribution with k degrees of freedom:
    p(x) = x^(k/2 - 1) exp(-x/2) / (2^(k/2) Gamma(k/2))."""

    def __init__(self, k):
        super().__init__()
        self.__k = k

    @cache.cached_property
    def k(self):
        return as_variable(self.__k)

    @cache.cached_property
    def _half_k(self):
        return 0.5 * self.k

    @property
    def batch_shape(self):
        return self.k.shape

    @cache.cached_property
    def entropy(self):
        half_k = self._half_k
        return half_k + _LOG2 + F.lgamma(half_k) + (1 - half_k) * F.digamma(half_k)

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.k)
        half_k = self._half_k
        return (-F.lgamma(half_k) - half_k * _LOG2 + (half_k - 1) * F.log(x) - 0.5 * x)

    @cache.cached_property
    def mean(self):
        return self.k

    @property
    def params(self):
        return {"k": self.k}

    def sample_n(self, n):
        eps = _random(self.xp).chisquare(self.k.array, (n,) + self.k.shape)
        return as_variable(eps.astype(self.k.dtype))

    @property
    def support(self):
        return "positive"

    @cache.cached_property
    def variance(self):
        return 2 * self.k
