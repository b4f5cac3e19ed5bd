"""Pooling: max (first maximum gets the gradient, return_indices), average
(pad_value 0 or None), unpooling, upsampling and spatial pyramid pooling,
1-d to 3-d, and the take_axis/put_axis ops: forward against direct NumPy loops over the
windows, first and second derivatives against finite differences in
float16/32/64, and Chainer's errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from kusari.functions._core import call
from tests.helpers import check_all, check_forward, fd_grad

DTYPES = [np.float16, np.float32, np.float64]


def tup(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def distinct(rng, shape, dtype):
    """Values apart by far more than rounding (no ties: max is differentiable)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) / n * 2 - 1).astype(dtype)


def outsize(size, k, s, p, cover_all):
    return (size + 2 * p - k + (s - 1 if cover_all else 0)) // s + 1


def window_positions(dims, ksize, stride, pad, cover_all):
    """For each output position, the slices of its window (clipped to x)."""
    outs = [outsize(d, k, s, p, cover_all) for d, k, s, p in zip(dims, ksize, stride, pad)]
    for o in np.ndindex(*outs):
        yield o, tuple(slice(max(0, i * s - p), min(d, i * s - p + k))
                       for i, s, p, k, d in zip(o, stride, pad, ksize, dims)), outs


def ref_pool(x, ksize, stride=None, pad=0, cover_all=False, how="max", pad_value=0):
    nd = x.ndim - 2
    ksize = tup(ksize, nd)
    stride = ksize if stride is None else tup(stride, nd)
    pad = tup(pad, nd)
    outs = [outsize(d, k, s, p, cover_all) for d, k, s, p in
            zip(x.shape[2:], ksize, stride, pad)]
    y = np.zeros(x.shape[:2] + tuple(outs))
    for o, win, _ in window_positions(x.shape[2:], ksize, stride, pad, cover_all):
        part = x[(slice(None), slice(None)) + win].reshape(x.shape[:2] + (-1,))
        if how == "max":
            y[(Ellipsis,) + o] = part.max(axis=-1)
        elif pad_value is None:
            y[(Ellipsis,) + o] = part.astype(np.float64).mean(axis=-1)
        else:
            y[(Ellipsis,) + o] = part.astype(np.float64).sum(axis=-1) / np.prod(ksize)
    return y.astype(x.dtype)


def ref_unpool(x, ksize, stride=None, pad=0, outsize_=None, cover_all=True):
    nd = x.ndim - 2
    ksize = tup(ksize, nd)
    stride = ksize if stride is None else tup(stride, nd)
    pad = tup(pad, nd)
    if outsize_ is None:
        outsize_ = tuple(s * (d - 1) + k - (s - 1 if cover_all else 0) - 2 * p
                         for d, k, s, p in zip(x.shape[2:], ksize, stride, pad))
    y = np.zeros(x.shape[:2] + tuple(outsize_))
    for i in np.ndindex(*x.shape[2:]):
        for kk in np.ndindex(*ksize):
            pos = tuple(ii * s - p + k for ii, s, p, k in zip(i, stride, pad, kk))
            if all(0 <= q < o for q, o in zip(pos, outsize_)):
                y[(slice(None), slice(None)) + pos] += x[(slice(None), slice(None)) + i]
    return y.astype(x.dtype)


MAX = {
    "max_pooling_2d": (F.max_pooling_2d, (1, 2, 5, 4), dict(ksize=3, stride=2, pad=1)),
    "max_pooling_1d": (F.max_pooling_1d, (2, 2, 7), dict(ksize=3, stride=2, cover_all=False)),
    "max_pooling_3d": (F.max_pooling_3d, (1, 1, 4, 4, 3), dict(ksize=(2, 3, 2), pad=(1, 1, 0))),
    "max_pooling_nd": (F.max_pooling_nd, (1, 2, 4, 3), dict(ksize=2, stride=1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(MAX))
def test_max_pooling(name, dtype):
    fn, shape, kw = MAX[name]
    x = distinct(np.random.default_rng(len(name)), shape, dtype)
    cover_all = kw.get("cover_all", True)
    args = {k: v for k, v in kw.items() if k != "cover_all"}
    check_all(lambda v: fn(v, **kw), lambda a: ref_pool(a, cover_all=cover_all, **args),
              [x], dtype)


def test_take_axis_and_put_axis():
    """Max pooling's pair: the first maximum (NumPy's argmax) taken along an
    axis gets the whole gradient; put_axis is take_axis's adjoint."""
    col = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [np.nan, 1.0, np.nan, 5.0]])
    for threshold in (10 ** 9, 1):
        with kusari.using_config("compile_threshold", threshold):
            v = Variable(col.copy())
            idx = call("argmax", v, axis=1)
            y = call("take_axis", v, idx, axis=1)
            np.testing.assert_array_equal(y.array, np.max(col, axis=1))
            y.grad = np.array([1.0, 2.0, 3.0])
            y.backward()
            np.testing.assert_array_equal(v.grad, [[0, 1, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0]])
    # the same with ties after relu, through max_pooling_2d
    x = Variable(np.array([[[[-1.0, -2.0], [0.5, 0.5]]]]))
    y = F.max_pooling_2d(F.relu(x), 2)
    y.grad = np.ones((1, 1, 1, 1))
    y.backward()
    np.testing.assert_array_equal(x.grad, [[[[0, 0], [1, 0]]]])
    rng = np.random.default_rng(3)
    idx = np.array([[2, 0], [1, 1], [0, 2]])
    check_all(lambda v: call("take_axis", v, idx, axis=1),
              lambda a: np.take_along_axis(a, idx[:, None], 1)[:, 0],
              [rng.standard_normal((3, 3, 2))], np.float64)

    def put_ref(g):
        out = np.zeros((3, 3, 2))
        np.put_along_axis(out, idx[:, None], g[:, None], 1)
        return out
    check_all(lambda v: call("put_axis", v, idx, axis=1, size=3), put_ref,
              [rng.standard_normal((3, 2))], np.float64)


def test_max_pooling_return_indices_and_upsampling():
    rng = np.random.default_rng(4)
    x = distinct(rng, (2, 3, 4, 5), np.float32)
    y, idx = F.max_pooling_2d(x, 2, stride=2, cover_all=False, return_indices=True)
    assert isinstance(idx, np.ndarray) and idx.shape == y.shape
    for n, c, i, j in np.ndindex(*y.shape):
        win = x[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
        assert idx[n, c, i, j] == np.argmax(win)
    up = F.upsampling_2d(y, idx, ksize=2, stride=2, outsize=(4, 5), cover_all=False)
    want = np.zeros_like(x)
    for n, c, i, j in np.ndindex(*y.shape):
        a, b = divmod(int(idx[n, c, i, j]), 2)
        want[n, c, 2 * i + a, 2 * j + b] = y.array[n, c, i, j]
    np.testing.assert_array_equal(up.array, want)


def ref_upsampling(x, idx, ksize, stride, pad, outsize_):
    kh, kw = tup(ksize, 2)
    s, p = tup(stride, 2), tup(pad, 2)
    y = np.zeros(x.shape[:2] + tuple(outsize_))
    for n, c, i, j in np.ndindex(*x.shape):
        a, b = divmod(int(idx[n, c, i, j]), kw)
        r, q = i * s[0] - p[0] + a, j * s[1] - p[1] + b
        if 0 <= r < outsize_[0] and 0 <= q < outsize_[1]:
            y[n, c, r, q] += x[n, c, i, j]
    return y.astype(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_upsampling_2d(dtype):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (1, 2, 2, 3)).astype(dtype)
    idx = rng.integers(0, 6, x.shape)
    kw = dict(ksize=(2, 3), stride=2, pad=(0, 1), outsize=(4, 5))
    check_all(lambda v: F.upsampling_2d(v, idx, **kw),
              lambda a: ref_upsampling(a, idx, (2, 3), 2, (0, 1), (4, 5)), [x], dtype)
    with pytest.raises(InvalidType):
        F.upsampling_2d(x, idx[:, :1], ksize=2)


AVERAGE = {
    "average_pooling_2d": (F.average_pooling_2d, (1, 2, 5, 4), dict(ksize=3, stride=2, pad=1)),
    "average_pooling_1d": (F.average_pooling_1d, (2, 2, 7), dict(ksize=3, stride=2)),
    "average_pooling_3d": (F.average_pooling_3d, (1, 1, 3, 4, 3),
                           dict(ksize=(2, 3, 2), pad=(1, 1, 0), pad_value=None)),
    "average_pooling_nd": (F.average_pooling_nd, (1, 2, 4, 3),
                           dict(ksize=2, stride=1, pad=1, pad_value=None)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(AVERAGE))
def test_average_pooling(name, dtype):
    fn, shape, kw = AVERAGE[name]
    x = np.random.default_rng(len(name)).uniform(-1, 1, shape).astype(dtype)
    check_all(lambda v: fn(v, **kw), lambda a: ref_pool(a, how="mean", **kw), [x], dtype)


UNPOOLING = {
    "unpooling_2d": (F.unpooling_2d, (1, 2, 3, 2), dict(ksize=3, stride=2, pad=1)),
    "unpooling_1d": (F.unpooling_1d, (2, 2, 3), dict(ksize=2, cover_all=False)),
    "unpooling_3d": (F.unpooling_3d, (1, 1, 2, 2, 3), dict(ksize=(2, 1, 3), stride=(1, 2, 2))),
    "unpooling_nd": (F.unpooling_nd, (1, 2, 2, 3), dict(ksize=2, stride=2, pad=1,
                                                        outsize=(2, 4))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNPOOLING))
def test_unpooling(name, dtype):
    fn, shape, kw = UNPOOLING[name]
    x = np.random.default_rng(len(name)).uniform(-1, 1, shape).astype(dtype)
    ref_kw = {("outsize_" if k == "outsize" else k): v for k, v in kw.items()}
    check_all(lambda v: fn(v, **kw), lambda a: ref_unpool(a, **ref_kw), [x], dtype)


def ref_spp(x, height):
    ys = []
    for level in range(height):
        bins = 2 ** level
        kh, kw = math.ceil(x.shape[2] / bins), math.ceil(x.shape[3] / bins)
        pad = ((kh * bins - x.shape[2]) // 2, (kw * bins - x.shape[3]) // 2)
        y = ref_pool(x, (kh, kw), None, pad, cover_all=True)
        ys.append(y.reshape(x.shape[0], -1, 1, 1))
    return np.concatenate(ys, axis=1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_spatial_pyramid_pooling_2d(dtype):
    x = distinct(np.random.default_rng(6), (1, 2, 8, 6), dtype)
    check_all(lambda v: F.spatial_pyramid_pooling_2d(v, 3, pooling="max"),
              lambda a: ref_spp(a, 3), [x], dtype)
    with pytest.raises(ValueError, match="Unsupported"):
        F.spatial_pyramid_pooling_2d(x, 2)


def test_pooling_in_chainers_terms():
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(InvalidType, match="MaxPoolingND"):
        F.max_pooling_nd(x.astype(np.int32), 2)
    with pytest.raises(ValueError, match="should be 2"):
        F.max_pooling_2d(x[0], 2)
    with pytest.raises(ValueError, match="pad_value"):
        F.average_pooling_nd(x, 2, pad_value=1)
    with pytest.raises(InvalidType):
        F.unpooling_2d(x, 2, outsize=(9, 9))
    with pytest.raises(AssertionError, match="positive"):      # as Chainer's im2col
        F.max_pooling_2d(x, 6, cover_all=False)
    # Chainer's defaults: max pooling covers all, stride is ksize
    assert F.max_pooling_2d(np.zeros((1, 1, 5, 5), np.float32), 2).shape == (1, 1, 3, 3)
    assert F.average_pooling_2d(np.zeros((1, 1, 5, 5), np.float32), 2).shape == (1, 1, 2, 2)


def test_jitted_cnn_step_matches_eager():
    """Pooling and convolution in one compiled function (im2col's -inf
    padding in generated code) give eager's numbers."""
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (2, 1, 7, 6)).astype(np.float32)
    W = rng.uniform(-1, 1, (3, 1, 3, 3)).astype(np.float32)

    def f(x_, W_):
        h = F.max_pooling_2d(F.relu(F.convolution_2d(x_, W_, pad=1)), 3, stride=2, pad=1)
        return F.average_pooling_2d(h, 2) + F.unpooling_2d(h, 2, outsize=(8, 7))[:, :, :2, :2]
    want = f(x, W).array
    got = kusari.jit(f)(x, W)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


COVERS = {
    "upsampling_2d": "test_upsampling_2d",
    "spatial_pyramid_pooling_2d": "test_spatial_pyramid_pooling_2d",
    "take_axis": "test_take_axis_and_put_axis",
    "put_axis": "test_take_axis_and_put_axis",
}


# -- region-of-interest pooling and align -------------------------------------------------

def _slice(i, stride, size, offset):
    start = min(max(int(np.floor(i * stride)) + offset, 0), size)
    end = min(max(int(np.ceil((i + 1) * stride)) + offset, 0), size)
    return start, end


def ref_roi_pool(x, rois, idx, outsize, scale, how="max", ixy=False):
    oh, ow = tup(outsize, 2)
    h, w = x.shape[2:]
    empty = -np.inf if how == "max" else 0.0
    y = np.full((len(rois), x.shape[1], oh, ow), empty)
    for r, box in enumerate(rois):
        if ixy:
            n, xmin, ymin, xmax, ymax = box
            n = int(n)
        else:
            (ymin, xmin, ymax, xmax), n = box, int(idx[r])
        y0, x0, y1, x1 = (int(round(float(v) * scale)) for v in (ymin, xmin, ymax, xmax))
        extra = 1 if ixy else 0
        sh, sw = max(y1 - y0 + extra, 1) / oh, max(x1 - x0 + extra, 1) / ow
        for i in range(oh):
            a, b = _slice(i, sh, h, y0)
            for j in range(ow):
                c, d = _slice(j, sw, w, x0)
                if b > a and d > c:
                    part = x[n, :, a:b, c:d].reshape(x.shape[1], -1)
                    y[r, :, i, j] = part.max(axis=1) if how == "max" else part.mean(axis=1)
    if ixy:
        y[np.isinf(y)] = 0
    return y.astype(x.dtype)


def ref_roi_align(x, rois, idx, outsize, scale, ratio=None, how="mean"):
    oh, ow = tup(outsize, 2)
    ratio = tup(ratio, 2)
    _, c, h, w = x.shape
    y = np.zeros((len(rois), c, oh, ow))

    def bilinear(img, py, px):
        if py < -1 or py > h or px < -1 or px > w:
            return None
        py, px = min(max(py, 0), h - 1), min(max(px, 0), w - 1)
        y_lo, x_lo = min(int(np.floor(py)), h - 1), min(int(np.floor(px)), w - 1)
        y_hi, x_hi = min(y_lo + 1, h - 1), min(x_lo + 1, w - 1)
        ly, lx = py - y_lo, px - x_lo
        return (img[:, y_lo, x_lo] * (1 - ly) * (1 - lx) + img[:, y_lo, x_hi] * (1 - ly) * lx
                + img[:, y_hi, x_lo] * ly * (1 - lx) + img[:, y_hi, x_hi] * ly * lx)
    for r, (ymin, xmin, ymax, xmax) in enumerate(rois.astype(np.float64) * float(scale)):
        img = x[int(idx[r])].astype(np.float64)
        rh, rw = max(ymax - ymin, 1.0), max(xmax - xmin, 1.0)
        gh = ratio[0] or int(np.ceil(rh / oh))
        gw = ratio[1] or int(np.ceil(rw / ow))
        for i in range(oh):
            for j in range(ow):
                vals = [bilinear(img, ymin + (i + (a + .5) / gh) * rh / oh,
                                 xmin + (j + (b + .5) / gw) * rw / ow)
                        for a in range(gh) for b in range(gw)]
                if how == "mean":
                    y[r, :, i, j] = sum(v for v in vals if v is not None) / (gh * gw)
                else:
                    got = [v for v in vals if v is not None]
                    y[r, :, i, j] = np.max(got, axis=0) if got else -np.inf
    return y.astype(x.dtype)


ROIS = np.array([[1, 1, 5, 4], [0, 2, 6, 5], [2, 0, 3, 2]], np.float32)
ROI_INDICES = np.array([0, 1, 1], np.int32)
ROI = {
    "roi_max_pooling_2d": (lambda v: F.roi_max_pooling_2d(v, ROIS.astype(v.dtype), ROI_INDICES,
                                                          (2, 3), 1.0),
                           lambda a: ref_roi_pool(a, ROIS, ROI_INDICES, (2, 3), 1.0)),
    "roi_average_pooling_2d": (lambda v: F.roi_average_pooling_2d(
        v, ROIS.astype(v.dtype), ROI_INDICES, 2, 0.8),
        lambda a: ref_roi_pool(a, ROIS, ROI_INDICES, 2, 0.8, how="mean")),
    "roi_pooling_2d": (lambda v: F.roi_pooling_2d(
        v, np.c_[ROI_INDICES, ROIS[:, [1, 0, 3, 2]]].astype(v.dtype), 2, 2, 1.0),
        lambda a: ref_roi_pool(a, np.c_[ROI_INDICES, ROIS[:, [1, 0, 3, 2]]], None, 2, 1.0,
                               ixy=True)),
    "roi_average_align_2d": (lambda v: F.roi_average_align_2d(v, ROIS, ROI_INDICES, (2, 3),
                                                              1.2, sampling_ratio=(2, None)),
                             lambda a: ref_roi_align(a, ROIS, ROI_INDICES, (2, 3), 1.2,
                                                     (2, None))),
    "roi_max_align_2d": (lambda v: F.roi_max_align_2d(v, ROIS, ROI_INDICES, 2, 0.9),
                         lambda a: ref_roi_align(a, ROIS, ROI_INDICES, 2, 0.9, how="max")),
}


@pytest.mark.parametrize("name", sorted(ROI))
def test_roi_functions(name):
    fn, ref = ROI[name]
    rng = np.random.default_rng(len(name))
    if "align" not in name:
        for dtype in (np.float32, np.float64):
            check_all(fn, ref, [distinct(rng, (2, 2, 6, 5), dtype)], dtype,
                      second=dtype == np.float64)
        return
    # Chainer's align takes float32 only: its forward against the reference,
    # its gradient against finite differences of the reference in float64
    x = distinct(rng, (2, 2, 6, 5), np.float32)
    check_forward(fn, ref, [x], np.float32)
    w = rng.standard_normal(np.shape(ref(x)))
    v = Variable(x.copy())
    y = fn(v)
    y.grad = w.astype(np.float32)
    y.backward(enable_double_backprop=True)
    fd, = fd_grad(lambda a: float(np.sum(ref(a.astype(np.float64)) * w)), [x], [0])
    np.testing.assert_allclose(v.grad, fd, rtol=1e-3, atol=1e-4)
    second = kusari.grad([F.sum(v.grad_var * v.grad_var)], [v])[0]
    assert second is None or not np.any(second.array)        # piecewise linear in x


def test_roi_errors_in_chainers_terms():
    x = np.zeros((1, 2, 4, 4), np.float32)
    with pytest.raises(TypeError, match="outsize"):
        F.roi_max_pooling_2d(x, ROIS, ROI_INDICES, 0, 1.0)
    with pytest.raises(TypeError, match="spatial_scale"):
        F.roi_average_pooling_2d(x, ROIS, ROI_INDICES, 2, -1.0)
    with pytest.raises(TypeError, match="sampling_ratio"):
        F.roi_max_align_2d(x, ROIS, ROI_INDICES, 2, 1.0, sampling_ratio=0)
    with pytest.raises(InvalidType):
        F.roi_max_pooling_2d(x, ROIS, ROI_INDICES.astype(np.int64), 2, 1.0)
    with pytest.raises(InvalidType):
        F.roi_average_align_2d(x.astype(np.float64), ROIS.astype(np.float64), ROI_INDICES,
                               2, 1.0)
    with pytest.raises(InvalidType):
        F.roi_pooling_2d(x, ROIS, 2, 2, 1.0)                 # 4 columns, not 5


COVERS_TABLES = {"test_max_pooling": MAX, "test_average_pooling": AVERAGE,
                 "test_unpooling": UNPOOLING, "test_roi_functions": ROI}
