"""Laplace distribution."""
from __future__ import annotations

import math

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _const, _random, _x


def _laplace_cdf(x):
    """The standard Laplace cdf: exp(x)/2 below 0, 1 - exp(-x)/2 above.

    Both branches take exp of -|x| (written so that its derivative at 0 is
    the right one), so neither overflows and the gradient is
    exp(-|x|)/2 everywhere."""
    x = as_variable(x)
    negative = F.less(x, 0.0)
    minus_abs = F.where(negative, x, -x)
    return F.where(negative, 0.5 * F.exp(minus_abs), 0.5 - 0.5 * F.expm1(minus_abs))


def _laplace_icdf(x):
    """The standard Laplace inverse cdf: log(2x) below 1/2, -log(2 - 2x)
    above (2x and 2 - 2x are exact there)."""
    x = as_variable(x)
    low = F.less(x, 0.5)
    one = _const(1, x.dtype)
    below = F.where(low, 2 * x, one)
    above = F.where(low, one, 2 - 2 * x)
    return F.where(low, F.log(below), -F.log(above))


class Laplace(Distribution):
    """Laplace distribution: p(x) = exp(-|x - loc| / scale) / (2 scale)."""

    def __init__(self, loc, scale):
        super().__init__()
        self.__loc = loc
        self.__scale = scale

    @cache.cached_property
    def loc(self):
        return as_variable(self.__loc)

    @cache.cached_property
    def scale(self):
        return as_variable(self.__scale)

    @property
    def batch_shape(self):
        return self.loc.shape

    def cdf(self, x):
        x = _x(x, self.loc)
        return _laplace_cdf((x - self.loc) / self.scale)

    @cache.cached_property
    def entropy(self):
        return 1. + F.log(2 * self.scale)

    @property
    def event_shape(self):
        return ()

    def icdf(self, x):
        x = _x(x, self.loc)
        return self.loc + self.scale * _laplace_icdf(x)

    def log_prob(self, x):
        x = _x(x, self.loc)
        scale = self.scale
        return -F.log(2 * scale) - abs(x - self.loc) / scale

    @cache.cached_property
    def mean(self):
        return self.loc

    @cache.cached_property
    def mode(self):
        return self.loc

    @property
    def params(self):
        return {"loc": self.loc, "scale": self.scale}

    def prob(self, x):
        x = _x(x, self.loc)
        scale = self.scale
        return 0.5 / scale * F.exp(-abs(x - self.loc) / scale)

    def sample_n(self, n):
        eps = _random(self.xp).laplace(size=(n,) + self.loc.shape).astype(self.loc.dtype)
        return self.scale * eps + self.loc

    @cache.cached_property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def support(self):
        return "real"

    @cache.cached_property
    def variance(self):
        return 2 * self.scale ** 2


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(dist1, dist2):
    diff = abs(dist1.loc - dist2.loc)
    return (F.log(dist2.scale) - F.log(dist1.scale) + diff / dist2.scale
            + dist1.scale / dist2.scale * F.exp(-diff / dist1.scale) - 1)
