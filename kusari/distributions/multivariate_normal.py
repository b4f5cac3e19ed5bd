"""Multivariate normal distribution."""
from __future__ import annotations

import math

import numpy

from .. import functions as F
from ..compiler.errors import InvalidType, invalid_in
from ..distribution import Distribution, register_kl
from ..utils import argument, cache
from ..variable import as_variable
from .utils import _random, _x

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)


def _triangle(n: int, lower: bool, dtype):
    mask = numpy.tril(numpy.ones((n, n), dtype=dtype))
    return mask if lower else mask.T


def _check_square(label: str, x, ndim: int) -> None:
    if x.dtype.kind != "f":
        raise invalid_in(label, InvalidType("x.dtype.kind == 'f'", f"x.dtype = {x.dtype}"))
    if x.ndim != ndim:
        raise invalid_in(label, InvalidType(f"x.ndim == {ndim}", f"x.ndim = {x.ndim}"))
    if x.shape[-1] != x.shape[-2]:
        raise invalid_in(label, InvalidType("x.shape[-1] == x.shape[-2]",
                                            f"{x.shape[-1]} != {x.shape[-2]}"))


def _triangular_inv(x, lower=True):
    """The inverse of a triangular matrix (its other triangle is read as 0).

    The gradient flows to the triangle only: -inv^T gy inv^T masked, as in
    Chainer. Computed by kusari's inverse, so SciPy is not needed."""
    x = as_variable(x)
    _check_square("TriangularInv", x, 2)
    if x.shape[0] == 0:
        return x * 1
    return F.inv(x * _triangle(x.shape[0], lower, x.dtype))


def _batch_triangular_inv(x, lower=True):
    """`_triangular_inv` of each matrix of a (B, N, N) batch."""
    x = as_variable(x)
    _check_square("TriangularInv", x, 3)
    if x.shape[-1] == 0:
        return x * 1
    return F.batch_inv(x * _triangle(x.shape[-1], lower, x.dtype))


def _triangular_logdet(x):
    diag = F.diagonal(x, axis1=-2, axis2=-1)
    return F.sum(F.log(abs(diag)), axis=-1)


class MultivariateNormal(Distribution):
    """Multivariate normal distribution with mean `loc` and covariance
    L L^T, L = `scale_tril` (lower triangular)."""

    def __init__(self, loc, **kwargs):
        scale_tril = None
        if kwargs:
            scale_tril, = argument.parse_kwargs(kwargs, ("scale_tril", scale_tril))
        if scale_tril is None:
            raise ValueError("`scale_tril` must have a value.")
        self.__loc = loc
        self.__scale_tril = scale_tril

    @cache.cached_property
    def loc(self):
        return as_variable(self.__loc)

    @cache.cached_property
    def scale_tril(self):
        return as_variable(self.__scale_tril)

    @cache.cached_property
    def _logdet_scale(self):
        return _triangular_logdet(self.scale_tril)

    @property
    def d(self):
        return self.scale_tril.shape[-1]

    def __copy__(self):
        return self._copy_to(MultivariateNormal(self.loc, scale_tril=self.scale_tril))

    @property
    def batch_shape(self):
        return self.loc.shape[:-1]

    @cache.cached_property
    def entropy(self):
        return self._logdet_scale + ENTROPYC * self.d

    @property
    def event_shape(self):
        return self.loc.shape[-1:]

    def _scale_tril_inv(self):
        d = self.d
        inv = _batch_triangular_inv(F.reshape(self.scale_tril, (-1, d, d)))
        return F.reshape(inv, self.batch_shape + (d, d))

    def log_prob(self, x):
        x = _x(x, self.loc)
        x = as_variable(x)
        d = self.d
        inv = F.broadcast_to(self._scale_tril_inv(), x.shape + (d,))
        diff = x - F.broadcast_to(self.loc, x.shape)
        m = F.matmul(inv, F.expand_dims(diff, axis=-1))
        mahalanobis = F.sum(m * m, axis=(-2, -1))
        logz = LOGPROBC * d - self._logdet_scale
        return F.broadcast_to(logz, mahalanobis.shape) - 0.5 * mahalanobis

    @cache.cached_property
    def mean(self):
        return self.loc

    def sample_n(self, n):
        eps = _random(self.xp).standard_normal((n,) + self.loc.shape + (1,))
        eps = eps.astype(self.loc.dtype)
        scale = F.broadcast_to(self.scale_tril, (n,) + self.scale_tril.shape)
        return self.loc + F.squeeze(F.matmul(scale, eps), axis=-1)

    @property
    def support(self):
        return "real"

    @property
    def params(self):
        return {"loc": self.loc, "scale_tril": self.scale_tril}

    @property
    def covariance(self):
        return F.matmul(self.scale_tril, F.swapaxes(self.scale_tril, -1, -2))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariatenormal_multivariatenormal(dist1, dist2):
    d = dist1.d
    inv2 = _batch_triangular_inv(F.reshape(dist2.scale_tril, (-1, d, d)))
    trace = F.sum(F.matmul(inv2, F.reshape(dist1.scale_tril, (-1, d, d))) ** 2,
                  axis=(-1, -2))
    trace = F.reshape(trace, dist1.batch_shape)
    mu = dist1.loc - dist2.loc
    mah = F.matmul(inv2, F.reshape(mu, (-1, d, 1)))
    mah = F.reshape(F.sum(mah ** 2, axis=(-2, -1)), dist1.batch_shape)
    return (dist2._logdet_scale - dist1._logdet_scale
            + 0.5 * trace + 0.5 * mah - 0.5 * d)
