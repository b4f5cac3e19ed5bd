"""average and mean (Chainer's chainer.functions.math.average; F.mean is
Chainer's name for average without weights)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import check_float, reduction_axes


def _mean(x: Variable, axis, keepdims: bool) -> Variable:
    check_float("Mean", x)
    return call("mean", x, axis=reduction_axes("Mean", axis, x.ndim), keepdims=bool(keepdims))


def average(x, axis=None, weights=None, keepdims: bool = False) -> Variable:
    """Weighted average over `axis`. Without weights, the mean. With them,
    `axis` is None (weights of x's shape) or one axis (weights of shape
    (x.shape[axis],)); the result is sum(x * w) / sum(w)."""
    x = var(x)
    if weights is None:
        return _mean(x, axis, keepdims)
    check_float("Average", x)
    axes = reduction_axes("Average", axis, x.ndim)
    if axis is not None and len(axes) > 1:
        raise ValueError("average: tuple axis is not supported when weights is given")
    weights = var(weights)
    from ..array import broadcast_to, reshape
    total_weight = call("sum", weights, axis=tuple(range(weights.ndim)), keepdims=False)
    if axis is not None:
        shape = tuple(d if i in axes else 1 for i, d in enumerate(x.shape))
        weights = broadcast_to(reshape(weights, shape), x.shape)
    x_sum = call("sum", x * weights, axis=axes if axis is not None else tuple(range(x.ndim)),
                 keepdims=bool(keepdims))
    return x_sum / broadcast_to(total_weight, x_sum.shape)


def mean(x, axis=None, weights=None, keepdims: bool = False) -> Variable:
    """The (weighted) average over `axis`: Chainer's F.mean is F.average."""
    return average(x, axis, weights, keepdims)
