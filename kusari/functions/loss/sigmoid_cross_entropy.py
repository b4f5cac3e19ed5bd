"""F.sigmoid_cross_entropy: Chainer's cross entropy of sigmoid(x) against
binary labels."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, scalar_like, var
from ._ops import concrete
from ._checks import check_reduce, expect, float_kind, int_kind, same_shape


def sigmoid_cross_entropy(x, t, normalize: bool = True, reduce: str = "mean") -> Variable:
    """-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))) per element; labels
    -1 count for nothing (their loss is 0). reduce="mean" divides the sum by
    the labels that count (normalize=True) or by the batch size, at least 1.
    The gradient, sigmoid(x) - t, differentiates again."""
    check_reduce(reduce, ("mean", "no"))
    x, t = var(x), var(t)
    expect("SigmoidCrossEntropy", float_kind(x, "x"), int_kind(t, "t"),
           same_shape(x, t, "x", "t"))
    valid = call("not_equal", t, scalar_like(t, -1))
    # softplus(x) - x t is Chainer's log1p(exp(-|x|)) + max(x, 0) - x t
    loss = call("softplus", x) - x * call("cast", t, dtype=x.dtype)
    loss = call("where", valid, loss, scalar_like(x, 0))
    if reduce == "no":
        return loss
    acc = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
    total = call("sum", call("cast", loss, dtype=acc), axis=tuple(range(x.ndim)),
                 keepdims=False)
    if not normalize:
        count = max(1, x.shape[0] if x.ndim else 1)
    elif concrete(t):
        count = max(1, int(np.count_nonzero(t.array != -1)))
    else:                                   # traced labels: the count is an op
        n = call("sum", call("cast", valid, dtype=acc), axis=tuple(range(t.ndim)),
                 keepdims=False)
        count = call("maximum", n, scalar_like(n, 1))
    out = total / count
    return call("cast", out, dtype=x.dtype) if acc != x.dtype else out
