"""N-dimensional deconvolution (transposed convolution): a matmul with the
filters, then col2im. Its gradient with respect to x is a convolution."""
from __future__ import annotations

__all__ = ["deconvolution_nd", "deconvolution_1d", "deconvolution_3d"]

from ...utils import size_of_shape
from .._core import Variable, call, var
from .convolution_nd import (FunctionNodeAdapter, add_bias, as_tuple, check, check_operands,
                             compute_dtype, conv_outsize, deconv_outsize, fixed_rank)


def deconvolve(x: Variable, W: Variable, stride, pad, outsize, dilate, groups) -> Variable:
    """x (N, C, d...) with W (C, out / groups, k...) to (N, out, outsize...), no bias."""
    nd = x.ndim - 2
    n, c = x.shape[:2]
    ocg, ksize = W.shape[1], W.shape[2:]
    oc = ocg * groups
    d, kk = size_of_shape(x.shape[2:]), size_of_shape(ksize)
    if groups == 1:
        # x as rows (N d..., C) times the filters (C, k... C_out): the patches as
        # rows (N d..., k... C_out), added into a channel-last output
        xr = call("transpose", x, axes=(0,) + tuple(range(2, nd + 2)) + (1,))
        wr = call("transpose", W, axes=(0,) + tuple(range(2, nd + 2)) + (1,))
        col = call("matmul", call("reshape", xr, shape=(n * d, c)),
                   call("reshape", wr, shape=(c, kk * oc)))
        col = call("reshape", col, shape=(n,) + tuple(x.shape[2:]) + tuple(ksize) + (oc,))
        return call("col2im_nd_rows", col, stride=tuple(stride), pad=tuple(pad),
                    dilate=tuple(dilate), size=tuple(outsize))
    cg = c // groups
    w3 = call("transpose", call("reshape", W, shape=(groups, cg, ocg * kk)), axes=(0, 2, 1))
    col = call("matmul", w3, call("reshape", x, shape=(n, groups, cg, d)))
    col = call("reshape", col, shape=(n, oc) + tuple(ksize) + tuple(x.shape[2:]))
    return call("col2im_nd", col, stride=tuple(stride), pad=tuple(pad), dilate=tuple(dilate),
                size=tuple(outsize))


def deconvolution(x, W, b, stride, pad, outsize, dilate, groups, nd: int, label: str,
                  bias_dtype_of_x: bool = False) -> Variable:
    """Chainer's deconvolution over nd axes (`bias_dtype_of_x`: b must have x's
    dtype, and a size that is not positive is a RuntimeError: the 2-d rules)."""
    x, W = var(x), var(W)
    b = None if b is None else var(b)
    check_operands(label, x, W, b, nd)
    if b is not None and bias_dtype_of_x:
        check(label, b.dtype == x.dtype, "b.dtype == x.dtype", f"{b.dtype} != {x.dtype}")
    groups = int(groups)
    stride = as_tuple(stride, nd, "stride")
    pad = as_tuple(pad, nd, "pad")
    dilate = as_tuple(dilate, nd, "dilate")
    if any(d < 1 for d in dilate):
        raise ValueError(f"Dilate should be positive, but {dilate} is supplied.")
    if any(s < 1 for s in stride):
        raise ValueError(f"stride should be positive, but {stride} is supplied.")
    if groups < 1:
        raise ValueError(f"groups should be positive, but {groups} is supplied.")
    check(label, x.shape[1] == W.shape[0], "x.shape[1] == W.shape[0]",
          f"{x.shape[1]} != {W.shape[0]}")
    if groups > 1 and x.shape[1] % groups:
        raise TypeError("The number of groups must be a divisor of that of input channels")
    ksize = W.shape[2:]
    if outsize is None:
        outsize = tuple(deconv_outsize(s, k, st, p, d=di)
                        for s, k, st, p, di in zip(x.shape[2:], ksize, stride, pad, dilate))
        if any(o <= 0 for o in outsize):
            message = f"{label}: Output sizes should be positive, but they are {outsize}"
            # (Chainer: a RuntimeError in 2-d, an assertion in N-d)
            raise RuntimeError(message) if bias_dtype_of_x else AssertionError(message)
    else:
        outsize = as_tuple(outsize, nd, "outsize")
        for i, (o, k, s, p, di) in enumerate(zip(outsize, ksize, stride, pad, dilate)):
            lo = conv_outsize(o, k, s, p, d=di)
            hi = conv_outsize(o, k, s, p, cover_all=True, d=di)
            check(label, lo <= x.shape[i + 2] <= hi,
                  f"{lo} <= x.shape[{i + 2}] <= {hi} (the outsize {o} fits)",
                  f"x.shape[{i + 2}] = {x.shape[i + 2]}")
    if b is not None:
        check(label, b.shape[0] == W.shape[1] * groups, "b.shape[0] == W.shape[1] * groups",
              f"{b.shape[0]} != {W.shape[1] * groups}")
    dtype = x.dtype
    xc, Wc = compute_dtype(x, W)
    y = deconvolve(xc, Wc, stride, pad, outsize, dilate, groups)
    return add_bias(y, b, nd, dtype)


def deconvolution_nd(x, W, b=None, stride=1, pad=0, outsize=None, dilate=1,
                     groups: int = 1) -> Variable:
    """N-dimensional deconvolution (Chainer's F.deconvolution_nd): x is
    (n, c_I, d_1, ..., d_N), W is (c_I, c_O / groups, k_1, ..., k_N), b is (c_O,);
    the output size defaults to s (d - 1) + (k - 1) dilate + 1 - 2 p per axis."""
    nd = len(x.shape[2:])
    return deconvolution(x, W, b, stride, pad, outsize, dilate, groups, nd,
                         "DeconvolutionND")


deconvolution_1d = fixed_rank(deconvolution_nd, 1, "deconvolution_1d", "deconvolution")
deconvolution_3d = fixed_rank(deconvolution_nd, 3, "deconvolution_3d", "deconvolution")


class DeconvolutionND(FunctionNodeAdapter):
    label = "DeconvolutionND"

    def __init__(self, ndim, stride=1, pad=0, outsize=None, dilate=1, groups=1):
        self.ndim = ndim
        self.stride = as_tuple(stride, ndim, "stride")
        self.pad = as_tuple(pad, ndim, "pad")
        if outsize is not None:
            assert len(outsize) == ndim
        self.outs = outsize
        self.dilate = as_tuple(dilate, ndim, "dilate")
        self.groups = groups

    def forward_function(self, x, W, b=None):
        return deconvolution(x, W, b, self.stride, self.pad, self.outs, self.dilate,
                             self.groups, self.ndim, self.label)
