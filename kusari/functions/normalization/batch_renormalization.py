"""F.batch_renormalization and F.fixed_batch_renormalization."""
from __future__ import annotations

import warnings

import numpy as np

from ... import configuration
from ...function_node import stop_gradient
from ...variable import Variable
from .._core import call, scalar_like
from .._core import var as as_var
from ..loss._checks import expect, float_kind, same_dtype, same_shape
from ..loss._ops import cast, reshape, rmean
from .batch_normalization import _as_array, fixed_batch_normalization, running_average


def _clip(v: Variable, lo, hi) -> Variable:
    return call("minimum", call("maximum", v, scalar_like(v, lo)), scalar_like(v, hi))


def batch_renormalization(x, gamma, beta, rmax, dmax, eps=2e-5, running_mean=None,
                          running_var=None, decay=0.9, update_statistics=False) -> Variable:
    """Batch renormalization: batch normalization corrected towards the
    running statistics by r = clip(std / running_std, 1/rmax, rmax) and
    d = clip((mean - running_mean) / running_std, -dmax, dmax), which are
    constants for the gradient (Chainer's rule). With update_statistics the
    running statistics are updated in place afterwards."""
    running_mean, running_var = _as_array(running_mean), _as_array(running_var)
    if running_mean is None:
        raise TypeError("running_mean is required")
    if running_var is None:
        raise TypeError("running_var is required")
    x, gamma, beta = as_var(x), as_var(gamma), as_var(beta)
    m_ndim = gamma.ndim
    expect("BatchRenormalizationFunction", float_kind(x, "x"),
           (x.ndim >= gamma.ndim + 1, f"x.ndim >= {gamma.ndim + 1}",
            f"{x.ndim} < {gamma.ndim + 1}"),
           (x.shape[1:1 + m_ndim] == gamma.shape, f"x.shape[1:{1 + m_ndim}] == gamma.shape",
            f"{x.shape[1:1 + m_ndim]} != {gamma.shape}"),
           float_kind(gamma, "gamma"), same_dtype(beta, gamma, "beta", "gamma"),
           same_shape(beta, gamma, "beta", "gamma"))
    axes = (0,) + tuple(range(gamma.ndim + 1, x.ndim))
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    interm = np.promote_types(x.dtype, gamma.dtype)
    xi = cast(x, interm)
    mean = rmean(xi, axes, keepdims=True)
    xc = xi - mean
    variance = rmean(xc * xc, axes, keepdims=True)
    std = call("sqrt", variance + eps)
    r_mean = cast(reshape(as_var(running_mean), shape), interm)
    running_sigma = call("sqrt", cast(reshape(as_var(running_var), shape), interm) + eps)
    r = stop_gradient(_clip(std / running_sigma, 1.0 / rmax, rmax))
    d = stop_gradient(_clip((mean - r_mean) / running_sigma, -dmax, dmax))
    x_hat = xc / std
    y = reshape(cast(gamma, interm), shape) * (x_hat * r + d) + \
        reshape(cast(beta, interm), shape)
    if update_statistics:
        m = x.size // max(gamma.size, 1)
        running_average(running_mean, reshape(mean, gamma.shape), decay)
        running_average(running_var, reshape(variance, gamma.shape), decay,
                        m / max(m - 1.0, 1.0))
    return cast(y, x.dtype)


def fixed_batch_renormalization(x, gamma, beta, mean, var, eps=2e-5) -> Variable:
    """Deprecated in Chainer: fixed_batch_normalization."""
    warnings.warn("fixed_batch_renormalization is deprecated. "
                  "Use fixed_batch_normalization instead.", DeprecationWarning)
    with configuration.using_config("train", False):
        return fixed_batch_normalization(x, gamma, beta, mean, var, eps)
