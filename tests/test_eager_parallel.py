"""Large eager elementwise ops run split over threads: the same bits as NumPy,
special values included; operands that do not split (broadcast, strided) run
whole."""
from __future__ import annotations

import numpy as np
import pytest

import kusari.functions as F
from kusari import Variable, function_node
from kusari.runtime import blocked


@pytest.fixture
def small_splits(monkeypatch):
    monkeypatch.setattr(blocked, "PER_THREAD", 8)
    monkeypatch.setattr(function_node, "EAGER_PARALLEL", 16)
    blocked.set_workers(2)
    yield
    blocked.set_workers(None)


def special(n, dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(-30, 30, n).astype(dtype)
    x[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, np.finfo(dtype).tiny]
    return x


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("f,ref", [(F.tanh, np.tanh), (F.exp, np.exp), (F.sin, np.sin),
                                   (F.sigmoid, lambda a: np.tanh(a * a.dtype.type(0.5))
                                    * a.dtype.type(0.5) + a.dtype.type(0.5))],
                         ids=["tanh", "exp", "sin", "sigmoid"])
def test_split_results_are_numpys_bits(small_splits, f, ref, dtype):
    x = special(1001, dtype)
    with np.errstate(all="ignore"):
        got, want = f(Variable(x)).array, ref(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_binary_and_broadcast_and_strided(small_splits):
    a, b = special(999, np.float32), special(999, np.float32)[::-1].copy()
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal((Variable(a) * Variable(b)).array, a * b)
        np.testing.assert_array_equal((Variable(a) + 2.5).array, a + np.float32(2.5))
        m = a.reshape(27, 37)
        np.testing.assert_array_equal((Variable(m) - Variable(m[0])).array, m - m[0])
        np.testing.assert_array_equal(F.exp(Variable(m.T)).array, np.exp(m.T))


def test_gradients_through_split_ops(small_splits):
    x = np.linspace(-2, 2, 500)
    v = Variable(x)
    F.sum(F.tanh(v) * F.sin(v)).backward()
    t = np.tanh(x)
    np.testing.assert_allclose(v.grad, (1 - t * t) * np.sin(x) + t * np.cos(x), rtol=1e-13)
