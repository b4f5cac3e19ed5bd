"""F.triplet: the triplet loss of anchor, positive and negative embeddings."""
from __future__ import annotations

from ...variable import Variable
from .._core import call, var
from ._checks import check_reduce, expect, float_kind, same_dtype, same_shape
from ._ops import rsum


def triplet(anchor, positive, negative, margin=0.2, reduce: str = "mean") -> Variable:
    """max(0, |a - p|^2 - |a - n|^2 + margin) per row; reduce="mean"
    averages over rows."""
    if margin <= 0:
        raise ValueError("margin should be positive value.")
    check_reduce(reduce, ("mean", "no"))
    a, p, n = var(anchor), var(positive), var(negative)
    expect("Triplet", float_kind(a, "anchor"), same_dtype(a, p, "anchor", "positive"),
           same_dtype(a, n, "anchor", "negative"), same_shape(a, p, "anchor", "positive"),
           same_shape(a, n, "anchor", "negative"),
           (a.ndim > 0 and a.shape[0] > 0, "anchor.shape[0] > 0", f"{a.shape} has no rows"))
    dp, dn = a - p, a - n
    dist = rsum(dp * dp - dn * dn, axis=1) + margin
    hinge = call("relu", dist)
    if reduce == "mean":
        return rsum(hinge) / a.shape[0]
    return hinge
