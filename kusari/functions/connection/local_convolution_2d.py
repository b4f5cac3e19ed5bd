"""Locally-connected convolution: a filter of its own at every output position."""
from __future__ import annotations

__all__ = ["local_convolution_2d"]

from .._core import Variable, call, var
from .convolution_nd import FunctionNodeAdapter, as_tuple, check, compute_dtype, patches

LABEL = "LocalConvolution2DFunction"


def local_convolution_2d(x, W, b=None, stride=1) -> Variable:
    """x is (n, c_I, h, w), W is (c_O, h_O, w_O, c_I, k_H, k_W), b is
    (c_O, h_O, w_O); y[n, o, i, j] = sum over (c, ky, kx) of
    W[o, i, j, c, ky, kx] x[n, c, i s_Y + ky, j s_X + kx] + b[o, i, j]."""
    x, W = var(x), var(W)
    b = None if b is None else var(b)
    check(LABEL, x.dtype.kind == "f", "x.dtype.kind == f", f"{x.dtype.kind} != f")
    check(LABEL, W.dtype.kind == "f", "W.dtype.kind == f", f"{W.dtype.kind} != f")
    check(LABEL, x.ndim == 4, "x.ndim == 4", f"{x.ndim} != 4")
    check(LABEL, W.ndim == 6, "W.ndim == 6", f"{W.ndim} != 6")
    check(LABEL, x.shape[1] == W.shape[3], "x.shape[1] == W.shape[3]",
          f"{x.shape[1]} != {W.shape[3]}")
    if b is not None:
        check(LABEL, b.dtype == x.dtype, "b.dtype == x.dtype", f"{b.dtype} != {x.dtype}")
        check(LABEL, b.ndim == 3, "b.ndim == 3", f"{b.ndim} != 3")
        check(LABEL, b.shape == W.shape[:3], "b.shape == W.shape[:3]",
              f"{b.shape} != {W.shape[:3]}")
    stride = as_tuple(stride, 2, "stride")
    oc, oh, ow, c, kh, kw = W.shape
    n, _, h, w = x.shape
    check(LABEL, (oh - 1) * stride[0] + kh <= h and (ow - 1) * stride[1] + kw <= w,
          "the windows of W.shape[1:3] lie in x",
          f"x.shape = {x.shape}, W.shape = {W.shape}, stride = {stride}")
    dtype = x.dtype
    x, W = compute_dtype(x, W)
    col = patches(x, (kh, kw), stride, (0, 0), (1, 1), (oh, ow))   # (n, c, kh, kw, oh, ow)
    ck, o = c * kh * kw, oh * ow
    col = call("transpose", call("reshape", col, shape=(n, ck, o)), axes=(2, 0, 1))
    w3 = call("transpose", call("reshape", W, shape=(oc, o, ck)), axes=(1, 2, 0))
    y = call("matmul", col, w3)                                     # (o, n, oc)
    y = call("reshape", call("transpose", y, axes=(1, 2, 0)), shape=(n, oc, oh, ow))
    if y.dtype != dtype:
        y = call("cast", y, dtype=dtype)
    if b is not None:
        y = call("add", y, call("reshape", b, shape=(1, oc, oh, ow)))
    return y


class LocalConvolution2DFunction(FunctionNodeAdapter):
    label = LABEL

    def __init__(self, stride=1):
        self.stride = stride

    def forward_function(self, x, W, b=None):
        return local_convolution_2d(x, W, b, self.stride)
