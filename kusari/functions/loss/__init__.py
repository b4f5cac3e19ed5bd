"""Loss functions."""
from __future__ import annotations

__all__ = ['absolute_error', 'mean_squared_error', 'sigmoid_cross_entropy',
           'softmax_cross_entropy', 'squared_error']

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, scalar_like, var
from ..activation import log_softmax
from ..array import get_item, select_item
from ..math import cast, mean, sum, where  # noqa: A004


def mean_squared_error(x0, x1) -> Variable:
    """mean((x0 - x1) ** 2) over all elements."""
    x0, x1 = var(x0), var(x1)
    if x0.shape != x1.shape:
        raise invalid_in("MeanSquaredError", InvalidType("x0.shape == x1.shape",
                                                          f"{x0.shape} != {x1.shape}"))
    d = x0 - x1
    return mean(d * d)


def squared_error(x0, x1) -> Variable:
    d = var(x0) - var(x1)
    return d * d


def absolute_error(x0, x1) -> Variable:
    return abs(var(x0) - var(x1))


def softmax_cross_entropy(x, t, normalize: bool = True, cache_score: bool = True,
                          class_weight=None, ignore_label: int = -1, reduce: str = "mean",
                          enable_double_backprop: bool = False) -> Variable:
    """Cross entropy of softmax(x) (classes on axis 1) against integer labels t.

    With reduce="mean" the loss is averaged over the labels that are not
    `ignore_label` (normalize=True) or over the batch (normalize=False).
    """
    x, t = var(x), var(t)
    if t.dtype.kind not in "iu":
        raise invalid_in("SoftmaxCrossEntropy", InvalidType("t.dtype.kind == i",
                                                             f"{t.dtype.kind} != i"))
    if x.ndim < 2 or t.shape != (x.shape[0],) + x.shape[2:]:
        raise invalid_in("SoftmaxCrossEntropy", InvalidType(
            "t.shape == x.shape[:1] + x.shape[2:]", f"{t.shape} != x.shape {x.shape}"))
    if reduce not in ("mean", "no"):
        raise ValueError(f"only 'mean' and 'no' are valid for 'reduce', not {reduce!r}")
    t_shape = t.shape
    if x.ndim > 2:  # move classes last, flatten the rest
        from ..array import reshape, transpose
        axes = (0,) + tuple(range(2, x.ndim)) + (1,)
        x = reshape(transpose(x, axes), (-1, x.shape[1]))
        t = reshape(t, (-1,))
    if class_weight is None:
        # one op, as Chainer's SoftmaxCrossEntropy (its gradient rule is ops)
        loss = call("softmax_cross_entropy", x, t, normalize=bool(normalize),
                    ignore_label=int(ignore_label), reduce=reduce)
        if reduce == "no" and len(t_shape) != 1:
            from ..array import reshape
            loss = reshape(loss, t_shape)
        return loss
    logp = log_softmax(x, axis=1)
    n = x.shape[0]
    mask = None
    if isinstance(t.array, np.ndarray):
        # labels with values: which count is plain NumPy (labels have no gradient)
        valid = t.array != ignore_label
        count = int(valid.sum())
        if count == valid.size:
            safe_t = t.array
        else:
            safe_t = np.where(valid, t.array, 0)
            mask = var(valid.astype(x.dtype))
    else:
        valid = call("not_equal", t, scalar_like(t, ignore_label))
        safe_t = where(valid, t, scalar_like(t, 0))
        mask = cast(valid, x.dtype)
        count = None
    picked = select_item(logp, safe_t)
    if class_weight is not None:
        w = get_item(var(np.asarray(class_weight, x.dtype)), safe_t)
        picked = picked * w
    if mask is not None:
        picked = picked * mask
    if reduce == "no":
        return -picked
    total = sum(picked)
    # Chainer's scaling: the sum times -1/count, count at least 1
    if not normalize:
        return total * (-1.0 / max(n, 1))
    if count is not None:
        return total * (-1.0 / max(count, 1))
    count = sum(mask)
    return -total / where(call("greater", count, scalar_like(count, 0)), count,
                          scalar_like(count, 1))


def sigmoid_cross_entropy(x, t, normalize: bool = True, reduce: str = "mean") -> Variable:
    """Cross entropy of sigmoid(x) against binary labels t (-1 is ignored)."""
    from ..activation import softplus
    x, t = var(x), var(t)
    valid = call("not_equal", t, scalar_like(t, -1))
    tf = cast(where(valid, t, scalar_like(t, 0)), x.dtype)
    mask = cast(valid, x.dtype)
    losses = (softplus(x) - x * tf) * mask
    if reduce == "no":
        return losses
    total = sum(losses)
    if normalize:
        return total / where(call("greater", sum(mask), scalar_like(sum(mask), 0)),
                             sum(mask), scalar_like(sum(mask), 1))
    return total * (1.0 / x.shape[0])
