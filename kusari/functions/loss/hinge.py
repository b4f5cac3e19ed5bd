"""F.hinge: the hinge loss of class scores against integer labels."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, scalar_like, var
from ._ops import concrete
from ._checks import check_reduce, expect, float_kind, int_kind, ndim_is
from ._ops import onehot, rsum


def hinge(x, t, norm: str = "L1", reduce: str = "mean") -> Variable:
    """max(0, 1 - x[i, t_i]) for the true class and max(0, 1 + x[i, j]) for
    the others (squared for norm="L2"); reduce="mean" sums and divides by
    the batch size."""
    if norm not in ("L1", "L2"):
        raise NotImplementedError("norm should be either 'L1' or 'L2'")
    check_reduce(reduce, ("mean", "no"))
    x, t = var(x), var(t)
    expect("Hinge", float_kind(x, "x"), int_kind(t, "t"), ndim_is(x, 2, "x"),
           ndim_is(t, 1, "t"),
           (x.shape[0] == t.shape[0], "x.shape[0] == t.shape[0]",
            f"{x.shape[0]} != {t.shape[0]}"))
    if concrete(t) and t.size and not ((t.array >= 0) & (t.array < x.shape[1])).all():
        raise IndexError(f"hinge: every label t must be in [0, {x.shape[1]}) "
                         f"(x.shape = {x.shape}), got {np.unique(t.array).tolist()}")
    sign = call("where", onehot(t, x.shape[1]), scalar_like(x, -1), scalar_like(x, 1))
    margin = call("relu", x * sign + 1)
    loss = margin if norm == "L1" else margin * margin
    if reduce == "mean":
        return rsum(loss) / len(x)
    return loss
