"""Resampling and scattering: resize_images, spatial_transformer_grid,
spatial_transformer_sampler and scatter_add, against direct NumPy loops and
finite differences (first and second order)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from tests.helpers import check_all

DTYPES = [np.float16, np.float32, np.float64]

COVERS = {
    "resize_images": "test_resize_images",
    "spatial_transformer_grid": "test_spatial_transformer_grid",
    "spatial_transformer_sampler": "test_spatial_transformer_sampler",
}


def data(rng, shape, dtype):
    return rng.uniform(-1, 1, shape).astype(dtype)


def _resize_ref(x, out_h, out_w, mode, align_corners):
    """Each output pixel from its source position, one pixel at a time."""
    n, c, h, w = x.shape
    x = x.astype(np.float64)
    y = np.zeros((n, c, out_h, out_w))

    def source(o, out, size):
        if mode == "nearest":
            return min(int(np.floor(o * size / out)), size - 1), 0.0
        p = o * (size - 1) / (out - 1) if align_corners and out > 1 else \
            0.0 if align_corners else max((o + 0.5) * size / out - 0.5, 0)
        i = int(np.floor(p))
        return i, p - i
    for i in range(out_h):
        v, vw = source(i, out_h, h)
        for j in range(out_w):
            u, uw = source(j, out_w, w)
            v1, u1 = min(v + 1, h - 1), min(u + 1, w - 1)
            y[:, :, i, j] = ((1 - vw) * (1 - uw) * x[:, :, v, u] + (1 - vw) * uw * x[:, :, v, u1]
                             + vw * (1 - uw) * x[:, :, v1, u] + vw * uw * x[:, :, v1, u1])
    return y


def test_resize_images():
    rng = np.random.default_rng(0)
    dtype = np.float32                     # Chainer's resize_images takes float32 only
    x = data(rng, (1, 2, 3, 4), dtype)
    for shape, mode, align in [((5, 6), "bilinear", True), ((2, 7), "bilinear", False),
                               ((6, 3), "nearest", True), ((1, 1), "bilinear", True),
                               ((3, 4), "bilinear", True)]:
        # (the finite differences run in float64, which Chainer's type check refuses)
        with kusari.using_config("type_check", False):
            check_all(lambda v: F.resize_images(v, shape, mode=mode, align_corners=align),
                      lambda a: _resize_ref(a, *shape, mode, align), [x], dtype)
    with pytest.raises(InvalidType):
        F.resize_images(x.astype(np.float64), (2, 2))
    with pytest.raises(ValueError):
        F.resize_images(x, (2, 2), mode="cubic")


def _grid_ref(theta, h, w):
    ys, xs = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    pts = np.stack([xs.ravel(), ys.ravel(), np.ones(h * w)])
    return (theta.astype(np.float64) @ pts).reshape(theta.shape[0], 2, h, w)


@pytest.mark.parametrize("dtype", DTYPES)
def test_spatial_transformer_grid(dtype):
    rng = np.random.default_rng(1)
    theta = data(rng, (2, 2, 3), dtype)
    check_all(lambda t: F.spatial_transformer_grid(t, (3, 4)),
              lambda t: _grid_ref(t, 3, 4), [theta], dtype)
    with pytest.raises(InvalidType):
        F.spatial_transformer_grid(theta[:, :, :2], (3, 4))
    with pytest.raises(ValueError):
        F.spatial_transformer_grid(theta, (3, 4), use_cudnn="never")


def _sampler_ref(x, grid):
    """Bilinear reading with zeros outside the image, point by point."""
    n, c, h, w = x.shape
    _, _, oh, ow = grid.shape
    x = x.astype(np.float64)
    y = np.zeros((n, c, oh, ow))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                u = (grid[b, 0, i, j] + 1) * (w - 1) / 2
                v = (grid[b, 1, i, j] + 1) * (h - 1) / 2
                u0, v0 = int(np.floor(u)), int(np.floor(v))
                for vv, wv in ((v0, 1 - (v - v0)), (v0 + 1, v - v0)):
                    for uu, wu in ((u0, 1 - (u - u0)), (u0 + 1, u - u0)):
                        if 0 <= vv < h and 0 <= uu < w:
                            y[b, :, i, j] += wv * wu * x[b, :, vv, uu]
    return y


@pytest.mark.parametrize("dtype", DTYPES)
def test_spatial_transformer_sampler(dtype):
    rng = np.random.default_rng(2)
    x = data(rng, (2, 2, 3, 4), dtype)
    # points inside and outside the image, none on a pixel boundary (kinks)
    grid = rng.uniform(-1.3, 1.3, (2, 2, 2, 3))
    u = (grid[:, 0] + 1) * 3 / 2
    v = (grid[:, 1] + 1) * 2 / 2
    near = (np.abs(u - np.round(u)) < 0.05) | (np.abs(v - np.round(v)) < 0.05)
    grid[:, :, near.any(axis=0)] += 0.1
    grid = grid.astype(dtype)
    check_all(F.spatial_transformer_sampler, _sampler_ref, [x, grid], dtype)
    with pytest.raises(InvalidType):
        F.spatial_transformer_sampler(x, grid[:, :1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_add_function(dtype):
    rng = np.random.default_rng(3)
    a = data(rng, (4, 2, 3), dtype)
    for slices, bshape in [((0, slice(0, 1), np.array(-1)), (1,)),
                           ((slice(None), 0, [0, 2]), (4, 2)),
                           (([1, 0, 1], [0, 0, 0], [2, 0, 2]), (3,)),   # repeated: adds twice
                           (np.array([False, True, False, True]), (2, 2, 3)),
                           ([], (0, 2, 3))]:
        b = data(rng, bshape, dtype)

        def ref(a_, b_, s=slices):
            out = a_.astype(np.float64).copy()
            np.add.at(out, s, b_.astype(np.float64))
            return out
        check_all(lambda u, v: F.scatter_add(u, slices, v), ref, [a, b], dtype)
    with pytest.raises(ValueError):
        F.scatter_add(a, 1, np.zeros((3,), dtype))
    with pytest.raises(InvalidType):
        F.scatter_add(a, (0, 0, 0, 0), np.zeros((), dtype))


def test_where_takes_a_condition_variable():
    c = np.array([True, False, True])
    x, y = np.ones(3, np.float32), np.zeros(3, np.float32)
    from kusari.functions.array.where import where
    np.testing.assert_array_equal(where(Variable(c), x, y).array, [1, 0, 1])
    with pytest.raises(InvalidType):
        where(c, x, y.astype(np.float64))
    with pytest.raises(InvalidType):
        where(c.astype(np.int32), x, y)
