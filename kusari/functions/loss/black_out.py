"""F.black_out: the BlackOut loss (a sampled softmax)."""
from __future__ import annotations

from ...variable import Variable
from .._core import call, var
from ._checks import check_reduce
from ._ops import reshape, rmean, rsum


def black_out(x, t, W, samples, reduce="mean") -> Variable:
    """-(log p(t) + sum_k log(1 - p(k))) per row, p the softmax over the
    target's and the negative samples' scores W[.] . x; reduce="mean"
    averages over rows."""
    check_reduce(reduce, ("mean", "no"))
    from ..connection.embed_id import embed_id
    from ..math.logsumexp import logsumexp
    x = var(x)
    batch = x.shape[0]
    neg_y = reshape(call("matmul", embed_id(samples, W), reshape(x, x.shape + (1,))),
                    samples.shape)                                   # (batch, k)
    pos_y = rsum(embed_id(t, W) * x, axis=1)                         # (batch,)
    logz = logsumexp(call("concat", reshape(pos_y, (batch, 1)), neg_y, axis=1), axis=1)
    ny = call("log", 1 - call("exp", neg_y - reshape(logz, (batch, 1))))
    loss = -(pos_y - logz + rsum(ny, axis=1))
    return rmean(loss) if reduce == "mean" else loss
