"""Special points for pooling. Average pooling, unpooling and upsampling are
linear in x: the gradient is the adjoint applied to gy whatever x holds.
Max pooling's gradient goes to the first maximum of each window in NumPy's
argmax order (a NaN is the maximum; of equal values the first), whatever
the values: ties, infinities and NaN are in the inputs."""
from __future__ import annotations

import numpy as np

import kusari.functions as F
from kusari.functions._core import call
from tests.functions.special_cases import WEIGHTS, Case, linear, points
from tests.functions.test_pooling import ref_pool, ref_unpool, ref_upsampling


def _x(shape):
    return lambda dt: [np.resize(points(dt), shape).astype(dt)]


def _first_max(windows):
    """d1 of a max over windows: `windows(x)` lists, per output element in
    order, the flat indices of x its window covers (in kernel order)."""
    def d1(xs, ws, vs):
        x, = xs
        g = np.zeros(x.size, x.dtype)
        flat = x.ravel()
        for idx, w in zip(windows(x), np.concatenate([w.ravel() for w in ws])):
            g[idx[int(np.argmax(flat[idx]))]] += w
        return [g.reshape(x.shape)]
    return d1


def _blocks(kh, kw):
    """Non-overlapping kh x kw windows of (n, c, h, w), in output order."""
    def windows(x):
        index = np.arange(x.size).reshape(x.shape)
        n, c, h, w = x.shape
        for a in range(n):
            for b in range(c):
                for i in range(h // kh):
                    for j in range(w // kw):
                        yield index[a, b, i * kh:(i + 1) * kh, j * kw:(j + 1) * kw].ravel()
    return windows


def _rows(x):
    index = np.arange(x.size).reshape(x.shape)
    return list(index)


def _spp_windows(x):
    return list(_blocks(4, 4)(x)) + list(_blocks(2, 2)(x))


def _max_case(fn, windows, shape):
    return Case(fn, _x(shape), _first_max(windows), None, None, ws=WEIGHTS)


CASES = {
    "max_pooling_2d": _max_case(lambda v: F.max_pooling_2d(v, 2), _blocks(2, 2), (1, 1, 4, 6)),
    "max_pooling_nd": _max_case(lambda v: F.max_pooling_nd(v, (1, 3)), _blocks(1, 3),
                                (1, 2, 2, 6)),
    "max_pooling_1d": _max_case(lambda v: F.max_pooling_1d(v[:, :, 0], 3)[:, :, None],
                                _blocks(1, 3), (1, 2, 1, 9)),
    "max_pooling_3d": _max_case(lambda v: F.max_pooling_3d(v[:, :, None], (1, 2, 2))[:, :, 0],
                                _blocks(2, 2), (1, 1, 4, 4)),
    "take_axis": _max_case(lambda v: call("take_axis", v, call("argmax", v, axis=1), axis=1),
                           _rows, (6, 4)),
    "spatial_pyramid_pooling_2d": _max_case(
        lambda v: F.spatial_pyramid_pooling_2d(v, 2, pooling="max"), _spp_windows,
        (1, 1, 4, 4)),
    "average_pooling_2d": linear(lambda v: F.average_pooling_2d(v, 2, pad=1),
                                 lambda x: ref_pool(x, 2, pad=1, how="mean"), _x((1, 1, 4, 3))),
    "average_pooling_nd": linear(
        lambda v: F.average_pooling_nd(v, 3, stride=2, pad=1, pad_value=None),
        lambda x: ref_pool(x, 3, stride=2, pad=1, how="mean", pad_value=None),
        _x((1, 2, 5, 3))),
    "average_pooling_1d": linear(lambda v: F.average_pooling_1d(v, 2),
                                 lambda x: ref_pool(x, 2, how="mean"), _x((2, 2, 6))),
    "average_pooling_3d": linear(lambda v: F.average_pooling_3d(v, (1, 2, 2)),
                                 lambda x: ref_pool(x, (1, 2, 2), how="mean"),
                                 _x((1, 1, 2, 4, 2))),
    "unpooling_2d": linear(lambda v: F.unpooling_2d(v, 3, stride=2, pad=1),
                           lambda x: ref_unpool(x, 3, 2, 1), _x((1, 2, 2, 3))),
    "unpooling_nd": linear(lambda v: F.unpooling_nd(v, 2, cover_all=False),
                           lambda x: ref_unpool(x, 2, cover_all=False), _x((1, 1, 3, 2))),
    "unpooling_1d": linear(lambda v: F.unpooling_1d(v, 2, stride=1),
                           lambda x: ref_unpool(x, 2, 1), _x((2, 1, 5))),
    "unpooling_3d": linear(lambda v: F.unpooling_3d(v, (1, 2, 1)),
                           lambda x: ref_unpool(x, (1, 2, 1)), _x((1, 1, 2, 2, 3))),
}

_IDX = np.array([[[[0, 3, 2], [1, 1, 0]]]])
CASES["upsampling_2d"] = linear(
    lambda v: F.upsampling_2d(v, _IDX, 2, outsize=(4, 6)),
    lambda x: ref_upsampling(x, _IDX, 2, 2, 0, (4, 6)), _x((1, 1, 2, 3)))


# ROI functions on boxes whose bins (and sampling points) fall on whole
# pixels: 2 x 2 blocks of a 4 x 6 image, so the max ones are max pooling's
# windows and the average ones have dyadic weights (exact sums)
_BOX = np.array([[0, 0, 4, 6]], np.float32)
_BOX_ALIGN = np.array([[-0.5, -0.5, 3.5, 5.5]], np.float32)    # points on pixel centres
_ROI_IDX = np.array([0], np.int32)


def _align_first_max(windows):
    """Chainer's max align: the first greatest point, NaN points passed over."""
    def d1(xs, ws, vs):
        x, = xs
        g = np.zeros(x.size, x.dtype)
        flat = x.ravel()
        for idx, w in zip(windows(x), np.concatenate([w.ravel() for w in ws])):
            vals = np.where(np.isnan(flat[idx]), -np.inf, flat[idx])
            g[idx[int(np.argmax(vals))]] += w
        return [g.reshape(x.shape)]
    return d1


def _f32(fn):
    """Chainer's align takes float32 only: run it there and cast back."""
    return lambda v: F.cast(fn(F.cast(v, np.float32)), v.dtype)


CASES.update({
    "roi_max_pooling_2d": _max_case(
        lambda v: F.roi_max_pooling_2d(v, _BOX.astype(v.dtype), _ROI_IDX, (2, 3), 1.0),
        _blocks(2, 2), (1, 1, 4, 6)),
    "roi_pooling_2d": _max_case(
        lambda v: F.roi_pooling_2d(v, np.array([[0, 0, 0, 5, 3]], v.dtype), 2, 3, 1.0),
        _blocks(2, 2), (1, 1, 4, 6)),
    "roi_max_align_2d": Case(
        _f32(lambda v: F.roi_max_align_2d(v, _BOX_ALIGN, _ROI_IDX, (2, 3), 1.0, 2)),
        lambda dt: [np.resize(points(np.float32), (1, 1, 4, 6)).astype(dt)],
        _align_first_max(_blocks(2, 2)), None, None, ws=WEIGHTS),
    "roi_average_pooling_2d": linear(
        lambda v: F.roi_average_pooling_2d(v, _BOX.astype(v.dtype), _ROI_IDX, (2, 3), 1.0),
        lambda x: ref_pool(x, 2, how="mean"), _x((1, 2, 4, 6))),
    "roi_average_align_2d": linear(
        _f32(lambda v: F.roi_average_align_2d(v, _BOX_ALIGN, _ROI_IDX, (2, 3), 1.0, 2)),
        lambda x: ref_pool(x, 2, how="mean"),
        lambda dt: [np.resize(points(np.float32), (1, 2, 4, 6)).astype(dt)]),
})

_PUT_IDX = np.array([[2, 0, 1], [1, 1, 0]])
CASES["put_axis"] = linear(lambda v: call("put_axis", v, _PUT_IDX, axis=1, size=3),
                           lambda g: _put_ref(g), _x((2, 3)))


def _put_ref(g):
    out = np.zeros((2, 3, 3))
    np.put_along_axis(out, _PUT_IDX[:, None], g[:, None], 1)
    return out
