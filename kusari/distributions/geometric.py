"""Geometric distribution."""
from __future__ import annotations

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x


class Geometric(Distribution):
    """Geometric distribution: P(x = k) = p (1 - p)^(k - 1), k = 1, 2, ..."""

    def __init__(self, p):
        super().__init__()
        self.__p = p

    @cache.cached_property
    def p(self):
        return as_variable(self.__p)

    @property
    def batch_shape(self):
        return self.p.shape

    @property
    def event_shape(self):
        return ()

    def log_prob(self, x):
        x = _x(x, self.p)
        return (x - 1) * F.log(1 - self.p) + F.log(self.p)

    @cache.cached_property
    def mean(self):
        return 1 / self.p

    @property
    def params(self):
        return {"p": self.p}

    def sample_n(self, n):
        eps = _random(self.xp).geometric(self.p.array, size=(n,) + self.batch_shape)
        return as_variable(eps.astype(self.p.dtype))

    @property
    def support(self):
        return "positive integer"

    @cache.cached_property
    def variance(self):
        return (1 - self.p) / self.p ** 2


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(dist1, dist2):
    return ((1 / dist1.p - 1) * (F.log(1 - dist1.p) - F.log(1 - dist2.p))
            + F.log(dist1.p) - F.log(dist2.p))
