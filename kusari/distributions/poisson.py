"""Poisson distribution."""
from __future__ import annotations

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _array, _random


class Poisson(Distribution):
    """Poisson distribution: P(x) = lam^x exp(-lam) / x!."""

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

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        xp = self.xp
        x = xp.asarray(_array(x)).astype(self.lam.dtype)
        x_plus_1 = xp.asarray(x + 1, dtype=self.lam.dtype)
        return x * self._log_lam - F.lgamma(x_plus_1) - self.lam

    @cache.cached_property
    def mean(self):
        return self.lam

    @property
    def params(self):
        return {"lam": self.lam}

    def sample_n(self, n):
        eps = _random(self.xp).poisson(self.lam.array, size=(n,) + self.batch_shape)
        return as_variable(eps.astype(self.lam.dtype))

    @property
    def support(self):
        return "non negative integer"

    @cache.cached_property
    def variance(self):
        return self.lam


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(dist1, dist2):
    return dist1.lam * (dist1._log_lam - dist2._log_lam) - dist1.lam + dist2.lam
