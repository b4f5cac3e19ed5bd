"""F.cross_covariance."""
from __future__ import annotations

from ...variable import Variable
from .._core import call, var
from ._checks import check_reduce, expect, float_kind, ndim_is, same_dtype
from ._ops import rmean, rsum


def cross_covariance(y, z, reduce: str = "half_squared_sum") -> Variable:
    """The cross-covariance matrix of y's and z's columns over the batch
    (rows); reduce="half_squared_sum" gives half the sum of its squares."""
    check_reduce(reduce, ("half_squared_sum", "no"), capital=True)
    y, z = var(y), var(z)
    expect("CrossCovariance", float_kind(y, "y"), same_dtype(y, z, "y", "z"),
           ndim_is(y, 2, "y"), ndim_is(z, 2, "z"),
           (y.shape[0] == z.shape[0], "y.shape[0] == z.shape[0]",
            f"{y.shape[0]} != {z.shape[0]}"))
    yc = y - rmean(y, axis=0, keepdims=True)
    zc = z - rmean(z, axis=0, keepdims=True)
    cov = call("matmul", call("transpose", yc, axes=(1, 0)), zc) / len(y)
    if reduce == "half_squared_sum":
        return rsum(cov * cov) * 0.5
    return cov
