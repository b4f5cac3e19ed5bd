"""Beta distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _const, _random, _x


def _lbeta(a, b):
    return F.lgamma(a) + F.lgamma(b) - F.lgamma(a + b)


class Beta(Distribution):
    """Beta distribution: f(x) = x^(a-1) (1-x)^(b-1) / B(a, b) on [0, 1].

    Args:
        a, b: the shape parameters alpha > 0 and beta > 0.
    """

    def __init__(self, a, b):
        super().__init__()
        self.__a = a
        self.__b = b

    @cache.cached_property
    def a(self):
        return as_variable(self.__a)

    @cache.cached_property
    def b(self):
        return as_variable(self.__b)

    @cache.cached_property
    def _a_plus_b(self):
        return self.a + self.b

    @property
    def batch_shape(self):
        return self.a.shape

    @cache.cached_property
    def entropy(self):
        apb = self._a_plus_b
        return (_lbeta(self.a, self.b)
                - (self.a - 1) * F.digamma(self.a)
                - (self.b - 1) * F.digamma(self.b)
                + (apb - 2) * F.digamma(apb))

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.a)
        x = as_variable(x)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            logp = ((self.a - 1) * F.log(x) + (self.b - 1) * F.log(1 - x)
                    - _lbeta(self.a, self.b))
        inside = F.logical_and(F.greater_equal(x, 0.0), F.less_equal(x, 1.0))
        return F.where(inside, logp, _const(-numpy.inf, logp.dtype))

    @cache.cached_property
    def mean(self):
        return self.a / self._a_plus_b

    @property
    def params(self):
        return {"a": self.a, "b": self.b}

    def sample_n(self, n):
        eps = _random(self.xp).beta(self.a.array, self.b.array, size=(n,) + self.a.shape)
        return as_variable(eps.astype(self.a.dtype))

    @property
    def support(self):
        return "[0, 1]"

    @cache.cached_property
    def variance(self):
        apb = self._a_plus_b
        return self.a * self.b / apb ** 2 / (apb + 1)


@register_kl(Beta, Beta)
def _kl_beta_beta(dist1, dist2):
    apb1 = dist1._a_plus_b
    apb2 = dist2._a_plus_b
    return (- _lbeta(dist1.a, dist1.b) + _lbeta(dist2.a, dist2.b)
            + (dist1.a - dist2.a) * F.digamma(dist1.a)
            + (dist1.b - dist2.b) * F.digamma(dist1.b)
            + (apb2 - apb1) * F.digamma(apb1))
