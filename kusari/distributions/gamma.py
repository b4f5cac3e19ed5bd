"""Gamma distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _const, _random, _x


class Gamma(Distribution):
    """Gamma distribution with shape k and scale theta:
    p(x) = x^(k-1) exp(-x/theta) / (Gamma(k) theta^k) for x >= 0."""

    def __init__(self, k, theta):
        super().__init__()
        self.__k = k
        self.__theta = theta

    @cache.cached_property
    def k(self):
        return as_variable(self.__k)

    @cache.cached_property
    def theta(self):
        return as_variable(self.__theta)

    @property
    def batch_shape(self):
        return self.k.shape

    @cache.cached_property
    def entropy(self):
        return (self.k + F.log(self.theta) + F.lgamma(self.k)
                + (1 - self.k) * F.digamma(self.k))

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.k)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            logp = (-F.lgamma(self.k) - self.k * F.log(self.theta)
                    + (self.k - 1) * F.log(x) - x / self.theta)
        return F.where(F.greater_equal(x, 0.0), logp, _const(-numpy.inf, logp.dtype))

    @cache.cached_property
    def mean(self):
        return self.k * self.theta

    @property
    def params(self):
        return {"k": self.k, "theta": self.theta}

    def sample_n(self, n):
        eps = _random(self.xp).gamma(self.k.array, size=(n,) + self.batch_shape)
        eps = eps.astype(self.k.dtype)
        return F.broadcast_to(self.theta, eps.shape) * eps

    @property
    def support(self):
        return "positive"

    @cache.cached_property
    def variance(self):
        return self.mean * self.theta


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(dist1, dist2):
    return ((dist1.k - dist2.k) * F.digamma(dist1.k)
            - (F.lgamma(dist1.k) - F.lgamma(dist2.k))
            + dist2.k * (F.log(dist2.theta) - F.log(dist1.theta))
            + dist1.k * (dist1.theta / dist2.theta - 1))
