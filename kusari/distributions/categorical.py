"""Categorical distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import argument, cache
from ..variable import as_variable
from .utils import _array, _modified_xlogx, _random


class Categorical(Distribution):
    """Categorical distribution: P(x = i) = p_i (the last axis of p).

    Args:
        p: the probabilities. Either `p` or `logit` (not both).
        logit: log(p) + C.
    """

    def __init__(self, p=None, **kwargs):
        logit = None
        if kwargs:
            logit, = argument.parse_kwargs(kwargs, ("logit", logit))
        if not (p is None) ^ (logit is None):
            raise ValueError("Either `p` or `logit` (not both) must have a value.")
        self.__p = p
        self.__logit = logit

    @cache.cached_property
    def p(self):
        if self.__p is not None:
            return as_variable(self.__p)
        return F.exp(self.log_p)

    @cache.cached_property
    def log_p(self):
        if self.__p is not None:
            return F.log(self.__p)
        return F.log_softmax(self.__logit, axis=-1)

    @property
    def batch_shape(self):
        return self.p.shape[:-1]

    @property
    def event_shape(self):
        return ()

    @cache.cached_property
    def entropy(self):
        return -F.sum(_modified_xlogx(self.p), axis=-1)

    def log_prob(self, x):
        index = numpy.meshgrid(*(range(i) for i in self.batch_shape), indexing="ij")
        x = self.xp.asarray(_array(x)).astype(numpy.int32)
        return F.get_item(self.log_p, tuple(index) + (x,))

    @property
    def params(self):
        return {"p": self.p}

    def sample_n(self, n):
        xp = self.xp
        rows = self.p.array.reshape(-1, self.p.shape[-1])
        eps = [_random(xp).choice(row.shape[0], size=(n,), p=row) for row in rows]
        eps = xp.vstack(eps).T.reshape((n,) + self.batch_shape)
        return as_variable(eps)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(dist1, dist2):
    return F.sum(dist1.p * (dist1.log_p - dist2.log_p), axis=-1)
