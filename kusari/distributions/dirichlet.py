"""Dirichlet distribution."""
from __future__ import annotations

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x


def _lbeta(x):
    return F.sum(F.lgamma(x), axis=-1) - F.lgamma(F.sum(x, axis=-1))


class Dirichlet(Distribution):
    """Dirichlet distribution over the simplex of the last axis of alpha:
    p(x) = Gamma(sum alpha) / prod Gamma(alpha_i) prod x_i^(alpha_i - 1)."""

    def __init__(self, alpha):
        self.__alpha = alpha

    @cache.cached_property
    def alpha(self):
        return as_variable(self.__alpha)

    @cache.cached_property
    def alpha0(self):
        return F.sum(self.alpha, axis=-1)

    @property
    def batch_shape(self):
        return self.alpha.shape[:-1]

    @cache.cached_property
    def entropy(self):
        return (_lbeta(self.alpha)
                + (self.alpha0 - self.event_shape[0]) * F.digamma(self.alpha0)
                - F.sum((self.alpha - 1) * F.digamma(self.alpha), axis=-1))

    @property
    def event_shape(self):
        return self.alpha.shape[-1:]

    def log_prob(self, x):
        x = _x(x, self.alpha)
        return -_lbeta(self.alpha) + F.sum((self.alpha - 1) * F.log(x), axis=-1)

    @cache.cached_property
    def mean(self):
        return self.alpha / F.expand_dims(self.alpha0, axis=-1)

    @property
    def params(self):
        return {"alpha": self.alpha}

    def sample_n(self, n):
        xp = self.xp
        rows = self.alpha.array.reshape(-1, self.event_shape[0])
        eps = [_random(xp).dirichlet(row, size=(n,)).astype(self.alpha.dtype) for row in rows]
        eps = xp.stack(eps, axis=1).reshape((n,) + self.alpha.shape)
        return as_variable(eps)

    @property
    def support(self):
        return "[0, 1]"

    @cache.cached_property
    def variance(self):
        alpha0 = F.expand_dims(self.alpha0, axis=-1)
        return self.alpha * (alpha0 - self.alpha) / alpha0 ** 2 / (alpha0 + 1)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(dist1, dist2):
    return (- _lbeta(dist1.alpha) + _lbeta(dist2.alpha)
            + F.sum((dist1.alpha - dist2.alpha)
                    * (F.digamma(dist1.alpha)
                       - F.expand_dims(F.digamma(dist1.alpha0), axis=-1)),
                    axis=-1))
