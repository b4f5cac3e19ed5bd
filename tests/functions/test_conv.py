"""Convolution and deconvolution (1-d, 2-d, 3-d, N-d; stride, pad, cover_all,
dilate, groups, outsize) and their two ops, im2col_nd and col2im_nd: forward
against direct NumPy loops (no im2col), first and second derivatives against
finite differences in float16/32/64, mixed dtypes and Chainer's errors."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from kusari.functions._core import call
from tests.helpers import check_all, check_forward

DTYPES = [np.float16, np.float32, np.float64]

COVERS = {
    "convolution_2d": "test_convolution_2d",
    "deconvolution_2d": "test_deconvolution_2d",
    "im2col_nd": "test_im2col_nd_and_col2im_nd",
    "im2col_nd_rows": "test_im2col_nd_rows_and_col2im_nd_rows",
    "col2im_nd_rows": "test_im2col_nd_rows_and_col2im_nd_rows",
    "depthwise_convolution_2d": "test_depthwise_dilated_and_local_convolution",
    "dilated_convolution_2d": "test_depthwise_dilated_and_local_convolution",
    "local_convolution_2d": "test_depthwise_dilated_and_local_convolution",
    "shift": "test_shift",
    "embed_id": "test_embed_id",
    "deformable_convolution_2d_sampler": "test_deformable_convolution_2d_sampler",
    "col2im_nd": "test_im2col_nd_and_col2im_nd",
}


def tup(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


# -- references: direct loops over output (or input) positions --------------------------

def ref_conv(x, W, b=None, stride=1, pad=0, cover_all=False, dilate=1, groups=1):
    nd = x.ndim - 2
    stride, pad, dilate = tup(stride, nd), tup(pad, nd), tup(dilate, nd)
    n, c = x.shape[:2]
    oc, ks = W.shape[0], W.shape[2:]
    outs = []
    for size, k, s, p, d in zip(x.shape[2:], ks, stride, pad, dilate):
        extent = size + 2 * p - (k - 1) * d - 1 + (s - 1 if cover_all else 0)
        outs.append(extent // s + 1)
    xp = np.zeros((n, c) + tuple(sz + 2 * p + s * k * d for sz, p, s, k, d in
                                 zip(x.shape[2:], pad, stride, ks, dilate)))
    xp[(slice(None), slice(None)) + tuple(slice(p, p + sz) for p, sz in
                                          zip(pad, x.shape[2:]))] = x
    cg, ocg = c // groups, oc // groups
    y = np.zeros((n, oc) + tuple(outs))
    W64 = W.astype(np.float64)
    for o in np.ndindex(*outs):
        for kk in np.ndindex(*ks):
            pos = tuple(oi * s + ki * d for oi, ki, s, d in zip(o, kk, stride, dilate))
            patch = xp[(slice(None), slice(None)) + pos]
            for g in range(groups):
                w = W64[(slice(g * ocg, (g + 1) * ocg), slice(None)) + kk]
                y[(slice(None), slice(g * ocg, (g + 1) * ocg)) + o] += \
                    patch[:, g * cg:(g + 1) * cg] @ w.T
    if b is not None:
        y += b.reshape((1, oc) + (1,) * nd)
    return y.astype(x.dtype)


def ref_deconv(x, W, b=None, stride=1, pad=0, outsize=None, dilate=1, groups=1):
    nd = x.ndim - 2
    stride, pad, dilate = tup(stride, nd), tup(pad, nd), tup(dilate, nd)
    n, c = x.shape[:2]
    ocg, ks = W.shape[1], W.shape[2:]
    oc, cg = ocg * groups, c // groups
    if outsize is None:
        outsize = tuple(s * (sz - 1) + (k - 1) * d + 1 - 2 * p for sz, k, s, p, d in
                        zip(x.shape[2:], ks, stride, pad, dilate))
    canvas = np.zeros((n, oc) + tuple(sz * s + k * d + o for sz, s, k, d, o in
                                      zip(x.shape[2:], stride, ks, dilate, outsize)))
    W64 = W.astype(np.float64)
    for i in np.ndindex(*x.shape[2:]):
        for kk in np.ndindex(*ks):
            pos = tuple(ii * s + ki * d for ii, ki, s, d in zip(i, kk, stride, dilate))
            for g in range(groups):
                w = W64[(slice(g * cg, (g + 1) * cg), slice(None)) + kk]
                canvas[(slice(None), slice(g * ocg, (g + 1) * ocg)) + pos] += \
                    x[(slice(None), slice(g * cg, (g + 1) * cg)) + i] @ w
    y = canvas[(slice(None), slice(None)) + tuple(slice(p, p + o) for p, o in
                                                  zip(pad, outsize))]
    if b is not None:
        y = y + b.reshape((1, oc) + (1,) * nd)
    return y.astype(x.dtype)


def inputs(rng, dtype, *shapes):
    return [rng.uniform(-1, 1, s).astype(dtype) for s in shapes if s is not None]


# (x shape, W shape, with bias, keyword arguments)
CONV_2D = [
    ((1, 2, 4, 3), (2, 2, 2, 2), True, dict()),
    ((2, 2, 4, 3), (2, 2, 3, 3), False, dict(stride=2, pad=1)),
    ((1, 2, 5, 4), (2, 1, 3, 2), True, dict(stride=(2, 1), pad=(1, 0), groups=2,
                                            cover_all=True)),
    ((1, 1, 5, 5), (2, 1, 2, 2), False, dict(dilate=2, pad=1, stride=(1, 2))),
]


@pytest.fixture(params=["per image", "one matmul"])
def conv_path(request, monkeypatch):
    """Both ways a convolution runs: a matmul per image (small ones) or one."""
    import importlib
    module = importlib.import_module("kusari.functions.connection.convolution_nd")
    monkeypatch.setattr(module, "SMALL", 1 << 40 if request.param == "per image" else 0)
    return request.param


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(CONV_2D)))
def test_convolution_2d(case, dtype, conv_path):
    xs, ws, bias, kw = CONV_2D[case]
    rng = np.random.default_rng(case)
    arrays = inputs(rng, dtype, xs, ws, (ws[0],) if bias else None)[:3 if bias else 2]
    check_all(lambda *a: F.convolution_2d(*a, **kw), lambda *a: ref_conv(*a, **kw),
              arrays, dtype, second=dtype != np.float16)


CONV_ND = {
    "convolution_1d": (F.convolution_1d, (2, 2, 5), (3, 2, 2), True,
                       dict(stride=2, pad=1, cover_all=True)),
    "convolution_nd": (F.convolution_nd, (1, 4, 6), (2, 2, 3), False,
                       dict(groups=2, dilate=2, pad=2)),
    "convolution_3d": (F.convolution_3d, (1, 2, 3, 2, 3), (2, 2, 2, 1, 2), True,
                       dict(stride=(1, 1, 2), pad=(1, 0, 1))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CONV_ND))
def test_convolution_nd(case, dtype):
    fn, xs, ws, bias, kw = CONV_ND[case]
    rng = np.random.default_rng(len(case))
    arrays = inputs(rng, dtype, xs, ws, (ws[0],) if bias else None)[:3 if bias else 2]
    check_all(lambda *a: fn(*a, **kw), lambda *a: ref_conv(*a, **kw), arrays, dtype,
              second=dtype == np.float64)


DECONV_2D = [
    ((1, 2, 3, 2), (2, 2, 2, 2), True, dict()),
    ((2, 2, 2, 3), (2, 1, 3, 3), False, dict(stride=2, pad=1)),
    ((1, 2, 2, 2), (2, 1, 3, 2), True, dict(stride=(2, 3), pad=(1, 0), outsize=(4, 6))),
    ((1, 4, 2, 3), (4, 1, 2, 2), False, dict(groups=2, dilate=(2, 1), stride=2)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(DECONV_2D)))
def test_deconvolution_2d(case, dtype):
    xs, ws, bias, kw = DECONV_2D[case]
    rng = np.random.default_rng(20 + case)
    bshape = (ws[1] * kw.get("groups", 1),)
    arrays = inputs(rng, dtype, xs, ws, bshape)[:3 if bias else 2]
    check_all(lambda *a: F.deconvolution_2d(*a, **kw), lambda *a: ref_deconv(*a, **kw),
              arrays, dtype, second=dtype != np.float16)


DECONV_ND = {
    "deconvolution_1d": (F.deconvolution_1d, (2, 2, 3), (2, 3, 2), True,
                         dict(stride=2, outsize=(7,))),
    "deconvolution_nd": (F.deconvolution_nd, (1, 2, 3), (2, 2, 3), False,
                         dict(groups=2, dilate=2, pad=1)),
    "deconvolution_3d": (F.deconvolution_3d, (1, 2, 2, 1, 2), (2, 1, 2, 2, 1), True,
                         dict(stride=(2, 1, 2), pad=(1, 0, 0))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(DECONV_ND))
def test_deconvolution_nd(case, dtype):
    fn, xs, ws, bias, kw = DECONV_ND[case]
    rng = np.random.default_rng(30 + len(case))
    bshape = (ws[1] * kw.get("groups", 1),)
    arrays = inputs(rng, dtype, xs, ws, bshape)[:3 if bias else 2]
    check_all(lambda *a: fn(*a, **kw), lambda *a: ref_deconv(*a, **kw), arrays, dtype,
              second=dtype == np.float64)


def ref_im2col(x, ksize, stride, pad, dilate, outsize, pval):
    nd = len(ksize)
    lead = x.shape[:x.ndim - nd]
    col = np.empty(lead + tuple(ksize) + tuple(outsize), x.dtype)
    for kk in np.ndindex(*ksize):
        for o in np.ndindex(*outsize):
            pos = [oi * s + ki * d - p for oi, ki, s, d, p in zip(o, kk, stride, dilate, pad)]
            inside = all(0 <= q < n for q, n in zip(pos, x.shape[x.ndim - nd:]))
            col[(Ellipsis,) + kk + o] = x[(Ellipsis,) + tuple(pos)] if inside else pval
    return col


IM2COL = dict(ksize=(2, 3), stride=(2, 1), pad=(1, 2), dilate=(1, 2), outsize=(3, 2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_nd_and_col2im_nd(dtype):
    rng = np.random.default_rng(40)
    x, = inputs(rng, dtype, (2, 4, 3))
    check_all(lambda v: call("im2col_nd", v, pval=0.0, **IM2COL),
              lambda a: ref_im2col(a, pval=0, **IM2COL), [x], dtype)
    # a pad value only fills; the gradient ignores it
    check_forward(lambda v: call("im2col_nd", v, pval=-100.0, **IM2COL),
                  lambda a: ref_im2col(a, pval=-100, **IM2COL), [x], dtype)
    f = kusari.jit(lambda v: call("im2col_nd", v, pval=-np.inf, **IM2COL))
    np.testing.assert_array_equal(f(x), ref_im2col(x, pval=-np.inf, **IM2COL))
    # col2im_nd is im2col_nd's adjoint: <im2col(x), c> == <x, col2im(c)>
    c, = inputs(rng, dtype, (2, 2, 3, 3, 2))
    geometry = dict(stride=(2, 1), pad=(1, 2), dilate=(1, 2))

    def ref_col2im(c):
        out = np.zeros((2, 4, 3))
        for i in np.ndindex(*out.shape):
            e = np.zeros(out.shape)
            e[i] = 1
            out[i] = np.sum(ref_im2col(e, pval=0, **IM2COL) * c)
        return out.astype(c.dtype)
    check_all(lambda v: call("col2im_nd", v, size=(4, 3), **geometry), ref_col2im, [c], dtype)


def rows_layout(col):
    """im2col_nd's (N, C, k..., o...) as im2col_nd_rows' (N, o..., k..., C)."""
    nd = (col.ndim - 2) // 2
    return np.transpose(col, (0,) + tuple(range(2 + nd, 2 + 2 * nd)) +
                        tuple(range(2, 2 + nd)) + (1,))


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_nd_rows_and_col2im_nd_rows(dtype):
    rng = np.random.default_rng(41)
    x, = inputs(rng, dtype, (2, 3, 4, 3))
    check_all(lambda v: call("im2col_nd_rows", v, pval=0.0, **IM2COL),
              lambda a: rows_layout(ref_im2col(a, pval=0, **IM2COL)), [x], dtype)
    c, = inputs(rng, dtype, (2, 3, 2, 2, 3, 3))
    geometry = dict(stride=(2, 1), pad=(1, 2), dilate=(1, 2))

    def ref_col2im(c):               # the adjoint of im2col_nd_rows
        out = np.zeros((2, 3, 4, 3))
        for i in np.ndindex(*out.shape):
            e = np.zeros(out.shape)
            e[i] = 1
            out[i] = np.sum(rows_layout(ref_im2col(e, pval=0, **IM2COL)) * c)
        return out.astype(c.dtype)
    check_all(lambda v: call("col2im_nd_rows", v, size=(4, 3), **geometry), ref_col2im, [c],
              dtype)


# -- dtypes, kernels, errors ----------------------------------------------------------------

def test_mixed_dtypes_compute_in_the_wider_one_and_return_xs():
    rng = np.random.default_rng(50)
    x = rng.uniform(-1, 1, (2, 3, 4, 4)).astype(np.float16)
    W = rng.uniform(-1, 1, (2, 3, 3, 3))
    xv, Wv = Variable(x), Variable(W)
    y = F.convolution_2d(xv, Wv, stride=1, pad=1)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.array, ref_conv(x.astype(np.float64), W, pad=1).astype(
        np.float16), rtol=1e-3)
    y.grad = np.ones(y.shape, np.float16)
    y.backward()
    assert xv.grad.dtype == np.float16 and Wv.grad.dtype == np.float64
    d = F.deconvolution_nd(Variable(x), Variable(W.astype(np.float32).transpose(1, 0, 2, 3)))
    assert d.dtype == np.float16


def test_convolution_twice_compiles_and_agrees_with_eager():
    rng = np.random.default_rng(51)
    x, W, b = inputs(rng, np.float32, (2, 3, 6, 5), (4, 3, 3, 3), (4,))

    def loss(x_, W_, b_):
        h = F.convolution_2d(x_, W_, b_, pad=1)
        return F.sum(F.deconvolution_2d(h, W_) * h[:, :3, :, :].array.sum())

    grads = []
    for threshold in (10 ** 9, 1):
        with kusari.using_config("compile_threshold", threshold):
            vs = [Variable(a.copy()) for a in (x, W, b)]
            loss(*vs).backward()
            grads.append([v.grad for v in vs])
    for a, c in zip(*grads):
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5)
    f = kusari.jit(lambda x_, W_, b_: F.convolution_2d(x_, W_, b_, stride=2, cover_all=True))
    np.testing.assert_allclose(f(x, W, b), ref_conv(x, W, b, stride=2, cover_all=True),
                               rtol=1e-5, atol=1e-5)


def test_errors_in_chainers_terms():
    x = np.zeros((1, 4, 5, 5), np.float32)
    W = np.zeros((2, 4, 3, 3), np.float32)
    with pytest.raises(InvalidType, match="Convolution2DFunction"):
        F.convolution_2d(x, W[:, :3])                         # channels differ
    with pytest.raises(InvalidType):
        F.convolution_2d(x.astype(np.int32), W)
    with pytest.raises(InvalidType):
        F.convolution_2d(x, W, np.zeros(3, np.float32))     # bias size
    with pytest.raises(InvalidType):
        F.convolution_2d(x, W, np.zeros(2, np.float64))     # bias dtype (2-d is strict)
    with pytest.raises(TypeError, match="groups"):
        F.convolution_nd(np.zeros((1, 3, 5, 5), np.float32), W[:, :1], groups=2)
    with pytest.raises(ValueError, match="Dilate"):
        F.convolution_2d(x, W, dilate=0)
    with pytest.raises(ValueError, match="deterministic"):
        F.convolution_2d(x, W, deterministic=True)
    with pytest.raises(TypeError, match="unexpected"):
        F.convolution_2d(x, W, bogus=1)
    with pytest.raises(AssertionError, match="positive"):       # as Chainer's im2col
        F.convolution_2d(x, np.zeros((2, 4, 7, 7), np.float32))
    with pytest.raises(RuntimeError, match="positive"):
        F.deconvolution_2d(x, W.transpose(1, 0, 2, 3), pad=5)
    with pytest.raises(AssertionError, match="positive"):
        F.deconvolution_nd(x, W.transpose(1, 0, 2, 3), pad=5)
    with pytest.raises(ValueError, match="should be 1"):
        F.convolution_1d(x, W)
    with pytest.raises(InvalidType):
        F.deconvolution_2d(x, W)                              # W.shape[0] != channels
    with pytest.raises(InvalidType):
        F.deconvolution_2d(x, W.transpose(1, 0, 2, 3), outsize=(20, 20))
    with pytest.raises(ValueError, match="should be 3"):
        F.deconvolution_3d(x, W)


def test_unchecked_operands_compute_as_chainer_does():
    # under config.type_check = False (as in gradient_check's numerical
    # gradient) Chainer skips these checks: a float32 bias meets a float64 x
    x = np.random.default_rng(0).standard_normal((1, 3, 4, 4))
    W = np.random.default_rng(1).standard_normal((3, 2, 3, 3)).astype(np.float32)
    b = np.float32([0.5, -1.0])
    with pytest.raises(InvalidType, match="b.dtype == x.dtype"):
        F.deconvolution_2d(x, W, b)
    with kusari.using_config("type_check", False):
        y = F.deconvolution_2d(x, W, b)
    want = F.deconvolution_2d(x, W.astype(np.float64), b.astype(np.float64))
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.array, want.array, rtol=1e-6)


def test_chainer_output_sizes():
    """cover_all adds the last, partial window (Chainer's get_conv_outsize)."""
    x = np.zeros((1, 1, 6, 6), np.float32)
    W = np.zeros((1, 1, 3, 3), np.float32)
    for stride, pad, cover_all, want in [(2, 0, False, 2), (2, 0, True, 3), (3, 1, False, 2),
                                        (3, 1, True, 3), (4, 0, True, 2)]:
        y = F.convolution_2d(x, W, stride=stride, pad=pad, cover_all=cover_all)
        assert y.shape[2:] == (want, want), (stride, pad, cover_all, y.shape)
    for (h, k, s, p) in itertools.product([1, 3], [1, 3], [1, 2], [0, 1]):
        want = s * (h - 1) + k - 2 * p
        if want <= 0:
            continue
        y = F.deconvolution_2d(np.zeros((1, 1, h, h), np.float32),
                               np.zeros((1, 1, k, k), np.float32), stride=s, pad=p)
        assert y.shape[2:] == (want, want)


COVERS_TABLES = {"test_convolution_nd": CONV_ND, "test_deconvolution_nd": DECONV_ND}


# -- depthwise, dilated and local convolution, shift, embed_id ------------------------------

def ref_depthwise(x, W, b=None, stride=1, pad=0):
    m, c, kh, kw = W.shape
    w = np.transpose(W, (1, 0, 2, 3)).reshape(c * m, 1, kh, kw)
    return ref_conv(x, w, b, stride, pad, groups=c)


def ref_local(x, W, b=None, stride=1):
    s = tup(stride, 2)
    oc, oh, ow, c, kh, kw = W.shape
    y = np.zeros((x.shape[0], oc, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * s[0]:i * s[0] + kh, j * s[1]:j * s[1] + kw].astype(np.float64)
            y[:, :, i, j] = np.tensordot(win, W[:, i, j].astype(np.float64),
                                         ((1, 2, 3), (1, 2, 3)))
    if b is not None:
        y += b[None]
    return y.astype(x.dtype)


def ref_shift(x, ksize=3, dilate=1):
    kh, kw = tup(ksize, 2)
    dy, dx = tup(dilate, 2)
    n, c, h, w = x.shape
    groups = kh * kw
    size = c // groups
    y = np.zeros_like(x)
    order = list(range(groups))
    centre = (groups - 1) // 2
    order[centre], order[-1] = order[-1], order[centre]     # the centre's group comes last
    for i, g in enumerate(order):
        oy, ox = (g // kw - kh // 2) * dy, (g % kw - kw // 2) * dx
        chans = slice(i * size, (i + 1) * size if i < groups - 1 else c)
        for r in range(h):
            for q in range(w):
                if 0 <= r - oy < h and 0 <= q - ox < w:
                    y[:, chans, r, q] = x[:, chans, r - oy, q - ox]
    return y


def ref_embed(ids, W, ignore_label=None):
    y = W[np.where(ids == ignore_label, 0, ids)] if ignore_label is not None else W[ids]
    if ignore_label is not None:
        y = np.where((ids == ignore_label)[..., None], 0, y)
    return y


@pytest.mark.parametrize("dtype", DTYPES)
def test_depthwise_dilated_and_local_convolution(dtype):
    rng = np.random.default_rng(60)
    x, W, b = inputs(rng, dtype, (1, 2, 4, 5), (2, 2, 2, 3), (4,))
    check_all(lambda *a: F.depthwise_convolution_2d(*a, stride=(1, 2), pad=1),
              lambda *a: ref_depthwise(*a, stride=(1, 2), pad=1), [x, W, b], dtype,
              second=dtype == np.float64)
    x, W = inputs(rng, dtype, (1, 2, 5, 4), (2, 2, 2, 2))
    check_all(lambda *a: F.dilated_convolution_2d(*a, pad=(1, 0), dilate=2),
              lambda *a: ref_conv(*a, pad=(1, 0), dilate=2), [x, W], dtype,
              second=dtype == np.float64)
    x, W, b = inputs(rng, dtype, (2, 2, 4, 5), (2, 2, 2, 2, 2, 2), (2, 2, 2))
    check_all(lambda *a: F.local_convolution_2d(*a, stride=(2, 3)),
              lambda *a: ref_local(*a, stride=(2, 3)), [x, W, b], dtype,
              second=dtype == np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_shift(dtype):
    rng = np.random.default_rng(61)
    x, = inputs(rng, dtype, (1, 10, 3, 4))
    check_all(F.shift, ref_shift, [x], dtype)
    check_all(lambda v: F.shift(v, ksize=(1, 3), dilate=(1, -2)),
              lambda a: ref_shift(a, (1, 3), (1, -2)), [x[:, :4]], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embed_id(dtype):
    rng = np.random.default_rng(62)
    W, = inputs(rng, dtype, (4, 3))
    ids = np.array([[0, 3, 1], [3, 3, 2]], np.int32)
    check_all(F.embed_id, ref_embed, [ids, W], dtype)
    ids[0, 1] = -1
    check_all(lambda i, w: F.embed_id(i, w, ignore_label=-1),
              lambda i, w: ref_embed(i, w, -1), [ids, W], dtype)
    with pytest.raises(InvalidType):
        F.embed_id(ids.astype(np.float32), W)
    with kusari.using_config("debug", True), pytest.raises(ValueError, match="len"):
        F.embed_id(np.array([4]), W)


def test_chainer_node_classes_apply_their_function():
    """Code builds Chainer's FunctionNode classes and applies them."""
    import importlib
    convolution_2d, deconvolution_nd, shift = (
        importlib.import_module(f"kusari.functions.connection.{m}")
        for m in ("convolution_2d", "deconvolution_nd", "shift"))
    rng = np.random.default_rng(63)
    x, W = inputs(rng, np.float32, (1, 2, 4, 4), (3, 2, 2, 2))
    y, = convolution_2d.Convolution2DFunction(2, 1).apply((x, W))
    np.testing.assert_allclose(y.array, ref_conv(x, W, stride=2, pad=1), rtol=1e-5)
    with pytest.raises(InvalidType):
        deconvolution_nd.DeconvolutionND(2).apply((x,))
    z, = shift.Shift(3).apply((np.concatenate([x] * 5, axis=1),))
    assert z.shape == (1, 10, 4, 4)


def ref_deformable(x, offset, W, b=None, stride=1, pad=0):
    """Each tap read bilinearly at its moved position (zero off the image)."""
    sy, sx = tup(stride, 2)
    ph, pw = tup(pad, 2)
    oc, c, kh, kw = W.shape
    n, _, out_h, out_w = offset.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    hp, wp = xp.shape[2:]

    def sample(img, py, px):
        y0, x0 = int(np.floor(py)), int(np.floor(px))
        total = 0.0
        for yy, wy in ((y0, 1 - (py - y0)), (y0 + 1, py - y0)):
            for xx, wx in ((x0, 1 - (px - x0)), (x0 + 1, px - x0)):
                if 0 <= yy < hp and 0 <= xx < wp:
                    total = total + img[:, yy, xx] * wy * wx
        return total
    y = np.zeros((n, oc, out_h, out_w))
    for a in range(n):
        for i in range(out_h):
            for j in range(out_w):
                for t in range(kh * kw):
                    ky, kx = divmod(t, kw)
                    v = sample(xp[a], i * sy + ky + offset[a, kh * kw + t, i, j],
                               j * sx + kx + offset[a, t, i, j])
                    y[a, :, i, j] += W[:, :, ky, kx].astype(np.float64) @ v
    if b is not None:
        y += b[None, :, None, None]
    return y.astype(x.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_deformable_convolution_2d_sampler(dtype):
    rng = np.random.default_rng(64)
    x, W, b = inputs(rng, dtype, (1, 2, 4, 4), (2, 2, 2, 2), (2,))
    offset = (rng.uniform(-0.9, 0.9, (1, 8, 2, 2)) + 0.05).astype(dtype)
    fn = lambda *a: F.deformable_convolution_2d_sampler(*a, stride=2, pad=(1, 0))  # noqa
    check_all(fn, lambda *a: ref_deformable(*a, stride=2, pad=(1, 0)), [x, offset, W, b],
              dtype, second=False)
    with pytest.raises(ValueError, match="offset"):
        F.deformable_convolution_2d_sampler(x, offset[:, :6], W)
    zero = np.zeros((1, 8, 3, 3), dtype)               # no offsets: a convolution
    np.testing.assert_allclose(F.deformable_convolution_2d_sampler(x, zero, W, b).array,
                               ref_conv(x, W, b), rtol=1e-5, atol=1e-6)
