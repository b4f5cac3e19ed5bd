"""Chainer's `chainer.distribution`: the `Distribution` interface and the
table of Kullback-Leibler divergences (`register_kl`, `kl_divergence`).

A distribution's methods and properties are written with kusari.functions,
so what they compute from Variables differentiates to any order. Its shapes
follow Chainer's sample / batch / event hierarchy: a realization has the
shape ``sample_shape + batch_shape + event_shape`` and a probability-related
value the shape ``sample_shape + batch_shape``.
"""
from __future__ import annotations

import copy


class Distribution:
    """The interface of a probability distribution (Chainer's
    `chainer.Distribution`). Subclasses take their parameters (Variables or
    arrays) at construction and override what they support; what they do not
    raise NotImplementedError, as in Chainer."""

    def _copy_to(self, target):
        target.__dict__ = copy.copy(self.__dict__)
        return target

    def _missing(self, what: str):
        return NotImplementedError(
            f"{type(self).__name__} does not provide {what}")

    @property
    def batch_shape(self) -> tuple:
        """The shape of the independent, not identically distributed part."""
        raise self._missing("batch_shape")

    @property
    def event_shape(self) -> tuple:
        """The shape of one event (values that are sampled together)."""
        raise self._missing("event_shape")

    def cdf(self, x):
        """The cumulative distribution function at `x`."""
        raise self._missing("cdf")

    @property
    def covariance(self):
        """The covariance of the distribution."""
        raise self._missing("covariance")

    @property
    def entropy(self):
        """The entropy of the distribution."""
        raise self._missing("entropy")

    def icdf(self, x):
        """The inverse of the cumulative distribution function at `x`."""
        raise self._missing("icdf")

    def log_cdf(self, x):
        """The logarithm of the cumulative distribution function at `x`."""
        raise self._missing("log_cdf")

    def log_prob(self, x):
        """The logarithm of the probability (density or mass) at `x`."""
        raise self._missing("log_prob")

    def log_survival_function(self, x):
        """The logarithm of the survival function at `x`."""
        raise self._missing("log_survival_function")

    @property
    def mean(self):
        """The mean of the distribution."""
        raise self._missing("mean")

    @property
    def mode(self):
        """The mode of the distribution."""
        raise self._missing("mode")

    @property
    def params(self) -> dict:
        """The parameters of the distribution, by name."""
        raise self._missing("params")

    def perplexity(self, x):
        """The perplexity at `x`."""
        raise self._missing("perplexity")

    def prob(self, x):
        """The probability (density or mass) at `x`."""
        raise self._missing("prob")

    def sample(self, sample_shape=()):
        """Random points of shape ``sample_shape + batch_shape + event_shape``
        (an int `sample_shape` n means ``(n,)``); subclasses implement
        `sample_n`."""
        final_shape = tuple(self.batch_shape) + tuple(self.event_shape)
        if isinstance(sample_shape, int):
            n = sample_shape
            final_shape = (n,) + final_shape
        else:
            sample_shape = tuple(sample_shape)
            n = 1
            for size in sample_shape:
                n *= size
            final_shape = sample_shape + final_shape
        return self.sample_n(n).reshape(final_shape)

    def sample_n(self, n: int):
        """`n` random points, shaped ``(n,) + batch_shape + event_shape``."""
        raise self._missing("sample_n")

    @property
    def stddev(self):
        """The standard deviation of the distribution."""
        raise self._missing("stddev")

    @property
    def support(self) -> str:
        """A string naming the support of the distribution."""
        raise self._missing("support")

    def survival_function(self, x):
        """The survival function (1 - cdf) at `x`."""
        raise self._missing("survival_function")

    @property
    def variance(self):
        """The variance of the distribution."""
        raise self._missing("variance")

    @property
    def xp(self):
        """The array module of the parameters (numpy, or cupy on a GPU)."""
        from . import backend
        return backend.get_array_module(*self.params.values())


_KLDIVERGENCE: dict = {}


def register_kl(Dist1, Dist2):  # noqa: N803 (Chainer's names)
    """Decorator registering the function computing KL(dist1 || dist2) for an
    instance of `Dist1` and one of `Dist2` (used by `kl_divergence`)."""
    def register(kl):
        _KLDIVERGENCE[Dist1, Dist2] = kl
        # Chainer's decorator returns None; the function stays usable here
        return kl
    return register


def _find_kl(type1, type2):
    kl = _KLDIVERGENCE.get((type1, type2))
    if kl is not None:
        return kl
    # a subclass uses what is registered for its nearest registered bases
    for base1 in type1.__mro__:
        for base2 in type2.__mro__:
            kl = _KLDIVERGENCE.get((base1, base2))
            if kl is not None:
                return kl
    raise KeyError(
        f"kl_divergence: no KL divergence is registered for "
        f"({type1.__name__}, {type2.__name__}); register one with "
        f"chainer.register_kl({type1.__name__}, {type2.__name__})")


def kl_divergence(dist1, dist2):
    """The Kullback-Leibler divergence KL(dist1 || dist2), by the function
    registered for the pair of types with `register_kl`."""
    return _find_kl(type(dist1), type(dist2))(dist1, dist2)


def cross_entropy(dist1, dist2):
    """The cross entropy H(dist1, dist2) = entropy(dist1) + KL(dist1 || dist2).

    (Chainer 7.8.1 calls ``dist1.entropy()``, which fails because `entropy`
    is a property; kusari reads the property.)"""
    return dist1.entropy + kl_divergence(dist1, dist2)
