"""softmax_cross_entropy is one op, as Chainer's SoftmaxCrossEntropy: its
value and gradient against Chainer's formulas, eagerly, with labels traced
under jit, with ignored labels, for every float dtype and reduce mode."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F

DTYPES = [np.float16, np.float32, np.float64]


def reference(x, t, normalize=True, ignore_label=-1, reduce="mean"):
    """Chainer's forward and backward, in NumPy (float64)."""
    x = x.astype(np.float64)
    m = x.max(axis=1, keepdims=True)
    logp = x - (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))
    valid = t != ignore_label
    safe = np.where(valid, t, 0)
    picked = logp[np.arange(len(t)), safe] * valid
    p = np.exp(logp)
    onehot = np.eye(x.shape[1])[safe]
    g = (p - onehot) * valid[:, None]
    if reduce == "no":
        return -picked, g
    count = max(int(valid.sum()) if normalize else len(t), 1)
    return -picked.sum() / count, g / count


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_value_and_gradient_eager_and_jitted(dtype, normalize, reduce):
    rng = np.random.default_rng(5)
    x = rng.uniform(-3, 3, (6, 4)).astype(dtype)
    t = np.array([0, 3, -1, 2, -1, 1], np.int32)
    want, gwant = reference(x, t, normalize, -1, reduce)
    tol = 1e-2 if dtype == np.float16 else 1e-5

    def loss(x, t):
        y = F.softmax_cross_entropy(x, t, normalize=normalize, reduce=reduce)
        return F.sum(y) if reduce == "no" else y

    v = kusari.Variable(x)
    y = loss(v, t)
    y.backward()
    assert y.dtype == dtype
    np.testing.assert_allclose(y.array, want.sum() if reduce == "no" else want, rtol=tol)
    np.testing.assert_allclose(v.grad, gwant, rtol=tol, atol=tol)
    jitted = kusari.jit(loss)                         # the labels are traced here
    np.testing.assert_array_equal(jitted(x, t), y.array)
    vj = kusari.Variable(x)
    jitted(vj, t).backward()
    np.testing.assert_allclose(vj.grad, v.grad, rtol=tol, atol=tol)


def test_all_labels_ignored_gives_zero_not_nan():
    x = np.ones((2, 3), np.float32)
    t = np.array([-1, -1], np.int32)
    v = kusari.Variable(x)
    y = F.softmax_cross_entropy(v, t)
    y.backward()
    assert float(y.array) == 0 and np.all(v.grad == 0)


def test_more_than_two_dimensions_and_reduce_no_keep_the_label_shape():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)     # classes on axis 1
    t = rng.integers(0, 3, (2, 4, 5)).astype(np.int32)
    y = F.softmax_cross_entropy(x, t, reduce="no")
    assert y.shape == t.shape
    flat = np.moveaxis(x, 1, -1).reshape(-1, 3)
    want, _ = reference(flat, t.reshape(-1), reduce="no")
    np.testing.assert_allclose(y.array, want.reshape(t.shape), rtol=1e-5)


def test_second_derivative_matches_finite_differences():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4))
    t = np.array([1, -1, 3], np.int32)
    v = rng.standard_normal((3, 4))

    def gradient(a):
        xv = kusari.Variable(a)
        g, = kusari.grad([F.softmax_cross_entropy(xv, t)], [xv], enable_double_backprop=True)
        return g

    xv = kusari.Variable(x)
    g, = kusari.grad([F.softmax_cross_entropy(xv, t)], [xv], enable_double_backprop=True)
    hv, = kusari.grad([F.sum(g * v)], [xv])
    eps = 1e-6
    fd = (gradient(x + eps * v).array - gradient(x - eps * v).array) / (2 * eps)
    np.testing.assert_allclose(hv.array, fd, rtol=1e-5, atol=1e-7)
