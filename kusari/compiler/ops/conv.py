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


def im2col(x, ksize, stride, pad, dilate, outsize, pval):
    nd = len(ksize)
    lead, size = x.shape[:x.ndim - nd], x.shape[x.ndim - nd:]
    hi = _hi_pad(size, ksize, stride, pad, dilate, outsize)
    if any(pad) or any(hi):
        padded = np.full(lead + tuple(n + p + h for n, p, h in zip(size, pad, hi)),
                         pval, x.dtype)
        padded[(Ellipsis,) + tuple(slice(p, p + n) for p, n in zip(pad, size))] = x
        x = padded
    sp = x.strides[x.ndim - nd:]
    view = np.lib.stride_tricks.as_strided(
        x, lead + tuple(ksize) + tuple(outsize),
        x.strides[:x.ndim - nd] + tuple(t * d for t, d in zip(sp, dilate)) +
        tuple(t * s for t, s in zip(sp, stride)), writeable=False)
    return np.ascontiguousarray(view)


def col2im(col, stride, pad, dilate, size):
    nd = len(size)
    ksize = col.shape[col.ndim - 2 * nd:col.ndim - nd]
    outsize = col.shape[col.ndim - nd:]
    lead = col.shape[:col.ndim - 2 * nd]
    hi = _hi_pad(size, ksize, stride, pad, dilate, outsize)
    img = np.zeros(lead + tuple(n + p + h for n, p, h in zip(size, pad, hi)), col.dtype)
    for ks in itertools.product(*(range(k) for k in ksize)):
        where = tuple(slice(k * d, k * d + s * (o - 1) + 1, s)
                      for k, d, s, o in zip(ks, dilate, stride, outsize))
        img[(Ellipsis,) + where] += col[(Ellipsis,) + ks + (slice(None),) * nd]
    if any(pad) or any(hi):
        img = img[(Ellipsis,) + tuple(slice(p, p + n) for p, n in zip(pad, size))]
    return img


def _check_geometry(nd, ksize, stride, pad, dilate):
    for name, vals, least in (("ksize", ksize, 1), ("stride", stride, 1),
                              ("pad", pad, 0), ("dilate", dilate, 1)):
        if len(vals) != nd or any(v < least for v in vals):
            raise InvalidType(f"len({name}) == {nd} and {name} >= {least}", f"{name} = {vals}")


def _im2col_infer(attrs, x):
    ksize, outsize = attrs["ksize"], attrs["outsize"]
    nd = len(ksize)
    _check_geometry(nd, ksize, attrs["stride"], attrs["pad"], attrs["dilate"])
    if x.ndim < nd:
        raise InvalidType(f"x.ndim >= {nd}", f"x.ndim = {x.ndim}")
    if len(outsize) != nd or any(o <= 0 for o in outsize):
        raise InvalidType("output size > 0", f"outsize = {tuple(outsize)}")
    return x.shape[:x.ndim - nd] + tuple(ksize) + tuple(outsize), x.dtype


def _im2col_grad(gcol, col, x, ksize, stride, pad, dilate, outsize, pval):
    size = x.shape[x.ndim - len(ksize):]
    return (S.apply("col2im_nd", gcol, stride=stride, pad=pad, dilate=dilate, size=size),)


register(OpDef("im2col_nd", LIBRARY, _im2col_infer, impl=im2col, grad=_im2col_grad,
               label="Im2Col", attr_names=("ksize", "stride", "pad", "dilate", "outsize",
                                           "pval")))


def _col2im_infer(attrs, col):
    size = attrs["size"]
    nd = len(size)
    if col.ndim < 2 * nd:
        raise InvalidType(f"col.ndim >= {2 * nd}", f"col.ndim = {col.ndim}")
    ksize = col.shape[col.ndim - 2 * nd:col.ndim - nd]
    _check_geometry(nd, ksize, attrs["stride"], attrs["pad"], attrs["dilate"])
    if any(n < 0 for n in size):
        raise InvalidType("output size >= 0", f"size = {tuple(size)}")
    return col.shape[:col.ndim - 2 * nd] + tuple(size), col.dtype


def _col2im_grad(gx, x, col, stride, pad, dilate, size):
    nd = len(size)
    ksize = col.shape[col.ndim - 2 * nd:col.ndim - nd]
    outsize = col.shape[col.ndim - nd:]
    return (S.apply("im2col_nd", gx, ksize=ksize, stride=stride, pad=pad, dilate=dilate,
                    outsize=outsize, pval=0.0),)


register(OpDef("col2im_nd", LIBRARY, _col2im_infer, impl=col2im, grad=_col2im_grad,
               label="Col2Im", attr_names=("stride", "pad", "dilate", "size")))
