"""pad (the op and the function), pad_sequence and im2col: forward against
NumPy, first and second derivatives against finite differences."""
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
    "pad": "test_pad",
    "pad_sequence": "test_pad_sequence",
    "im2col": "test_im2col",
}


def data(rng, shape, dtype):
    return rng.uniform(-1, 1, shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pad(dtype):
    rng = np.random.default_rng(0)
    x = data(rng, (2, 3), dtype)
    cases = [(1, "constant", {}), ((1, 2), "constant", {"constant_values": (1, 2)}),
             (((1, 2), (0, 3)), "constant", {"constant_values": ((1, 2), (3, 4))}),
             (0, "constant", {}), (((2, 1), (1, 2)), "edge", {}), (1, "reflect", {}),
             ((2, 1), "symmetric", {}), (((0, 3), (2, 2)), "wrap", {})]
    for width, mode, kw in cases:
        check_all(lambda v: F.pad(v, width, mode, **kw),
                  lambda a: np.pad(a, width, mode, **kw), [x], dtype)
    check_all(lambda v: F.pad(v, 2, "constant"), lambda a: np.pad(a, 2, "constant"),
              [data(rng, (), dtype)], dtype)
    with pytest.raises(InvalidType):            # Chainer pads float arrays only
        F.pad(np.zeros(3, np.int32), 1, "constant")
    with pytest.raises(ValueError):
        F.pad(x, 1, "median")
    with pytest.raises(ValueError):
        F.pad(x, -1, "constant")


def test_pad_non_finite_values():
    x = np.array([1.0, 2.0], np.float32)
    y = F.pad(x, (1, 2), "constant", constant_values=((np.nan, np.inf),))
    np.testing.assert_array_equal(y.array, [np.nan, 1, 2, np.inf, np.inf])


@pytest.mark.parametrize("dtype", DTYPES)
def test_pad_sequence(dtype):
    rng = np.random.default_rng(1)
    xs = [data(rng, (n, 2), dtype) for n in (2, 1, 3)]

    def ref(length, padding):
        def f(*arrays):
            out = np.full((len(arrays), length) + arrays[0].shape[1:], padding, dtype)
            for i, a in enumerate(arrays):
                out[i, :len(a)] = a
            return out
        return f
    check_all(lambda *vs: F.pad_sequence(list(vs)), ref(3, 0), xs, dtype)
    check_all(lambda *vs: F.pad_sequence(list(vs), length=5, padding=-1), ref(5, -1), xs,
              dtype)
    check_all(lambda *vs: F.pad_sequence(list(vs)), ref(1, 0), [data(rng, (1,), dtype)], dtype)


def test_pad_sequence_dtypes_and_checks():
    for dtype in (np.bool_, np.int8, np.uint16, np.float16):
        xs = [np.ones((2, 3), dtype), np.zeros((0, 3), dtype)]
        y = F.pad_sequence(xs, padding=1)
        assert y.dtype == dtype and y.shape == (2, 2, 3)
        np.testing.assert_array_equal(y.array[1], np.ones((2, 3), dtype))
    y = F.pad_sequence([np.ones(2, np.float32)], length=4, padding=np.nan)
    np.testing.assert_array_equal(y.array, [[1, 1, np.nan, np.nan]])
    assert F.pad_sequence([np.zeros(0, np.float32)]).shape == (1, 0)
    with pytest.raises(InvalidType):
        F.pad_sequence([np.ones(3), np.ones(2)], length=2)
    with pytest.raises(InvalidType):
        F.pad_sequence([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(InvalidType):
        F.pad_sequence([np.ones(2, np.float32), np.ones(2, np.float64)])


def _im2col_ref(x, kh, kw, sy, sx, ph, pw, cover_all, dy, dx):
    """A direct loop: col[n, c, i, j, y, x] = padded[n, c, y*sy + i*dy, x*sx + j*dx]."""
    n, c, h, w = x.shape

    def out(size, k, s, p, d):
        dk = k + (k - 1) * (d - 1)
        return (size + 2 * p - dk + (s - 1 if cover_all else 0)) // s + 1
    oh, ow = out(h, kh, sy, ph, dy), out(w, kw, sx, pw, dx)
    padded = np.zeros((n, c, h + 2 * ph + sy + dy * kh, w + 2 * pw + sx + dx * kw), x.dtype)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    col = np.zeros((n, c, kh, kw, oh, ow), x.dtype)
    for i in range(kh):
        for j in range(kw):
            for yy in range(oh):
                for xx in range(ow):
                    col[:, :, i, j, yy, xx] = padded[:, :, yy * sy + i * dy, xx * sx + j * dx]
    return col.reshape(n, c * kh * kw, oh, ow)


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col(dtype):
    rng = np.random.default_rng(2)
    x = data(rng, (1, 2, 4, 3), dtype)
    for ksize, stride, pad, cover_all, dilate in [(2, 1, 0, False, 1), ((2, 3), (2, 1), 1, True, 1),
                                                  (2, 2, (1, 0), False, (2, 1))]:
        kh, kw = (ksize, ksize) if isinstance(ksize, int) else ksize
        sy, sx = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (pad, pad) if isinstance(pad, int) else pad
        dy, dx = (dilate, dilate) if isinstance(dilate, int) else dilate
        check_all(lambda v: F.im2col(v, ksize, stride, pad, cover_all, dilate),
                  lambda a: _im2col_ref(a, kh, kw, sy, sx, ph, pw, cover_all, dy, dx),
                  [x], dtype)
    with pytest.raises(InvalidType):
        F.im2col(x[0], 2)


def test_pad_jit_and_tiers():
    """pad compiles (its NumPy form in its own module) and its gradient is a slice."""
    x = np.arange(6.0).reshape(2, 3)
    f = kusari.jit(lambda v: F.sum(F.pad(v, ((1, 0), (2, 1)), "constant",
                                         constant_values=7.0) ** 2))
    v = Variable(x)
    y = f(v)
    assert float(y.array) == pytest.approx(float(np.sum(np.pad(x, ((1, 0), (2, 1)),
                                                               constant_values=7.0) ** 2)))
    y.backward()
    np.testing.assert_allclose(v.grad, 2 * x)
