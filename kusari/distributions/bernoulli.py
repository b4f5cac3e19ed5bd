"""Bernoulli distribution."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, register_kl
from ..utils import cache
from ..variable import as_variable
from .utils import _array, _const, _modified_xlogx, _random, _x


def _log_or_minus_inf(x):
    """log(x), -inf at 0 without computing log(0) (eager ops run on worker
    threads, where a caller's numpy.errstate does not reach)."""
    zero = F.equal(x, 0.0)
    safe = F.log(F.where(zero, _const(1, x.dtype), x))
    return F.where(zero, _const(-numpy.inf, x.dtype), safe)


def _bernoulli_log_prob(logit, x, binary_check=False):
    """log P(x; sigmoid(logit)) = logit (x - 1) - log(1 + exp(-logit)).

    At logit = +inf it is log(x), at -inf log(1 - x); with `binary_check`, an
    x other than 0 or 1 gives -inf. x gets no gradient; logit's is
    x - sigmoid(logit), NaN where logit is infinite or x is invalid (as in
    Chainer)."""
    logit = as_variable(logit)
    x = _array(_x(x, logit))
    dtype = logit.dtype
    pos_inf = F.equal(logit, numpy.inf)
    neg_inf = F.equal(logit, -numpy.inf)
    undefined = F.logical_or(pos_inf, neg_inf)
    if binary_check:
        invalid = F.logical_and(F.not_equal(x, 0.0), F.not_equal(x, 1.0))
        undefined = F.logical_or(undefined, invalid)
    # where the finite formula is not used, its logit carries a NaN factor:
    # the value there is discarded and the gradient there becomes NaN
    nan_or_one = F.where(undefined, _const(numpy.nan, dtype), _const(1, dtype))
    finite_logit = logit * nan_or_one
    y = finite_logit * (x - 1) - F.softplus(-finite_logit)
    xv = as_variable(x)
    if xv.dtype != dtype:
        xv = F.cast(xv, dtype)
    y = F.where(pos_inf, _log_or_minus_inf(xv), y)
    y = F.where(neg_inf, _log_or_minus_inf(1 - xv), y)
    if binary_check:
        y = F.where(invalid, _const(-numpy.inf, dtype), y)
    return y


class Bernoulli(Distribution):
    """Bernoulli distribution: P(x = 1) = p, P(x = 0) = 1 - p.

    Args:
        p: the probability of 1. Either `p` or `logit` (not both).
        logit: log(p / (1 - p)).
        binary_check: whether log_prob and prob check that x is 0 or 1.
    """

    def __init__(self, p=None, logit=None, binary_check=False):
        super().__init__()
        if not (p is None) ^ (logit is None):
            raise ValueError("Either `p` or `logit` (not both) must have a value.")
        self.__p = p
        self.__logit = logit
        self.binary_check = binary_check

    @cache.cached_property
    def p(self):
        if self.__p is not None:
            return as_variable(self.__p)
        return F.sigmoid(self.logit)

    @cache.cached_property
    def logit(self):
        if self.__logit is not None:
            return as_variable(self.__logit)
        return F.log(self.p) - F.log1p(-self.p)

    @property
    def batch_shape(self):
        return self.p.shape

    @property
    def entropy(self):
        p = self.p
        q = p.dtype.type(1.) - p
        return -_modified_xlogx(p) - _modified_xlogx(q)

    @property
    def event_shape(self):
        return ()

    @property
    def _is_gpu(self):
        return not isinstance(self.p.array, numpy.ndarray)

    def log_prob(self, x):
        x = _x(x, self.logit)
        return _bernoulli_log_prob(self.logit, x, self.binary_check)

    @cache.cached_property
    def mean(self):
        return self.p

    @property
    def params(self):
        return {"logit": self.logit}

    def prob(self, x):
        x = _x(x, self.logit)
        x = as_variable(x)
        prob = x * self.p + (1 - x) * (1 - self.p)
        if self.binary_check:
            valid = F.logical_or(F.equal(x, 0.0), F.equal(x, 1.0))
            prob = prob * F.cast(valid, prob.dtype)
        return prob

    def sample_n(self, n):
        eps = _random(self.xp).binomial(1, self.p.array, size=(n,) + self.p.shape)
        return as_variable(eps)

    @cache.cached_property
    def stddev(self):
        return self.variance ** 0.5

    @property
    def support(self):
        return "{0, 1}"

    @cache.cached_property
    def variance(self):
        return self.p * (1 - self.p)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(dist1, dist2):
    return ((dist1.logit - dist2.logit) * (dist1.p - 1.)
            - F.softplus(-dist1.logit) + F.softplus(-dist2.logit))
