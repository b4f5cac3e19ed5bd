"""Special points for convolution and deconvolution: each is linear in x for
fixed filters, so its gradient with respect to x is the adjoint applied to
gy whatever x holds (inf and NaN included), and its second derivative is
zero. The filters hold small dyadic values, so the sums are exact."""
from __future__ import annotations

import numpy as np

import kusari.functions as F
from kusari.functions._core import call
from tests.functions.special_cases import linear, points
from tests.functions.test_conv import (IM2COL, ref_conv, ref_deconv, ref_depthwise, ref_embed,
                                     ref_im2col, ref_local, ref_shift, rows_layout)


def _x(shape):
    return lambda dt: [np.resize(points(dt), shape).astype(dt)]


def _w(shape, dtype):
    return np.resize(np.array([1.0, -0.5, 2.0, 0.25, -1.0, 0.5], dtype), shape)


def _conv(fn, ref, xshape, wshape, **kw):
    def f(v):
        return fn(v, _w(wshape, v.dtype), **kw)

    def r(x):
        return ref(x, _w(wshape, np.float64), **kw)
    return linear(f, r, _x(xshape))


def _col2im_ref(c):
    out = np.zeros((2, 4, 3))
    for i in np.ndindex(*out.shape):
        e = np.zeros(out.shape)
        e[i] = 1
        out[i] = np.sum(ref_im2col(e, pval=0, **IM2COL) * c)
    return out


CASES = {
    "convolution_2d": _conv(F.convolution_2d, ref_conv, (1, 2, 4, 3), (2, 2, 2, 2), pad=1,
                            stride=(2, 1)),
    "convolution_nd": _conv(F.convolution_nd, ref_conv, (1, 2, 5), (2, 1, 2), groups=2,
                            dilate=2, cover_all=True),
    "convolution_1d": _conv(F.convolution_1d, ref_conv, (1, 2, 5), (1, 2, 3), stride=2),
    "convolution_3d": _conv(F.convolution_3d, ref_conv, (1, 1, 3, 2, 3), (2, 1, 2, 1, 2),
                            pad=(1, 0, 1)),
    "deconvolution_2d": _conv(F.deconvolution_2d, ref_deconv, (1, 2, 3, 2), (2, 2, 2, 2),
                              stride=2, pad=1),
    "deconvolution_nd": _conv(F.deconvolution_nd, ref_deconv, (1, 2, 4), (2, 1, 3), groups=2,
                              dilate=2),
    "deconvolution_1d": _conv(F.deconvolution_1d, ref_deconv, (1, 2, 4), (2, 1, 2),
                              stride=2, outsize=(9,)),
    "deconvolution_3d": _conv(F.deconvolution_3d, ref_deconv, (1, 1, 2, 2, 2),
                              (1, 2, 2, 1, 2), stride=(1, 2, 1)),
    "im2col_nd": linear(lambda v: call("im2col_nd", v, pval=0.0, **IM2COL),
                        lambda x: ref_im2col(x, pval=0, **IM2COL), _x((2, 4, 3))),
    "col2im_nd": linear(lambda v: call("col2im_nd", v, size=(4, 3), stride=(2, 1),
                                       pad=(1, 2), dilate=(1, 2)),
                        _col2im_ref, _x((2, 2, 3, 3, 2))),
}


def _ids(dt):
    return [np.array([[0, 3, 1], [3, 3, 2]], np.int32),
            np.resize(points(dt), (4, 3)).astype(dt)]


def _embed(ignore):
    def f(i, w):
        return F.embed_id(i, w, ignore_label=ignore)

    def r(i, w):
        return ref_embed(i, w, ignore)
    return linear(f, r, _ids)


CASES.update({
    "depthwise_convolution_2d": _conv(F.depthwise_convolution_2d, ref_depthwise,
                                      (1, 2, 3, 4), (2, 2, 2, 2), pad=1),
    "dilated_convolution_2d": _conv(F.dilated_convolution_2d, ref_conv, (1, 1, 5, 4),
                                    (2, 1, 2, 2), dilate=2),
    "local_convolution_2d": _conv(F.local_convolution_2d, ref_local, (1, 2, 3, 4),
                                  (2, 2, 3, 2, 2, 2)),
    "shift": linear(F.shift, ref_shift, _x((1, 9, 2, 3))),
    "embed_id": _embed(3),
})


def _col2im_rows_ref(c):
    out = np.zeros((2, 3, 4, 3))
    for i in np.ndindex(*out.shape):
        e = np.zeros(out.shape)
        e[i] = 1
        out[i] = np.sum(rows_layout(ref_im2col(e, pval=0, **IM2COL)) * c)
    return out


CASES.update({
    "im2col_nd_rows": linear(lambda v: call("im2col_nd_rows", v, pval=0.0, **IM2COL),
                             lambda x: rows_layout(ref_im2col(x, pval=0, **IM2COL)),
                             _x((2, 3, 4, 3))),
    "col2im_nd_rows": linear(lambda v: call("col2im_nd_rows", v, size=(4, 3), stride=(2, 1),
                                            pad=(1, 2), dilate=(1, 2)),
                             _col2im_rows_ref, _x((2, 3, 2, 2, 3, 3))),
})


def _deformable(v):
    zero = np.zeros((1, 8, 2, 3), v.dtype)               # taps on pixels: a convolution
    return F.deformable_convolution_2d_sampler(v, zero, _w((2, 2, 2, 2), v.dtype))


CASES["deformable_convolution_2d_sampler"] = linear(
    _deformable, lambda x: ref_conv(x, _w((2, 2, 2, 2), np.float64)), _x((1, 2, 3, 4)))
