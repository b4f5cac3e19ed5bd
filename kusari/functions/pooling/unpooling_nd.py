"""Unpooling (1-d, 3-d, N-d): each element of x copied over its window of the
output (overlaps add up), col2im_nd of x repeated over the kernel axes; the
gradient sums each window of gy (im2col_nd)."""
from __future__ import annotations

__all__ = ["unpooling_nd", "unpooling_1d", "unpooling_3d"]

from .._core import Variable, call
from .pooling_nd import as_tuple, check, conv_outsize, deconv_outsize, fixed_ndim, geometry


def unpool(label: str, x, nd: int, ksize, stride, pad, outsize, cover_all) -> Variable:
    x, ksize, stride, pad = geometry(label, x, nd, ksize, stride, pad)
    dims = x.shape[2:]
    if outsize is None:
        outsize = tuple(deconv_outsize(d, k, s, p, cover_all)
                        for d, k, s, p in zip(dims, ksize, stride, pad))
    else:
        outsize = as_tuple(outsize, nd, "outsize")
        want = tuple(conv_outsize(o, k, s, p, cover_all)
                     for o, k, s, p in zip(outsize, ksize, stride, pad))
        check(label, dims == want, f"x.shape[2:] == {want}", f"{dims} != {want}")
    if any(o < 0 for o in outsize):
        raise ValueError(f"{label}: the output size should not be negative, but it is "
                         f"{outsize}")
    n, c = x.shape[:2]
    col = call("reshape", x, shape=(n, c) + (1,) * nd + dims)
    col = call("broadcast_to", col, shape=(n, c) + ksize + dims)
    return call("col2im_nd", col, stride=stride, pad=pad, dilate=(1,) * nd, size=outsize)


def unpooling_nd(x, ksize, stride=None, pad=0, outsize=None, cover_all: bool = True
                 ) -> Variable:
    """The inverse of pooling's windows: each element of x (n, c, d_1, ..., d_N)
    copied to its (k_1, ..., k_N) window of the output, windows `stride`
    apart (default: ksize); where windows overlap the copies add up."""
    nd = len(x.shape[2:])
    return unpool("UnpoolingND", x, nd, ksize, stride, pad, outsize, cover_all)


def unpooling_1d(x, ksize, stride=None, pad=0, outsize=None, cover_all: bool = True
                 ) -> Variable:
    """1-dimensional unpooling (see unpooling_nd)."""
    fixed_ndim(1, x)
    return unpooling_nd(x, ksize, stride, pad, outsize, cover_all)


def unpooling_3d(x, ksize, stride=None, pad=0, outsize=None, cover_all: bool = True
                 ) -> Variable:
    """3-dimensional unpooling (see unpooling_nd)."""
    fixed_ndim(3, x)
    return unpooling_nd(x, ksize, stride, pad, outsize, cover_all)
