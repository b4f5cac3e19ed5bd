"""Patches: im2col and col2im, each the other's gradient (N-d, any stride,
padding, dilation).

Convolution, deconvolution and pooling are built on these two: a
convolution is im2col followed by a matmul with the filters, a
deconvolution a matmul followed by col2im, pooling a reduction over the
kernel axes of im2col's result. Their gradients therefore come out as
registry ops (the gradient of a convolution is a deconvolution and vice
versa), differentiate to any order and fuse with what surrounds them.

Layout, for `nd` spatial axes over any leading axes (N, C)::

    x    lead + size                 (the image)
    col  lead + ksize + outsize      (col[..., k, o] = xpad[..., o * stride + k * dilate])

where xpad is x padded by `pad` before each spatial axis (with `pval`) and
by as much as the windows need after it. col2im adds each patch back into
an image of spatial `size` (what falls in the padding is dropped).

im2col_nd_rows and col2im_nd_rows are the same pair laid out for
convolution's matmuls, one row per output position::

    x    (N, C) + size
    col  (N,) + outsize + ksize + (C,)

so that col is one matrix (N out..., k... C): a convolution is one matmul
with the filters (not N small ones, each paying BLAS's start-up), its output
(N out..., C_out) is the next image in channel-last memory (viewed as
(N, C_out, out...)), whose patches gather C-contiguous rows again; and the
filter gradient col^T gy has the shape BLAS threads best ((k C) x C_out, not
C_out x (k C) over a long inner dimension, which multi-threaded OpenBLAS
handles far slower). col2im_nd_rows adds into a channel-last image.
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import LIBRARY, OpDef, register


def span(k: int, d: int) -> int:
    """The extent of a kernel of size k dilated by d."""
    return (k - 1) * d + 1


def _hi_pad(size, ksize, stride, pad, dilate, outsize) -> tuple:
    """The padding after each spatial axis that the last window needs."""
    return tuple(max(0, (o - 1) * s + span(k, d) - (n + p))
                 for n, k, s, p, d, o in zip(size, ksize, stride, pad, dilate, outsize))


def _patches(x, ksize, stride, pad, dilate, outsize, pval, rows: bool):
    nd = len(ksize)
    lead, size = x.shape[:x.ndim - nd], x.shape[x.ndim - nd:]
    hi = _hi_pad(size, ksize, stride, pad, dilate, outsize)
    if any(pad) or any(hi):
        full = tuple(n + p + h for n, p, h in zip(size, pad, hi))
        if rows:    # pad in channel-last memory, the order rows gather in
            padded = np.moveaxis(np.full(lead[:1] + full + lead[1:], pval, x.dtype), -1, 1)
        else:
            padded = np.full(lead + full, pval, x.dtype)
        padded[(Ellipsis,) + tuple(slice(p, p + n) for p, n in zip(pad, size))] = x
        x = padded
    sp = x.strides[x.ndim - nd:]
    kstrides = tuple(t * d for t, d in zip(sp, dilate))
    ostrides = tuple(t * s for t, s in zip(sp, stride))
    if rows:    # (N, o..., k..., C) of x (N, C, ...)
        shape = (lead[0],) + tuple(outsize) + tuple(ksize) + (lead[1],)
        strides = (x.strides[0],) + ostrides + kstrides + (x.strides[1],)
    else:
        shape = lead + tuple(ksize) + tuple(outsize)
        strides = x.strides[:x.ndim - nd] + kstrides + ostrides
    view = np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    return np.ascontiguousarray(view)


def im2col(x, ksize, stride, pad, dilate, outsize, pval):
    return _patches(x, ksize, stride, pad, dilate, outsize, pval, False)


def im2col_rows(x, ksize, stride, pad, dilate, outsize, pval):
    return _patches(x, ksize, stride, pad, dilate, outsize, pval, True)


def _unpatch(col, stride, pad, dilate, size, rows: bool):
    nd = len(size)
    lead, ksize, outsize = _col_sizes(col, nd, rows)
    hi = _hi_pad(size, ksize, stride, pad, dilate, outsize)
    full = tuple(n + p + h for n, p, h in zip(size, pad, hi))
    if rows:    # add into a channel-last image (N, size..., C)
        img = np.zeros(lead[:1] + full + lead[1:], col.dtype)
    else:
        img = np.zeros(lead + full, col.dtype)
    for ks in itertools.product(*(range(k) for k in ksize)):
        where = tuple(slice(k * d, k * d + s * (o - 1) + 1, s)
                      for k, d, s, o in zip(ks, dilate, stride, outsize))
        if rows:
            img[(slice(None),) + where] += col[(slice(None),) * (1 + nd) + ks]
        else:
            img[(Ellipsis,) + where] += col[(Ellipsis,) + ks + (slice(None),) * nd]
    if rows:
        img = np.moveaxis(img, -1, 1)
    if any(pad) or any(hi):
        img = img[(Ellipsis,) + tuple(slice(p, p + n) for p, n in zip(pad, size))]
    return img


def col2im(col, stride, pad, dilate, size):
    return _unpatch(col, stride, pad, dilate, size, False)


def col2im_rows(col, stride, pad, dilate, size):
    return _unpatch(col, stride, pad, dilate, size, True)


def _check_geometry(nd, ksize, stride, pad, dilate):
    for name, vals, least in (("ksize", ksize, 1), ("stride", stride, 1),
                              ("pad", pad, 0), ("dilate", dilate, 1)):
        if len(vals) != nd or any(v < least for v in vals):
            raise InvalidType(f"len({name}) == {nd} and {name} >= {least}", f"{name} = {vals}")


def _im2col_infer_as(rows: bool):
    def infer(attrs, x):
        ksize, outsize = attrs["ksize"], attrs["outsize"]
        nd = len(ksize)
        _check_geometry(nd, ksize, attrs["stride"], attrs["pad"], attrs["dilate"])
        if x.ndim < nd or (rows and x.ndim != nd + 2):
            raise InvalidType(f"x.ndim {'==' if rows else '>='} {nd + 2 if rows else nd}",
                              f"x.ndim = {x.ndim}")
        if len(outsize) != nd or any(o <= 0 for o in outsize):
            raise InvalidType("output size > 0", f"outsize = {tuple(outsize)}")
        if rows:
            return (x.shape[0],) + tuple(outsize) + tuple(ksize) + (x.shape[1],), x.dtype
        return x.shape[:x.ndim - nd] + tuple(ksize) + tuple(outsize), x.dtype
    return infer


def _im2col_grad_as(adjoint: str):
    def grad(gcol, col, x, ksize, stride, pad, dilate, outsize, pval):
        size = x.shape[x.ndim - len(ksize):]
        return (S.apply(adjoint, gcol, stride=stride, pad=pad, dilate=dilate, size=size),)
    return grad


IM2COL_ATTRS = ("ksize", "stride", "pad", "dilate", "outsize", "pval")
register(OpDef("im2col_nd", LIBRARY, _im2col_infer_as(False), impl=im2col,
               grad=_im2col_grad_as("col2im_nd"), label="Im2Col", attr_names=IM2COL_ATTRS))
register(OpDef("im2col_nd_rows", LIBRARY, _im2col_infer_as(True), impl=im2col_rows,
               grad=_im2col_grad_as("col2im_nd_rows"), label="Im2Col",
               attr_names=IM2COL_ATTRS))


def _col_sizes(col, nd: int, rows: bool):
    """(lead, ksize, outsize) of a col with nd spatial axes; lead is (N, C)
    for rows."""
    if rows:
        return ((col.shape[0], col.shape[-1]), col.shape[1 + nd:1 + 2 * nd],
                col.shape[1:1 + nd])
    return (col.shape[:col.ndim - 2 * nd], col.shape[col.ndim - 2 * nd:col.ndim - nd],
            col.shape[col.ndim - nd:])


def _col2im_infer_as(rows: bool):
    def infer(attrs, col):
        size = attrs["size"]
        nd = len(size)
        if col.ndim < 2 * nd or (rows and col.ndim != 2 * nd + 2):
            want = 2 * nd + 2 if rows else 2 * nd
            raise InvalidType(f"col.ndim {'==' if rows else '>='} {want}", f"col.ndim = {col.ndim}")
        lead, ksize, _ = _col_sizes(col, nd, rows)
        _check_geometry(nd, ksize, attrs["stride"], attrs["pad"], attrs["dilate"])
        if any(n < 0 for n in size):
            raise InvalidType("output size >= 0", f"size = {tuple(size)}")
        return tuple(lead) + tuple(size), col.dtype
    return infer


def _col2im_grad_as(adjoint: str, rows: bool):
    def grad(gx, x, col, stride, pad, dilate, size):
        _, ksize, outsize = _col_sizes(col, len(size), rows)
        return (S.apply(adjoint, gx, ksize=tuple(ksize), stride=stride, pad=pad,
                        dilate=dilate, outsize=tuple(outsize), pval=0.0),)
    return grad


COL2IM_ATTRS = ("stride", "pad", "dilate", "size")
register(OpDef("col2im_nd", LIBRARY, _col2im_infer_as(False), impl=col2im,
               grad=_col2im_grad_as("im2col_nd", False), label="Col2Im",
               attr_names=COL2IM_ATTRS))
register(OpDef("col2im_nd_rows", LIBRARY, _col2im_infer_as(True), impl=col2im_rows,
               grad=_col2im_grad_as("im2col_nd_rows", True), label="Col2Im",
               attr_names=COL2IM_ATTRS))
