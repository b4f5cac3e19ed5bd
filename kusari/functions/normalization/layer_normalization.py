"""F.layer_normalization."""
from __future__ import annotations

from ...variable import Variable
from .._core import call, var
from ..loss._checks import expect, float_kind, ndim_is, same_dtype, same_shape
from ..loss._ops import reshape, rmean


def layer_normalization(x, gamma, beta, eps=1e-5) -> Variable:
    """Each row of x (N, C) normalized to mean 0 and variance 1 (biased,
    plus eps), then scaled by gamma and shifted by beta (both (C,))."""
    x, gamma, beta = var(x), var(gamma), var(beta)
    expect("LayerNormalization", float_kind(x, "x"), ndim_is(x, 2, "x"),
           ndim_is(gamma, 1, "gamma"), ndim_is(beta, 1, "beta"),
           same_dtype(gamma, x, "gamma", "x"), same_dtype(beta, x, "beta", "x"),
           same_shape(gamma, beta, "gamma", "beta"))
    mu = rmean(x, 1, keepdims=True)
    x_mu = x - mu
    variance = rmean(x_mu * x_mu, 1, keepdims=True)
    inv_std = 1.0 / call("sqrt", variance + eps)
    n = gamma.shape[0]
    return x_mu * inv_std * reshape(gamma, (1, n)) + reshape(beta, (1, n))
