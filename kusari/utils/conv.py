"""Chainer's chainer.utils.conv: output sizes of (de)convolutions and the
patch extraction (im2col) and its adjoint (col2im) on 2-d images.

The arrays are computed by the NumPy forms of the registry ops im2col_nd and
col2im_nd (kusari.compiler.ops.conv), the ones convolution itself runs on.
The *_gpu names take the same arrays (CuPy support comes behind them).
"""
from __future__ import annotations

from ..compiler.ops import conv as _ops


def get_conv_outsize(size, k, s, p, cover_all=False, d=1):
    """The output size of a convolution along one axis: the input size,
    kernel size, stride, padding, cover_all and dilation (Chainer's rule)."""
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def get_deconv_outsize(size, k, s, p, cover_all=False, d=1):
    """The output size of a deconvolution along one axis (Chainer's rule)."""
    dk = (k - 1) * d + 1
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p


def im2col_cpu(img, kh, kw, sy, sx, ph, pw, pval=0, cover_all=False, dy=1, dx=1,
               out_h=None, out_w=None):
    """Patches of img (n, c, h, w) as col (n, c, kh, kw, out_h, out_w)."""
    n, c, h, w = img.shape
    if out_h is None:
        out_h = get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    assert out_h > 0, 'Height in the output should be positive.'
    if out_w is None:
        out_w = get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    assert out_w > 0, 'Width in the output should be positive.'
    return _ops.im2col(img, (kh, kw), (sy, sx), (ph, pw), (dy, dx), (out_h, out_w), pval)


def im2col_gpu(img, kh, kw, sy, sx, ph, pw, cover_all=False, dy=1, dx=1,
               out_h=None, out_w=None):
    return im2col_cpu(img, kh, kw, sy, sx, ph, pw, cover_all=cover_all, dy=dy, dx=dx,
                      out_h=out_h, out_w=out_w)


def im2col(img, kh, kw, sy, sx, ph, pw, cover_all=False, dy=1, dx=1, out_h=None,
           out_w=None):
    return im2col_cpu(img, kh, kw, sy, sx, ph, pw, cover_all=cover_all, dy=dy, dx=dx,
                      out_h=out_h, out_w=out_w)


def col2im_cpu(col, sy, sx, ph, pw, h, w, dy=1, dx=1):
    """The adjoint of im2col: col (n, c, kh, kw, out_h, out_w) summed back
    into an image (n, c, h, w)."""
    return _ops.col2im(col, (sy, sx), (ph, pw), (dy, dx), (h, w))


def col2im_gpu(col, sy, sx, ph, pw, h, w, dy=1, dx=1):
    return col2im_cpu(col, sy, sx, ph, pw, h, w, dy, dx)


def col2im(col, sy, sx, ph, pw, h, w, dy=1, dx=1):
    return col2im_cpu(col, sy, sx, ph, pw, h, w, dy, dx)
