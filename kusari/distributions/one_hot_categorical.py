"""One-hot categorical distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _random, _x


def _random_choice(xp, a, size, p):
    """Draw as NumPy's choice does; probabilities that miss 1 by rounding
    (within sqrt of their dtype's eps) are normalized in float64 and drawn
    again, as Chainer does."""
    try:
        return _random(xp).choice(a, size, p=p)
    except ValueError:
        tol = numpy.finfo(p.dtype).eps ** 0.5
        p = p.astype(numpy.float64)
        if abs(float(p.sum()) - 1) > tol:
            raise ValueError(
                f"OneHotCategorical.sample: probabilities sum to {float(p.sum())}, "
                f"not 1 (tolerance {tol})") from None
        p /= p.sum()
        return _random(xp).choice(a, size, p=p)


class OneHotCategorical(Distribution):
    """Categorical distribution over one-hot vectors of the last axis of p."""

    def __init__(self, p):
        super().__init__()
        self.__p = p

    @cache.cached_property
    def p(self):
        return as_variable(self.__p)

    @cache.cached_property
    def log_p(self):
        return F.log(self.p)

    @property
    def batch_shape(self):
        return self.p.shape[:-1]

    @property
    def event_shape(self):
        return self.p.shape[-1:]

    def log_prob(self, x):
        x = _x(x, self.p)
        return F.sum(self.log_p * x, axis=-1)

    @cache.cached_property
    def mean(self):
        return self.p

    @property
    def params(self):
        return {"p": self.p}

    def sample_n(self, n):
        xp = self.xp
        rows = self.p.array.reshape((-1,) + self.event_shape)
        eye = xp.eye(self.event_shape[0], dtype=self.p.dtype)
        eps = [_random_choice(xp, row.shape[0], size=(n,), p=row) for row in rows]
        eps = xp.stack(eps, axis=1).reshape((n,) + self.batch_shape)
        return as_variable(eye[eps])

    @cache.cached_property
    def variance(self):
        return self.p * (1. - self.p)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_categorical_one_hot_categorical(dist1, dist2):
    return F.sum(dist1.p * (dist1.log_p - dist2.log_p), axis=-1)
