"""Cauchy distribution."""
from __future__ import annotations

import math
import warnings

from .. import functions as F
from ..distribution import Distribution
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x


def _cauchy_icdf(x):
    """tan(pi (x - 1/2)): the standard Cauchy's inverse cdf."""
    x = as_variable(x)
    return F.tan((x - 0.5) * math.pi)


class Cauchy(Distribution):
    """Cauchy distribution: p(x) = scale / (pi ((x - loc)^2 + scale^2)).

    Args:
        loc: the location x_0.
        scale: the scale gamma.
    """

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
        return 1 / math.pi * F.arctan((x - self.loc) / self.scale) + 0.5

    @cache.cached_property
    def entropy(self):
        return F.log(4 * math.pi * self.scale)

    @property
    def event_shape(self):
        return ()

    def icdf(self, x):
        x = _x(x, self.loc)
        return self.loc + self.scale * _cauchy_icdf(x)

    def log_prob(self, x):
        x = _x(x, self.loc)
        return (-math.log(math.pi) + F.log(self.scale)
                - F.log((x - self.loc) ** 2 + self.scale ** 2))

    def _undefined(self, what):
        warnings.warn(f"{what} of the cauchy distribution is undefined.", RuntimeWarning)
        xp = self.xp
        return as_variable(xp.full_like(self.loc.array, xp.nan))

    @cache.cached_property
    def mean(self):
        return self._undefined("Mean")

    @property
    def params(self):
        return {"loc": self.loc, "scale": self.scale}

    def sample_n(self, n):
        eps = _random(self.xp).standard_cauchy((n,) + self.loc.shape).astype(self.loc.dtype)
        return self.scale * eps + self.loc

    @property
    def support(self):
        return "real"

    @cache.cached_property
    def variance(self):
        return self._undefined("Variance")
