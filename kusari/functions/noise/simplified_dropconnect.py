"""simplified_dropconnect: a linear layer whose weights are dropped at random."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, operand, var
from ..array._util import expect
from ._random import draw


def simplified_dropconnect(x, W, b=None, ratio: float = .5, train: bool = True,
                           mask=None, use_batchwise_mask: bool = True) -> Variable:
    """y = (W * mask / (1 - ratio)) x + b per sample, x flattened to
    (n, in). The boolean mask (drawn as np.random.rand(...) >= ratio: one
    per sample of W's shape with `use_batchwise_mask`, else one) may be given;
    with train False nothing is dropped (ratio 0)."""
    if not train:
        ratio = 0
    x, W = var(x), var(W)
    label = "SimplifiedDropconnect"
    expect(label, x.dtype.kind == "f", "x.dtype.kind == f", f"{x.dtype.kind} != f")
    expect(label, W.dtype.kind == "f", "W.dtype.kind == f", f"{W.dtype.kind} != f")
    expect(label, x.ndim >= 2, "x.ndim >= 2", f"{x.ndim} < 2")
    expect(label, W.ndim == 2, "W.ndim == 2", f"{W.ndim} != 2")
    n_in = int(np.prod(x.shape[1:], dtype=np.int64))
    expect(label, W.ndim == 2 and n_in == W.shape[1], "prod(x.shape[1:]) == W.shape[1]",
           f"{n_in} != {W.shape[1] if W.ndim == 2 else W.shape}")
    if b is not None:
        b = var(b)
        expect(label, b.dtype == x.dtype, "b.dtype == x.dtype", f"{b.dtype} != {x.dtype}")
        expect(label, b.ndim == 1 and b.shape[0] == W.shape[0],
               "b.ndim == 1, b.shape[0] == W.shape[0]", f"b.shape = {b.shape}")
    if x.ndim < 2 or W.ndim != 2 or n_in != W.shape[1]:
        raise ValueError(f"simplified_dropconnect: x {x.shape} does not match W {W.shape}")
    shape = ((x.shape[0],) + W.shape) if use_batchwise_mask else W.shape
    if mask is None:
        u = draw(lambda xp: xp.random.rand(*shape), shape, like=W.array)
        keep = call("greater_equal", u, operand(ratio, u))
    else:
        keep = mask if isinstance(mask, Variable) else var(mask)
        expect(label, keep.shape == shape, f"mask.shape == {shape}", f"{keep.shape}")
        if keep.dtype != np.bool_:
            keep = call("cast", keep, dtype=np.dtype(np.bool_))
    scale = W.dtype.type(1.0 / (1.0 - ratio))
    Wm = call("mul", call("mul", W, operand(scale, W)), call("cast", keep, dtype=W.dtype))
    if not use_batchwise_mask:
        Wm = call("broadcast_to", call("reshape", Wm, shape=(1,) + W.shape),
                  shape=(x.shape[0],) + W.shape)
    dtype = np.result_type(x.dtype, W.dtype)
    x2 = call("reshape", x, shape=(x.shape[0], n_in, 1))
    if x2.dtype != dtype:
        x2 = call("cast", x2, dtype=dtype)
    if Wm.dtype != dtype:
        Wm = call("cast", Wm, dtype=dtype)
    y = call("reshape", call("matmul", Wm, x2), shape=(x.shape[0], W.shape[0]))
    if y.dtype != x.dtype:
        y = call("cast", y, dtype=x.dtype)
    if b is not None:
        y = call("add", y, b)
    return y
