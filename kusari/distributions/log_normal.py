"""Log-normal distribution."""
from __future__ import annotations

import math

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x

LOGPROBC = -0.5 * math.log(2 * math.pi)


class LogNormal(Distribution):
    """Log-normal distribution: log x is normal with mean mu and standard
    deviation sigma."""

    def __init__(self, mu, sigma):
        self.__mu = mu
        self.__sigma = sigma

    @cache.cached_property
    def mu(self):
        return as_variable(self.__mu)

    @cache.cached_property
    def sigma(self):
        return as_variable(self.__sigma)

    @cache.cached_property
    def _log_sigma(self):
        return F.log(self.sigma)

    @property
    def batch_shape(self):
        return self.mu.shape

    @cache.cached_property
    def entropy(self):
        return 0.5 - LOGPROBC + self._log_sigma + self.mu

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.mu)
        logx = F.log(x)
        return (LOGPROBC - self._log_sigma - logx
                - 0.5 * (logx - self.mu) ** 2 / self.sigma ** 2)

    @cache.cached_property
    def mean(self):
        return F.exp(self.mu + 0.5 * self.sigma ** 2)

    @property
    def params(self):
        return {"mu": self.mu, "sigma": self.sigma}

    def sample_n(self, n):
        eps = _random(self.xp).standard_normal((n,) + self.mu.shape).astype(self.mu.dtype)
        return F.exp(self.sigma * eps + self.mu)

    @property
    def support(self):
        return "positive"

    @cache.cached_property
    def variance(self):
        return F.exp(2 * self.mu + self.sigma ** 2) * F.expm1(self.sigma ** 2)


@register_kl(LogNormal, LogNormal)
def _kl_log_normal_log_normal(dist1, dist2):
    return (0.5 * ((dist1.mu - dist2.mu) ** 2 + dist1.sigma ** 2) / dist2.sigma ** 2
            - 0.5 + dist2._log_sigma - dist1._log_sigma)
