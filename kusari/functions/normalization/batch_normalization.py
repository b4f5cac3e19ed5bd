"""F.batch_normalization and F.fixed_batch_normalization.

Both are compositions of registry ops (mean, rsqrt, products), so their
gradients are Chainer's (the exact derivatives, through the batch mean and
variance) to any order, and fuse under the compiler. Mixed dtypes compute in
the promoted dtype of x and gamma, and y has x's dtype, as in Chainer.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ...variable import Variable
from .._core import call
from .._core import var as as_var
from ..loss._checks import expect, float_kind, same_dtype, same_shape
from ..loss._ops import cast, concrete, reshape, rmean


def axis_argument(axis):
    """Chainer's `axis`: None, an int or an ascending tuple of ints."""
    if isinstance(axis, Sequence):
        for i in range(1, len(axis)):
            if axis[i - 1] >= axis[i]:
                raise RuntimeError("numbers in axis must be sorted in ascending order")
        return tuple(axis)
    if isinstance(axis, (int, np.integer)):
        return (int(axis),)
    if axis is not None:
        raise RuntimeError("axis must be int, tuple of int or None")
    return None


def reduction_axes(x_ndim: int, gamma_ndim: int, axis) -> tuple:
    """The axes statistics are taken over: `axis`, or the batch axis and
    every axis after gamma's."""
    if axis is not None:
        return axis
    return (0,) + tuple(range(gamma_ndim + 1, x_ndim))


def check_types(label: str, x: Variable, gamma: Variable, axis, others=()) -> tuple:
    """Chainer's checks of x against the per-channel parameters; returns the
    reduction axes (negative ones counted from the end)."""
    expect(label, float_kind(x, "x"), float_kind(gamma, "gamma"),
           *[same_dtype(o, gamma, n, "gamma") for n, o in others],
           *[same_shape(o, gamma, n, "gamma") for n, o in others])
    axes = reduction_axes(x.ndim, gamma.ndim, axis)
    expect(label, (x.ndim >= len(axes), f"x.ndim >= {len(axes)}", f"{x.ndim} < {len(axes)}"))
    axes = tuple(sorted(a % x.ndim for a in axes)) if x.ndim else axes
    key = tuple(i for i in range(x.ndim) if i not in axes)
    expect(label, (gamma.ndim == len(key), f"gamma.ndim == {len(key)}",
                   f"{gamma.ndim} != {len(key)}"),
           *[(x.shape[k] == gamma.shape[i], f"x.shape[{k}] == gamma.shape[{i}]",
              f"{x.shape[k]} != {gamma.shape[i]}") for i, k in enumerate(key)])
    return axes


def expanded_shape(x: Variable, axes: tuple) -> tuple:
    """The shape gamma takes to broadcast against x (1 on the reduced axes)."""
    return tuple(1 if i in axes else d for i, d in enumerate(x.shape))


def _warn_single_sample(x: Variable, axes: tuple) -> None:
    if all(x.shape[i] == 1 for i in axes):
        if 0 in axes:
            warnings.warn(
                "A batch with no more than one sample has been given to "
                "F.batch_normalization. F.batch_normalization will always output a "
                "zero tensor for such batches. This could be caused by incorrect "
                "configuration in your code (such as running evaluation while "
                "chainer.config.train=True), but could also happen in the last batch "
                "of training if non-repeating iterator is used.", UserWarning)
        else:
            warnings.warn(
                "F.batch_normalization received a batch with single dimensions along "
                "all axes that are used for aggregating statistics. "
                "F.batch_normalization will always output a zero tensor for such "
                "batches.", UserWarning)


def running_average(array, batch_value: Variable, decay: float, scale: float = 1.0):
    """array := decay * array + (1 - decay) * scale * batch_value, in place
    (Chainer's update): now, or, inside a trace (kusari.jit), after every
    run of the traced function, reading the value an earlier update in the
    same trace gave."""
    if array is None:
        return
    if concrete(batch_value):
        array *= decay
        array += (1 - decay) * scale * batch_value.array
        return
    from ...tracing import active
    ctx = active()
    if ctx is None:
        raise RuntimeError("batch normalization: the running statistics cannot be "
                           "updated from traced values outside a trace")
    old = ctx.array(array, Ellipsis)          # the array itself holds its value
    new = old * decay + cast(batch_value, old.dtype) * ((1 - decay) * scale)
    ctx.assign_array(array, Ellipsis, cast(new, array.dtype))


def _as_array(a):
    return a.array if isinstance(a, Variable) else a


def batch_normalization(x, gamma, beta, **kwargs) -> Variable:
    """batch_normalization(x, gamma, beta, eps=2e-5, running_mean=None,
    running_var=None, decay=0.9, axis=None)

    (x - mean) / sqrt(var + eps) * gamma + beta, the mean and (biased)
    variance taken over `axis` (default: the batch axis and the axes after
    gamma's). running_mean and running_var, if given, are updated in place
    with the batch statistics (the variance unbiased), as Chainer does."""
    if "train" in kwargs:
        raise ValueError("train argument is not supported anymore. "
                         "Use chainer.using_config")
    eps = kwargs.pop("eps", 2e-5)
    running_mean = _as_array(kwargs.pop("running_mean", None))
    running_var = _as_array(kwargs.pop("running_var", None))
    decay = kwargs.pop("decay", 0.9)
    axis = kwargs.pop("axis", None)
    if kwargs:
        names = ", ".join(repr(k) for k in sorted(kwargs))
        raise TypeError(f"batch_normalization() got unexpected keyword argument(s) {names}")
    axis = axis_argument(axis)
    x, gamma, beta = as_var(x), as_var(gamma), as_var(beta)
    axes = check_types("BatchNormalization", x, gamma, axis, (("beta", beta),))
    _warn_single_sample(x, axes)
    interm = np.promote_types(x.dtype, gamma.dtype)
    shape = expanded_shape(x, axes)
    xi = cast(x, interm)
    mean = rmean(xi, axes, keepdims=True)
    xc = xi - mean
    variance = rmean(xc * xc, axes, keepdims=True)
    inv_std = call("rsqrt", variance + eps)
    y = xc * inv_std * reshape(cast(gamma, interm), shape) + reshape(cast(beta, interm), shape)
    if running_mean is not None or running_var is not None:
        m = x.size // max(gamma.size, 1)
        adjust = m / max(m - 1.0, 1.0)         # the unbiased variance
        running_average(running_mean, reshape(mean, gamma.shape), decay)
        running_average(running_var, reshape(variance, gamma.shape), decay, adjust)
    return cast(y, x.dtype)


def fixed_batch_normalization(x, gamma, beta, mean, var, eps=2e-5, axis=None) -> Variable:
    """(x - mean) / sqrt(var + eps) * gamma + beta with the given statistics
    (differentiable in all five inputs)."""
    axis = axis_argument(axis)
    x, gamma, beta = as_var(x), as_var(gamma), as_var(beta)
    mean, var_ = as_var(mean), as_var(var)
    axes = check_types("FixedBatchNormalization", x, gamma, axis,
                       (("beta", beta), ("mean", mean), ("var", var_)))
    interm = np.promote_types(x.dtype, gamma.dtype)
    shape = expanded_shape(x, axes)

    def expand(p):
        return reshape(cast(p, interm), shape)
    inv_std = call("rsqrt", expand(var_) + eps)
    y = (cast(x, interm) - expand(mean)) * inv_std * expand(gamma) + expand(beta)
    return cast(y, x.dtype)
