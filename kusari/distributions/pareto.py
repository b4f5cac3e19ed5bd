"""Pareto distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _const, _random, _x


class Pareto(Distribution):
    """Pareto distribution: f(x) = alpha scale^alpha / x^(alpha + 1) for
    x >= scale."""

    def __init__(self, scale, alpha):
        super().__init__()
        self.__scale = scale
        self.__alpha = alpha

    @cache.cached_property
    def scale(self):
        return as_variable(self.__scale)

    @cache.cached_property
    def alpha(self):
        return as_variable(self.__alpha)

    @cache.cached_property
    def _log_scale(self):
        return F.log(self.scale)

    @cache.cached_property
    def _log_alpha(self):
        return F.log(self.alpha)

    @property
    def batch_shape(self):
        return self.scale.shape

    @cache.cached_property
    def entropy(self):
        return -self._log_alpha + self._log_scale + 1. / self.alpha + 1.

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.scale)
        x = as_variable(x)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            logp = (self._log_alpha + self.alpha * self._log_scale
                    - (self.alpha + 1) * F.log(x))
        return F.where(F.greater_equal(x, self.scale), logp,
                       _const(-numpy.inf, logp.dtype))

    @cache.cached_property
    def mean(self):
        mean = self.alpha * self.scale / (self.alpha - 1)
        return F.where(F.greater(self.alpha, 1.0), mean, _const(numpy.inf, mean.dtype))

    @property
    def params(self):
        return {"scale": self.scale, "alpha": self.alpha}

    def sample_n(self, n):
        eps = _random(self.xp).pareto(self.alpha.array, (n,) + self.batch_shape)
        return self.scale * (eps.astype(self.alpha.dtype) + 1)

    @property
    def support(self):
        return "[scale, inf]"

    @cache.cached_property
    def variance(self):
        var = self.scale ** 2 * self.alpha / (self.alpha - 1) ** 2 / (self.alpha - 2)
        return F.where(F.greater(self.alpha, 2.0), var, _const(numpy.inf, var.dtype))


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(dist1, dist2):
    kl = (dist2.alpha * (dist1._log_scale - dist2._log_scale)
          + dist1._log_alpha - dist2._log_alpha
          + (dist2.alpha - dist1.alpha) / dist1.alpha)
    return F.where(F.greater_equal(dist1.scale, dist2.scale), kl,
                   _const(numpy.inf, kl.dtype))
