"""F.contrastive: the contrastive loss of pairs of embeddings."""
from __future__ import annotations

from ...variable import Variable
from .._core import call, var
from ._checks import check_reduce, expect, float_kind, int_kind, ndim_is, same_dtype, same_shape
from ._ops import cast, rsum, safe_sqrt


def contrastive(x0, x1, y, margin=1, reduce: str = "mean") -> Variable:
    """For pairs of rows: d^2 / 2 where y = 1 (similar), max(margin - d, 0)^2 / 2
    where y = 0, d the Euclidean distance; reduce="mean" averages over pairs.

    The gradient is Chainer's but for pairs closer than 1e-7 (5e-3 in
    float16), where Chainer divides by that floor instead of the distance:
    kusari gives the exact gradient there (0 at distance 0, as Chainer)."""
    if margin <= 0:
        raise ValueError("margin should be positive value.")
    check_reduce(reduce, ("mean", "no"))
    x0, x1, y = var(x0), var(x1), var(y)
    expect("Contrastive", float_kind(x0, "x0"), same_dtype(x0, x1, "x0", "x1"),
           int_kind(y, "y"), same_shape(x0, x1, "x0", "x1"),
           (x1.shape[:1] == y.shape[:1], "x1.shape[0] == y.shape[0]",
            f"{x1.shape[:1]} != {y.shape[:1]}"),
           (x1.ndim > 0 and x1.shape[0] > 0, "x1.shape[0] > 0", f"{x1.shape} has no rows"),
           ndim_is(x0, 2, "x0"), ndim_is(x1, 2, "x1"), ndim_is(y, 1, "y"))
    diff = x0 - x1
    dist_sq = rsum(diff * diff, axis=1)
    short = call("relu", margin - safe_sqrt(dist_sq))
    similar = cast(y, x0.dtype)
    loss = (similar * dist_sq + (1 - similar) * (short * short)) * 0.5
    if reduce == "mean":
        return rsum(loss) / x0.shape[0]
    return loss
