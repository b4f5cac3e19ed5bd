"""F.decorrelated_batch_normalization and
F.fixed_decorrelated_batch_normalization (ZCA whitening per group of
channels, Huang et al. 2018)."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, sent
from .._core import var as as_var
from ..loss._checks import expect, float_kind, same_dtype
from ..loss._ops import cast, reshape, rmean
from .batch_normalization import _as_array, running_average


def _check_groups(label: str, x: Variable, groups: int) -> None:
    expect(label, float_kind(x, "x"),
           (x.ndim >= 2, "x.ndim >= 2", f"{x.ndim} < 2"))
    expect(label, (x.shape[1] % groups == 0, f"x.shape[1] % {groups} == 0",
                   f"{x.shape[1]} % {groups} == {x.shape[1] % groups}"))


def _grouped(x: Variable, groups: int):
    """x (b, c, spatial...) as (groups, c // groups, m), m = b * spatial."""
    b, c = x.shape[:2]
    spatial = tuple(range(2, x.ndim))
    m = x.size // max(c, 1)
    xt = call("transpose", x, axes=(1, 0) + spatial) if x.ndim > 1 else x
    return reshape(xt, (groups, c // groups, m)), m


def _ungrouped(y: Variable, shape: tuple) -> Variable:
    b, c = shape[:2]
    spatial = tuple(range(2, len(shape)))
    y = reshape(y, (c, b) + tuple(shape[2:]))
    return call("transpose", y, axes=(1, 0) + spatial)


def _swap_last(a: Variable) -> Variable:
    axes = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
    return call("transpose", a, axes=axes)


def decorrelated_batch_normalization(x, **kwargs) -> Variable:
    """decorrelated_batch_normalization(x, groups=16, eps=2e-5,
    running_mean=None, running_projection=None, decay=0.9)

    The channels of x in `groups` groups, each group centered and whitened
    over the batch and spatial axes: y = cov^(-1/2) (x - mean), cov the
    group's covariance plus eps I. running_mean (groups, C) and
    running_projection (groups, C, C), if given, are updated in place."""
    groups = kwargs.pop("groups", 16)
    eps = kwargs.pop("eps", 2e-5)
    running_mean = _as_array(kwargs.pop("running_mean", None))
    running_projection = _as_array(kwargs.pop("running_projection", None))
    decay = kwargs.pop("decay", 0.9)
    if kwargs:
        names = ", ".join(repr(k) for k in sorted(kwargs))
        raise TypeError("decorrelated_batch_normalization() got unexpected keyword "
                        f"argument(s) {names}")
    x = as_var(x)
    _check_groups("DecorrelatedBatchNormalization", x, groups)
    x_hat, m = _grouped(x, groups)
    size = x_hat.shape[1]
    mean = rmean(x_hat, 2, keepdims=True)
    x_hat = x_hat - mean
    eps_matrix = as_var(sent(x.dtype.type(eps) * np.eye(size, dtype=x.dtype), x))
    cov = call("matmul", x_hat, _swap_last(x_hat)) / x.dtype.type(m) + eps_matrix
    w = call("eigh_values", cov)
    v = call("eigh_vectors", cov)
    u = reshape(w ** -0.5, (groups, size, 1)) * _swap_last(v)       # diag(w)^-1/2 V^T
    y = call("matmul", v, call("matmul", u, x_hat))
    if running_mean is not None:
        running_average(running_mean, reshape(mean, (groups, size)), decay)
    if running_projection is not None:
        running_average(running_projection, call("matmul", v, u), decay,
                        m / max(m - 1.0, 1.0))
    return _ungrouped(y, x.shape)


def fixed_decorrelated_batch_normalization(x, mean, projection, groups=16) -> Variable:
    """projection @ (x - mean) per group of channels, with the given
    statistics (mean (groups, C), projection (groups, C, C))."""
    x, mean, projection = as_var(x), as_var(mean), as_var(projection)
    label = "FixedDecorrelatedBatchNormalization"
    expect(label, float_kind(x, "x"), same_dtype(mean, x, "mean", "x"),
           same_dtype(projection, x, "projection", "x"))
    _check_groups(label, x, groups)
    # (dtypes differ only with config.type_check off: NumPy's promotion then)
    dtype = np.result_type(x.dtype, mean.dtype, projection.dtype)
    x, mean, projection = cast(x, dtype), cast(mean, dtype), cast(projection, dtype)
    x_hat, _ = _grouped(x, groups)
    y = call("matmul", projection, x_hat - reshape(mean, mean.shape + (1,)))
    return _ungrouped(y, x.shape)
