"""Uniform distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import argument, cache
from ..variable import as_variable
from .utils import _const, _random, _x


class Uniform(Distribution):
    """Uniform distribution on [low, high] (or [loc, loc + scale]): give
    `low` and `high`, or `loc` and `scale`, as keywords."""

    def __init__(self, **kwargs):
        low, high, loc, scale = None, None, None, None
        if kwargs:
            low, high, loc, scale = argument.parse_kwargs(
                kwargs, ("low", low), ("high", high), ("loc", loc), ("scale", scale))
        self._use_low_high = low is not None and high is not None
        self._use_loc_scale = loc is not None and scale is not None
        if not (self._use_low_high ^ self._use_loc_scale):
            raise ValueError(
                "Either `low, high` or `loc, scale` (not both) must have a value.")
        self.__low = low
        self.__high = high
        self.__loc = loc
        self.__scale = scale

    @cache.cached_property
    def low(self):
        if self._use_low_high:
            return as_variable(self.__low)
        return self.loc

    @cache.cached_property
    def high(self):
        if self._use_low_high:
            return as_variable(self.__high)
        return self.loc + self.scale

    @cache.cached_property
    def loc(self):
        if self._use_loc_scale:
            return as_variable(self.__loc)
        return self.low

    @cache.cached_property
    def scale(self):
        if self._use_loc_scale:
            return as_variable(self.__scale)
        return self.high - self.low

    @property
    def batch_shape(self):
        return self.low.shape

    def cdf(self, x):
        x = _x(x, self.low)
        return F.clip((x - self.loc) / self.scale, 0., 1.)

    @cache.cached_property
    def entropy(self):
        return F.log(self.scale)

    @property
    def event_shape(self):
        return ()

    def icdf(self, x):
        x = _x(x, self.low)
        return x * self.scale + self.loc

    def log_prob(self, x):
        x = _x(x, self.low)
        x = as_variable(x)
        logp = F.broadcast_to(-F.log(self.scale), x.shape)
        inside = F.logical_and(F.greater_equal(x, self.low), F.less_equal(x, self.high))
        return F.where(inside, logp, _const(-numpy.inf, logp.dtype))

    @cache.cached_property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def params(self):
        if self._use_low_high:
            return {"low": self.low, "high": self.high}
        return {"loc": self.loc, "scale": self.scale}

    def sample_n(self, n):
        eps = _random(self.xp).uniform(0, 1, (n,) + self.low.shape).astype(self.low.dtype)
        return self.icdf(eps)

    @cache.cached_property
    def stddev(self):
        return F.sqrt(self.variance)

    @property
    def support(self):
        return "[low, high]"

    @cache.cached_property
    def variance(self):
        return self.scale ** 2 / 12


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(dist1, dist2):
    outside = F.logical_or(F.greater(dist1.high, dist2.high), F.less(dist1.low, dist2.low))
    kl = -F.log(dist1.high - dist1.low) + F.log(dist2.high - dist2.low)
    return F.where(outside, _const(numpy.inf, kl.dtype), kl)
