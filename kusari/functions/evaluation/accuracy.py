"""F.accuracy: the fraction of correct class predictions."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, scalar_like, var
from ..loss._checks import expect, float_kind, int_kind
from ..loss._ops import cast, reshape, rsum

_I64 = np.dtype(np.int64)


def check_prediction_shapes(label: str, y: Variable, t: Variable) -> None:
    """Chainer's checks for class scores y (classes on axis 1) against labels t."""
    expect(label, float_kind(y, "x"), int_kind(t, "t"),
           (y.ndim >= t.ndim, "x.ndim >= t.ndim", f"{y.ndim} < {t.ndim}"))
    expect(label, (t.ndim >= 1 and y.shape[0] == t.shape[0], "x.shape[0] == t.shape[0]",
                   f"{y.shape[:1]} != {t.shape[:1]}"),
           (y.shape[2:t.ndim + 1] == t.shape[1:], f"x.shape[2:{t.ndim + 1}] == t.shape[1:]",
            f"{y.shape[2:t.ndim + 1]} != {t.shape[1:]}"),
           *[(y.shape[i] == 1, f"x.shape[{i}] == 1", f"{y.shape[i]} != 1")
             for i in range(t.ndim + 1, y.ndim)])


def predictions(y: Variable, t: Variable) -> Variable:
    """argmax over axis 1, in t's shape and dtype."""
    pred = call("argmax", y, axis=1)
    return cast(reshape(pred, t.shape), t.dtype)


def ratio(count: Variable, total: Variable, dtype) -> Variable:
    """count / total as `dtype`, 0 where total is 0 (integers in, exact)."""
    positive = call("greater", total, scalar_like(total, 0))
    safe = call("where", positive, total, scalar_like(total, 1))
    q = count / safe
    return cast(call("where", positive, q, scalar_like(q, 0)), dtype)


def accuracy(y, t, ignore_label=None) -> Variable:
    """The fraction of samples whose highest score (over axis 1) is at the
    label t; with `ignore_label`, of the samples whose label is another
    value (0 if there are none). No gradient flows back."""
    y, t = var(y), var(t)
    check_prediction_shapes("Accuracy", y, t)
    hit = call("equal", predictions(y, t), t)
    if ignore_label is None:
        if t.size == 0:
            return Variable(np.asarray(np.nan, y.dtype), requires_grad=False)
        return call("mean", cast(hit, y.dtype), axis=tuple(range(t.ndim)), keepdims=False)
    valid = call("not_equal", t, scalar_like(t, ignore_label))
    hits = rsum(cast(call("logical_and", hit, valid), _I64))
    return ratio(hits, rsum(cast(valid, _I64)), y.dtype)
