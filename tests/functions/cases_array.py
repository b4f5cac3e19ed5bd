"""Special points for the array functions (and the pad op): each is linear in
its float inputs, so its gradient is the adjoint of its NumPy forward
applied to the cotangent whatever x holds (0, -0.0, +-inf, NaN, huge, tiny),
and its second derivative is zero."""
from __future__ import annotations

import numpy as np

import kusari
import kusari.functions as F
from kusari.functions.array.as_strided import _stride_array
from tests.functions.special_cases import linear, points, rows


def _rows(dt):
    return [rows(dt)]


def _images(dt, shape=(1, 4, 2, 3)):
    """Special points laid out as a batch of images."""
    return [np.resize(points(dt), shape)]


def _theta(dt):
    return [np.resize(points(dt), (3, 2, 3))]


def _resize(v):
    # Chainer's resize_images takes float32 only; float64 runs with the check off
    with kusari.using_config("type_check", False):
        return F.resize_images(v, (3, 5))


def _resize_ref(x):
    """Bilinear, corners aligned: (2, 3) -> (3, 5), weights written out."""
    def axis(size, out):
        m = np.zeros((out, size))
        for o in range(out):
            p = o * (size - 1) / (out - 1)
            i = int(np.floor(p))
            w = p - i
            m[o, i] += 1 - w
            if w:
                m[o, min(i + 1, size - 1)] += w
        return m
    return np.einsum("ah,nchw,bw->ncab", axis(x.shape[2], 3), x, axis(x.shape[3], 5))


# grid points inside and outside a 2 x 3 image, none on a pixel edge; dyadic,
# so that float32 weights are the float64 ones
_GRID = np.array([[[[-0.875, 0.3125, 1.1875], [0.5625, -1.375, 0.0625]],
                   [[0.1875, -0.625, 0.875], [-1.3125, 0.4375, 0.6875]]]])


def _sampler_ref(x):
    n, c, h, w = x.shape
    y = np.zeros((n, c) + _GRID.shape[2:])
    for i in range(_GRID.shape[2]):
        for j in range(_GRID.shape[3]):
            u = (_GRID[0, 0, i, j] + 1) * (w - 1) / 2
            v = (_GRID[0, 1, i, j] + 1) * (h - 1) / 2
            u0, v0 = int(np.floor(u)), int(np.floor(v))
            for vv, wv in ((v0, 1 - (v - v0)), (v0 + 1, v - v0)):
                for uu, wu in ((u0, 1 - (u - u0)), (u0 + 1, u - u0)):
                    if 0 <= vv < h and 0 <= uu < w:
                        y[:, :, i, j] += wv * wu * x[:, :, vv, uu]
    return y


def _grid_ref(theta):
    h, w = 2, 3
    ys, xs = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    pts = np.stack([xs.ravel(), ys.ravel(), np.ones(h * w)])
    return (theta @ pts).reshape(theta.shape[0], 2, h, w)


def _im2col_ref(x):
    """ksize 2, stride 1, pad 1: every 2 x 2 window of the zero-padded image."""
    n, c, h, w = x.shape
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    col = np.zeros((n, c, 2, 2, h + 1, w + 1), p.dtype)
    for i in range(2):
        for j in range(2):
            col[:, :, i, j] = p[:, :, i:i + h + 1, j:j + w + 1]
    return col.reshape(n, c * 4, h + 1, w + 1)


def _d2s_ref(x):
    n, c, h, w = x.shape
    return x.reshape(n, 2, 2, c // 4, h, w).transpose(0, 3, 4, 1, 5, 2).reshape(
        n, c // 4, h * 2, w * 2)


def _s2d_ref(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 3, 5, 1, 2, 4).reshape(
        n, 4 * c, h // 2, w // 2)


def _sequences(x):
    return [x[:3], x[3:5], x[5:6]]


def _transposed_ref(x):
    xs = _sequences(x)
    return tuple(np.stack([a[t] for a in xs if len(a) > t]) for t in range(len(xs[0])))


def _padded_ref(x):
    out = np.zeros((3, 4) + x.shape[1:], x.dtype)
    for i, a in enumerate(_sequences(x)):
        out[i, :len(a)] = a
    return out


_PERM = np.array([2, 0, 3, 1], np.int32)

CASES = {
    "pad": linear(lambda v: F.pad(v, ((1, 2), (0, 1)), "constant"),
                  lambda x: np.pad(x, ((1, 2), (0, 1))), _rows),
    "pad_sequence": linear(lambda v: F.pad_sequence(_sequences(v), length=4), _padded_ref,
                           _rows),
    "transpose_sequence": linear(lambda v: F.transpose_sequence(_sequences(v)),
                                 _transposed_ref, _rows),
    "tile": linear(lambda v: F.tile(v[:3], (2, 1, 2)), lambda x: np.tile(x[:3], (2, 1, 2)),
                   _rows),
    "repeat": linear(lambda v: F.repeat(v[:3], (2, 0, 1), axis=0),
                     lambda x: np.repeat(x[:3], (2, 0, 1), axis=0), _rows),
    "flip": linear(lambda v: F.flip(v, 1), lambda x: np.flip(x, 1), _rows),
    "fliplr": linear(F.fliplr, np.fliplr, _rows),
    "flipud": linear(F.flipud, np.flipud, _rows),
    "moveaxis": linear(lambda v: F.moveaxis(v, 0, -1), lambda x: np.moveaxis(x, 0, -1),
                       _images),
    "rollaxis": linear(lambda v: F.rollaxis(v, 3, 1), lambda x: np.rollaxis(x, 3, 1), _images),
    "dstack": linear(lambda v: F.dstack([v, v[:, ::-1]]), lambda x: np.dstack([x, x[:, ::-1]]),
                     _rows),
    "diagonal": linear(lambda v: F.diagonal(v, 1), lambda x: np.diagonal(x, 1), _rows),
    "permutate": linear(lambda v: F.permutate(v, _PERM, axis=1, inv=True),
                        lambda x: x[:, np.argsort(_PERM)], _rows),
    "as_strided": linear(lambda v: F.as_strided(v, (3, 4), (2, 3), 1),
                         lambda x: _stride_array(np.ascontiguousarray(x), (3, 4), (2, 3), 1),
                         _rows),
    "copy": linear(lambda v: F.copy(v, -1), lambda x: x, _rows),
    "depth2space": linear(lambda v: F.depth2space(v, 2), _d2s_ref, _images),
    "space2depth": linear(lambda v: F.space2depth(v, 2),
                          _s2d_ref, lambda dt: _images(dt, (1, 2, 2, 4))),
    "im2col": linear(lambda v: F.im2col(v, 2, pad=1), _im2col_ref, _images),
    "resize_images": linear(_resize, _resize_ref, lambda dt: _images(dt, (1, 2, 2, 3))),
    "spatial_transformer_grid": linear(lambda t: F.spatial_transformer_grid(t, (2, 3)),
                                       _grid_ref, _theta),
    "spatial_transformer_sampler": linear(
        lambda v: F.spatial_transformer_sampler(v, _GRID.astype(v.dtype)), _sampler_ref,
        lambda dt: _images(dt, (1, 3, 2, 3))),
}
