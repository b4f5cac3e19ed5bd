"""Exponential distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _const, _random, _x


class Exponential(Distribution):
    """Exponential distribution: p(x) = lam exp(-lam x) for x >= 0."""

    def __init__(self, lam):
        super().__init__()
        self.__lam = lam

    @cache.cached_property
    def lam(self):
        return as_variable(self.__lam)

    @cache.cached_property
    def _log_lam(self):
        return F.log(self.lam)

    @property
    def batch_shape(self):
        return self.lam.shape

    def cdf(self, x):
        x = _x(x, self.lam)
        return -F.expm1(-self.lam * x)

    @cache.cached_property
    def entropy(self):
        return 1 - self._log_lam

    @property
    def event_shape(self):
        return ()

    def icdf(self, x):
        x = _x(x, self.lam)
        x = as_variable(x)
        return -1 / self.lam * F.log1p(-x)

    def log_prob(self, x):
        x = _x(x, self.lam)
        logp = self._log_lam - self.lam * x
        return F.where(F.greater_equal(x, 0.0), logp, _const(-numpy.inf, logp.dtype))

    @cache.cached_property
    def mean(self):
        return 1 / self.lam

    @property
    def params(self):
        return {"lam": self.lam}

    def sample_n(self, n):
        eps = _random(self.xp).standard_exponential((n,) + self.lam.shape)
        return eps.astype(self.lam.dtype) / self.lam

    @property
    def support(self):
        return "positive"

    @cache.cached_property
    def variance(self):
        return self.mean ** 2


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(dist1, dist2):
    return dist1._log_lam - dist2._log_lam + dist2.lam / dist1.lam - 1.
