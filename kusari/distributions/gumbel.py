"""Gumbel distribution."""
from __future__ import annotations

import math

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x

EULER = 0.57721566490153286060651209008240243104215933593992


class Gumbel(Distribution):
    """Gumbel distribution: f(x) = exp(-y - exp(-y)) / scale with
    y = (x - loc) / scale."""

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

    @cache.cached_property
    def _log_scale(self):
        return F.log(self.scale)

    @property
    def batch_shape(self):
        return self.loc.shape

    @cache.cached_property
    def entropy(self):
        return self._log_scale + (EULER + 1)

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.loc)
        y = (x - self.loc) / self.scale
        return -self._log_scale - y - F.exp(-y)

    @cache.cached_property
    def mean(self):
        return self.loc + EULER * self.scale

    @property
    def params(self):
        return {"loc": self.loc, "scale": self.scale}

    def sample_n(self, n):
        eps = _random(self.xp).gumbel(size=(n,) + self.batch_shape).astype(self.loc.dtype)
        return self.scale * eps + self.loc

    @property
    def support(self):
        return "real"

    @cache.cached_property
    def variance(self):
        return (math.pi ** 2 / 6) * self.scale ** 2


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(dist1, dist2):
    ratio = dist1.scale / dist2.scale
    return (dist2._log_scale - dist1._log_scale
            + EULER * (ratio - 1.)
            + F.exp((dist2.loc - dist1.loc) / dist2.scale + F.lgamma(ratio + 1.))
            - 1
            + (dist1.loc - dist2.loc) / dist2.scale)
