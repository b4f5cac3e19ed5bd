"""Normal distribution."""
from __future__ import annotations

import math

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import argument, cache
from ..variable import as_variable
from .utils import _random, _x

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)
PROBC = 1. / (2 * math.pi) ** 0.5


class Normal(Distribution):
    """Normal distribution with mean `loc` and standard deviation `scale`
    (or its logarithm, `log_scale`: give one of the two)."""

    def __init__(self, loc, scale=None, **kwargs):
        super().__init__()
        log_scale = None
        if kwargs:
            log_scale, = argument.parse_kwargs(kwargs, ("log_scale", log_scale))
        if not (scale is None) ^ (log_scale is None):
            raise ValueError("Either `scale` or `log_scale` (not both) must have a value.")
        self.__loc = loc
        self.__scale = scale
        self.__log_scale = log_scale

    @cache.cached_property
    def loc(self):
        return as_variable(self.__loc)

    @cache.cached_property
    def scale(self):
        if self.__scale is not None:
            return as_variable(self.__scale)
        return F.exp(self.log_scale)

    @cache.cached_property
    def log_scale(self):
        if self.__log_scale is not None:
            return as_variable(self.__log_scale)
        return F.log(self.scale)

    @property
    def batch_shape(self):
        return self.loc.shape

    def cdf(self, x):
        x = _x(x, self.loc)
        return F.ndtr((x - self.loc) / self.scale)

    @cache.cached_property
    def entropy(self):
        return self.log_scale + ENTROPYC

    @property
    def event_shape(self):
        return ()

    def icdf(self, x):
        x = _x(x, self.loc)
        return self.loc + self.scale * F.ndtri(x)

    def log_cdf(self, x):
        x = _x(x, self.loc)
        return F.log_ndtr((x - self.loc) / self.scale)

    def log_prob(self, x):
        x = _x(x, self.loc)
        return LOGPROBC - self.log_scale - 0.5 * (x - self.loc) ** 2 / self.variance

    def log_survival_function(self, x):
        x = _x(x, self.loc)
        return F.log_ndtr((self.loc - x) / self.scale)

    @cache.cached_property
    def mean(self):
        return self.loc

    @property
    def params(self):
        return {"loc": self.loc, "scale": self.scale}

    def prob(self, x):
        x = _x(x, self.loc)
        return (PROBC / self.scale) * F.exp(-0.5 * (x - self.loc) ** 2 / self.variance)

    def sample_n(self, n):
        dtype = self.loc.dtype
        eps = _random(self.xp).standard_normal((n,) + self.loc.shape).astype(dtype)
        return self.loc + self.scale * eps

    @cache.cached_property
    def stddev(self):
        return self.scale

    @property
    def support(self):
        return "real"

    def survival_function(self, x):
        x = _x(x, self.loc)
        return F.ndtr((self.loc - x) / self.scale)

    @cache.cached_property
    def variance(self):
        return self.scale ** 2


@register_kl(Normal, Normal)
def _kl_normal_normal(dist1, dist2):
    return (dist2.log_scale - dist1.log_scale
            + 0.5 * (dist1.variance + (dist1.loc - dist2.loc) ** 2) / dist2.variance
            - 0.5)
