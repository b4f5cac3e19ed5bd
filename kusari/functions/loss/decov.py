"""F.decov: the DeCov loss of hidden activations."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, sent, var
from ._checks import check_reduce, expect, float_kind, ndim_is
from ._ops import rmean, rsum


def decov(h, reduce: str = "half_squared_sum") -> Variable:
    """The covariance of h's columns over the batch with its diagonal zeroed;
    reduce="half_squared_sum" gives half the sum of its squares."""
    check_reduce(reduce, ("half_squared_sum", "no"))
    h = var(h)
    expect("DeCov", float_kind(h, "h"), ndim_is(h, 2, "h"))
    hc = h - rmean(h, axis=0, keepdims=True)
    off = var(sent(1 - np.eye(h.shape[1], dtype=h.dtype), h))
    cov = call("matmul", call("transpose", hc, axes=(1, 0)), hc) * off / len(h)
    if reduce == "half_squared_sum":
        return rsum(cov * cov) * 0.5
    return cov
