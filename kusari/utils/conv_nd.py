"""Chainer's chainer.utils.conv_nd: N-dimensional im2col and col2im (see
kusari.utils.conv)."""
from __future__ import annotations

from ..compiler.ops import conv as _ops
from .conv import get_conv_outsize


def as_tuple(x, n):
    """x as a tuple of n items: a sequence of length n, or x repeated n times."""
    if hasattr(x, '__getitem__'):
        assert len(x) == n
        return tuple(x)
    return (x,) * n


def im2col_nd_cpu(img, ksize, stride, pad, pval=0, cover_all=False, dilate=1):
    """Patches of img (n, c, d_1, ..., d_N) as (n, c, k_1, ..., k_N, out_1, ..., out_N)."""
    dims = img.shape[2:]
    ndim = len(dims)
    dilate = as_tuple(dilate, ndim)
    assert ndim == len(ksize) == len(stride) == len(pad)
    outs = tuple(get_conv_outsize(d, k, s, p, cover_all, di)
                 for d, k, s, p, di in zip(dims, ksize, stride, pad, dilate))
    assert all(out > 0 for out in outs), 'Output sizes should be positive.'
    return _ops.im2col(img, tuple(ksize), tuple(stride), tuple(pad), dilate, outs, pval)


def im2col_nd_gpu(img, ksize, stride, pad, cover_all=False, dilate=1):
    return im2col_nd_cpu(img, ksize, stride, pad, cover_all=cover_all, dilate=dilate)


def im2col_nd(img, ksize, stride, pad, cover_all=False, dilate=1):
    return im2col_nd_cpu(img, ksize, stride, pad, cover_all=cover_all, dilate=dilate)


def col2im_nd_cpu(col, stride, pad, dims, dilate=1):
    """The adjoint of im2col_nd: col summed back into (n, c, *dims)."""
    ndim = len(dims)
    dilate = as_tuple(dilate, ndim)
    # col is (n, c, k_1..k_N, out_1..out_N): its rank gives N too
    assert col.ndim % 2 == 0 and (col.ndim - 2) // 2 == ndim
    assert len(stride) == len(pad) == ndim
    return _ops.col2im(col, tuple(stride), tuple(pad), dilate, tuple(dims))


def col2im_nd_gpu(col, stride, pad, dims, dilate=1):
    return col2im_nd_cpu(col, stride, pad, dims, dilate)


def col2im_nd(col, stride, pad, dims, dilate=1):
    return col2im_nd_cpu(col, stride, pad, dims, dilate)
