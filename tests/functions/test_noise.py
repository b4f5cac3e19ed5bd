"""Noise functions: with their randomness fixed (a given mask or eps, or a
seed) forward against NumPy and derivatives against finite differences; the
draws are NumPy's global generator's, in Chainer's order (so a seed gives
Chainer's numbers), eagerly and under kusari.jit."""
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
    "gaussian": "test_gaussian",
    "simplified_dropconnect": "test_simplified_dropconnect",
    "zoneout": "test_zoneout",
    "gumbel_softmax": "test_gumbel_softmax",
}


def data(rng, shape, dtype, lo=-1, hi=1):
    return rng.uniform(lo, hi, shape).astype(dtype)


def test_dropout_draws_as_chainer():
    x = data(np.random.default_rng(0), (3, 4), np.float32)
    np.random.seed(3)
    y, mask = F.dropout(x, 0.3, return_mask=True)
    np.random.seed(3)
    want = np.float32(1 / 0.7) * (np.random.rand(3, 4) >= 0.3)
    assert mask.dtype == np.float32
    np.testing.assert_array_equal(mask, want)
    np.testing.assert_array_equal(y.array, x * want)
    np.testing.assert_array_equal(F.dropout(x, 0.3, mask=mask).array, y.array)
    # ratio 0 keeps everything but still draws (the generator moves on as in Chainer)
    np.random.seed(3)
    y0 = F.dropout(x, 0.0)
    assert y0 is not x and np.array_equal(y0.array, x)
    assert np.random.rand() == (np.random.seed(3), np.random.rand(3, 4), np.random.rand())[2]
    with kusari.using_config("train", False):
        out, m = F.dropout(x, 0.5, return_mask=True)
        assert m is None and np.array_equal(out.array, x)
    with pytest.raises(ValueError):
        F.dropout(x, 1.0)
    with pytest.raises(ValueError):
        F.dropout(x, 0.5, train=True)
    with pytest.raises(InvalidType):
        F.dropout(np.ones(3, np.int32))


def test_dropout_function_object_keeps_its_mask():
    x = np.ones((2, 3), np.float32)
    d = F.noise.dropout.Dropout(0.5)
    y1, = d.apply((x,))
    y2, = d.apply((x,))
    np.testing.assert_array_equal(y1.array, y2.array)
    np.testing.assert_array_equal(y1.array, x * d.mask)


def test_dropout_under_jit_draws_in_eager_order():
    x = data(np.random.default_rng(1), (5, 6), np.float64)

    def step(v):
        a = F.dropout(v, 0.4)
        b = F.gaussian(v, v * 0.0)
        c = F.zoneout(v, v * 2, 0.3)
        return a + b + c
    f = kusari.jit(step)
    np.random.seed(0)
    want = [step(Variable(x)).array for _ in range(3)]
    np.random.seed(0)
    got = [f(x) for _ in range(3)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian(dtype):
    rng = np.random.default_rng(2)
    mean, ln_var = data(rng, (3, 2), dtype), data(rng, (3, 2), dtype)
    eps = data(rng, (3, 2), dtype)
    check_all(lambda m, v: F.gaussian(m, v, eps=eps),
              lambda m, v: m + np.exp(v * 0.5) * eps, [mean, ln_var], dtype)
    np.random.seed(5)
    y, e = F.gaussian(mean, ln_var, return_eps=True)
    np.random.seed(5)
    want = np.random.standard_normal((3, 2)).astype(dtype)
    np.testing.assert_array_equal(e, want)
    np.testing.assert_array_equal(
        y.array, mean + np.exp(ln_var * dtype(0.5)) * want)
    with pytest.raises(InvalidType):
        F.gaussian(mean, ln_var[:2])


@pytest.mark.parametrize("dtype", DTYPES)
def test_simplified_dropconnect(dtype):
    rng = np.random.default_rng(3)
    x, W, b = data(rng, (4, 3), dtype), data(rng, (2, 3), dtype), data(rng, (2,), dtype)
    for batchwise in (True, False):
        shape = (4, 2, 3) if batchwise else (2, 3)
        mask = rng.uniform(size=shape) >= 0.4

        def ref(x_, W_, b_=None, mask=mask, batchwise=batchwise):
            Wm = W_ * mask / 0.6
            y = np.einsum("nij,nj->ni", Wm, x_) if batchwise else x_ @ Wm.T
            return y if b_ is None else y + b_
        check_all(lambda u, w, c: F.simplified_dropconnect(u, w, c, 0.4, True, mask, batchwise),
                  ref, [x, W, b], dtype)
        check_all(lambda u, w: F.simplified_dropconnect(u, w, None, 0.4, True, mask, batchwise),
                  ref, [x, W], dtype)
    # not training: nothing dropped; a 4-D x is flattened
    x4 = data(rng, (4, 1, 3, 1), dtype)
    check_all(lambda u, w: F.simplified_dropconnect(u, w, train=False),
              lambda u, w: u.reshape(4, 3) @ w.T, [x4, W], dtype)
    # the mask drawn as Chainer draws it
    np.random.seed(7)
    y = F.simplified_dropconnect(x, W, b, 0.5)
    np.random.seed(7)
    keep = np.random.rand(4, 2, 3) >= 0.5
    want = np.einsum("nij,nj->ni", W.astype(np.float64) * keep * 2, x.astype(np.float64)) + b
    np.testing.assert_allclose(y.array, want, rtol=1e-2 if dtype == np.float16 else 1e-5)
    with pytest.raises(InvalidType):
        F.simplified_dropconnect(x, W[:, :2])


def test_simplified_dropconnect_mixed_dtypes():
    rng = np.random.default_rng(4)
    x, W = data(rng, (4, 3), np.float16), data(rng, (2, 3), np.float64)
    mask = np.ones((4, 2, 3), bool)
    y = F.simplified_dropconnect(x, W, None, 0.0, True, mask)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.array, (x.astype(np.float64) @ W.T).astype(np.float16))


@pytest.mark.parametrize("dtype", DTYPES)
def test_zoneout(dtype):
    rng = np.random.default_rng(5)
    h, x = data(rng, (3, 4), dtype), data(rng, (3, 4), dtype)

    def f(a, b):
        np.random.seed(11)
        return F.zoneout(a, b, 0.3)

    def ref(a, b):
        np.random.seed(11)
        keep_x = np.random.rand(3, 4) >= 0.3
        return np.where(keep_x, b, a)
    check_all(f, ref, [h, x], dtype)
    with kusari.using_config("train", False):
        np.testing.assert_array_equal(F.zoneout(h, x).array, x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gumbel_softmax(dtype):
    rng = np.random.default_rng(6)
    x = data(rng, (3, 4), dtype, -2, 2)

    def f(v):
        np.random.seed(13)
        return F.gumbel_softmax(v, tau=2.0)

    def ref(a):
        np.random.seed(13)
        z = (a + np.random.gumbel(size=a.shape).astype(dtype)) / 2.0
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    check_all(f, ref, [x], dtype)
    assert F.gumbel_softmax(np.array(1.0, np.float32)).array == 1
