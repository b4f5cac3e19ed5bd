"""F.negative_sampling: the negative sampling loss (word2vec's)."""
from __future__ import annotations

import numpy as np

from ...backends import cuda
from ...variable import Variable
from .._core import call, scalar_like, sent, var
from ._checks import expect, float_kind, ndim_is
from ._ops import cast, reshape, rsum


def negative_sampling(x, t, W, sampler, sample_size, reduce="sum", **kwargs):
    """For each row x_i: softplus(-x_i . W[t_i]) + sum over sample_size
    words k drawn by `sampler` of softplus(x_i . W[k]); rows labelled -1
    count for nothing. reduce="sum" sums over rows. With return_samples=True
    also returns the (rows, sample_size + 1) words used (column 0 is t)."""
    return_samples = kwargs.pop("return_samples", False)
    if kwargs:
        names = ", ".join(repr(k) for k in sorted(kwargs))
        raise TypeError(f"negative_sampling() got unexpected keyword argument(s) {names}")
    if reduce not in ("sum", "no"):
        raise ValueError("only 'sum' and 'no' are valid for 'reduce', but "
                         f"'{reduce}' is given")
    x, t, W = var(x), var(t), var(W)
    expect("NegativeSamplingFunction", float_kind(x, "x"), ndim_is(x, 2, "x"),
           (t.dtype == np.int32, "t.dtype == int32", f"{t.dtype} != int32"),
           ndim_is(t, 1, "t"),
           (x.shape[0] == t.shape[0], "x.shape[0] == t.shape[0]",
            f"{x.shape[0]} != {t.shape[0]}"),
           (W.dtype == x.dtype, "W.dtype == x.dtype", f"{W.dtype} != {x.dtype}"),
           ndim_is(W, 2, "W"))
    n = t.shape[0]
    xp = cuda.get_array_module(t.array)           # (the samples are made where t is)
    with cuda.get_device_from_array(t.array):
        samples = xp.array(sampler((n, sample_size + 1)), copy=True)
    samples[:, 0] = t.array
    dtype = x.dtype
    if dtype == np.float16:               # Chainer computes half precision in float32
        x, W = cast(x, np.float32), cast(W, np.float32)
    from ..array import get_item
    w = get_item(W, samples)                                        # (n, k + 1, d)
    wx = rsum(w * reshape(x, (n, 1, x.shape[1])), axis=2)          # (n, k + 1)
    sign = np.ones(sample_size + 1, x.dtype)
    sign[0] = -1
    loss = rsum(call("softplus", wx * var(sent(sign, x))), axis=1)
    valid = call("not_equal", t, scalar_like(t, -1))
    loss = call("where", valid, loss, scalar_like(loss, 0))
    if reduce == "sum":
        loss = rsum(loss)
    loss = cast(loss, dtype)
    return (loss, samples) if return_samples else loss
