"""Independent: reinterprets batch axes of a distribution as event axes."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..distribution import Distribution, kl_divergence, register_kl
from ..utils import cache
from ..utils.array import size_of_shape


class Independent(Distribution):
    """The distribution of several independent draws taken as one event.

    Args:
        distribution: the base distribution.
        reinterpreted_batch_ndims: how many of its rightmost batch axes become
            event axes; None means all but the first batch axis.
    """

    def __init__(self, distribution, reinterpreted_batch_ndims=None):
        super().__init__()
        self.__distribution = distribution
        if reinterpreted_batch_ndims is None:
            reinterpreted_batch_ndims = self._get_default_reinterpreted_batch_ndims(
                distribution)
        elif reinterpreted_batch_ndims > len(distribution.batch_shape):
            raise ValueError(
                "reinterpreted_batch_ndims must be less than or equal to the "
                "number of dimensions of `distribution.batch_shape`.")
        self.__reinterpreted_batch_ndims = reinterpreted_batch_ndims
        batch_ndim = len(distribution.batch_shape) - reinterpreted_batch_ndims
        self.__batch_shape = tuple(distribution.batch_shape[:batch_ndim])
        self.__event_shape = (tuple(distribution.batch_shape[batch_ndim:])
                              + tuple(distribution.event_shape))

    @property
    def distribution(self):
        return self.__distribution

    @property
    def reinterpreted_batch_ndims(self):
        return self.__reinterpreted_batch_ndims

    @property
    def batch_shape(self):
        return self.__batch_shape

    @property
    def event_shape(self):
        return self.__event_shape

    def _n_repeats_and_dim(self):
        base = self.distribution
        n_repeats = size_of_shape(base.batch_shape[len(self.batch_shape):])
        return n_repeats, size_of_shape(base.event_shape)

    @cache.cached_property
    def covariance(self):
        """The block-diagonal covariance of the concatenated draws (one block
        per draw: the base distribution's covariance)."""
        n_repeats, dim = self._n_repeats_and_dim()
        nb = len(self.batch_shape)
        cov = F.reshape(self.distribution.covariance,
                        self.batch_shape + (1, n_repeats, dim, dim))
        cov = F.repeat(cov, n_repeats, axis=-4)
        cov = F.transpose(cov, tuple(range(nb)) + (nb, nb + 2, nb + 1, nb + 3))
        cov = F.reshape(cov, self.batch_shape + (n_repeats * dim, n_repeats * dim))
        block = self._block_indicator.reshape((1,) * nb + self._block_indicator.shape)
        return cov * block.astype(cov.dtype)

    @property
    def entropy(self):
        return self._reduce(F.sum, self.distribution.entropy)

    def cdf(self, x):
        return self._reduce(F.prod, self.distribution.cdf(x))

    def icdf(self, x):
        """Always raises RuntimeError: a multivariate cdf has no inverse."""
        raise RuntimeError(
            "Cumulative distribution function for multivariate variable is not invertible.")

    def log_cdf(self, x):
        return self._reduce(F.sum, self.distribution.log_cdf(x))

    def log_prob(self, x):
        return self._reduce(F.sum, self.distribution.log_prob(x))

    def log_survival_function(self, x):
        return self._reduce(F.sum, self.distribution.log_survival_function(x))

    @property
    def mean(self):
        return self.distribution.mean

    @property
    def mode(self):
        return self.distribution.mode

    @property
    def params(self):
        return self.distribution.params

    def perplexity(self, x):
        return self._reduce(F.prod, self.distribution.perplexity(x))

    def prob(self, x):
        return self._reduce(F.prod, self.distribution.prob(x))

    def sample_n(self, n):
        return self.distribution.sample_n(n)

    @property
    def stddev(self):
        return self.distribution.stddev

    @property
    def support(self):
        return self.distribution.support

    def survival_function(self, x):
        return self._reduce(F.prod, self.distribution.survival_function(x))

    @property
    def variance(self):
        return self.distribution.variance

    @property
    def xp(self):
        return self.distribution.xp

    def _reduce(self, op, stat):
        axes = tuple(range(-self.reinterpreted_batch_ndims, 0))
        return op(stat, axis=axes)

    def _get_default_reinterpreted_batch_ndims(self, distribution):
        return max(0, len(distribution.batch_shape) - 1)

    @cache.cached_property
    def _block_indicator(self):
        n_repeats, dim = self._n_repeats_and_dim()
        index = numpy.arange(n_repeats * dim) // max(dim, 1)
        block = (index[:, None] == index[None, :]).astype(int)
        xp = self.xp
        return block if xp is numpy else xp.asarray(block)


@register_kl(Independent, Independent)
def _kl_independent_independent(dist1, dist2):
    """KL of independent draws: the sum of the base KLs over the
    reinterpreted axes."""
    p = dist1.distribution
    q = dist2.distribution
    if dist1.event_shape != dist2.event_shape:
        raise ValueError("Event shapes do not match.")
    if p.event_shape != q.event_shape:
        raise NotImplementedError(
            "KL between Independents with different event shapes not supported.")
    n_axes = len(dist1.event_shape) - len(p.event_shape)
    axes = tuple(-i - 1 for i in range(n_axes))
    return F.sum(kl_divergence(p, q), axis=axes)
