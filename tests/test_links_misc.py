"""Activation links (Maxout, PReLU, Swish, SimplifiedDropconnect), Bilinear,
Highway and Classifier against their functional forms (their numbers against
Chainer's are in test_links_rnn.py's fixture test)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from tests.helpers import check_grad


def uniform(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def test_maxout_is_linear_then_maxout():
    rng = np.random.default_rng(0)
    link = L.Maxout(3, 2, 4)
    assert link.linear.W.shape == (8, 3) and link.linear.b.shape == (8,)
    x = uniform(rng, 5, 3)
    y = link(x)
    pre = x @ link.linear.W.array.T + link.linear.b.array
    np.testing.assert_allclose(y.array, pre.reshape(5, 2, 4).max(axis=2), rtol=1e-6)


def test_maxout_initializers_in_its_own_layout():
    W = np.arange(24, dtype=np.float32).reshape(2, 4, 3)      # (out, pool, in)
    b = np.arange(8, dtype=np.float32).reshape(2, 4)
    link = L.Maxout(3, 2, 4, initialW=W, initial_bias=b)
    np.testing.assert_array_equal(link.linear.W.array, W.reshape(8, 3))
    np.testing.assert_array_equal(link.linear.b.array, b.reshape(8))
    seen = []

    def init(array):
        seen.append(array.shape)
        array[...] = 1
    L.Maxout(3, 2, 4, initialW=init)
    assert seen == [(2, 4, 3)]
    assert L.Maxout(3, 2, 4, initial_bias=None).linear.b is None
    with pytest.raises(ValueError, match="initialW.ndim should be 3"):
        L.Maxout(3, 2, 4, initialW=np.ones((8, 3), np.float32))


def test_prelu_and_swish():
    rng = np.random.default_rng(1)
    x = uniform(rng, 4, 3, 2)
    prelu = L.PReLU((3,), init=0.1)
    np.testing.assert_array_equal(prelu.W.array, np.full(3, 0.1, np.float32))
    y = prelu(x)
    np.testing.assert_allclose(y.array, np.where(x >= 0, x, x * 0.1), rtol=1e-6)
    assert L.PReLU().W.shape == ()
    swish = L.Swish(None, beta_init=2.0)
    assert swish.beta.array is None
    y = swish(x)
    assert swish.beta.shape == (3, 2)
    np.testing.assert_allclose(y.array, x / (1 + np.exp(-2.0 * x)), rtol=1e-5)


def test_simplified_dropconnect():
    rng = np.random.default_rng(2)
    link = L.SimplifiedDropconnect(None, 2, ratio=0.5)
    x = uniform(rng, 4, 3)
    y = link(x, train=False)
    assert link.W.shape == (2, 3)
    np.testing.assert_allclose(y.array, x @ link.W.array.T + link.b.array, rtol=1e-6)
    mask = np.ones((4, 2, 3), np.float32)
    mask[:, 0, 0] = 0
    y = link(x, train=True, mask=mask)
    W = link.W.array * mask[0]
    np.testing.assert_allclose(y.array, x @ W.T * 2 + link.b.array, rtol=1e-5)
    assert "mask" in link.__dict__


def test_bilinear_link():
    rng = np.random.default_rng(3)
    link = L.Bilinear(2, 3, 4)
    assert (link.W.shape, link.V1.shape, link.V2.shape, link.b.shape) == \
        ((2, 3, 4), (2, 4), (3, 4), (4,))
    e1, e2 = uniform(rng, 5, 2), uniform(rng, 5, 3)
    want = np.einsum("ij,ik,jkl->il", e1, e2, link.W.array) + e1 @ link.V1.array + \
        e2 @ link.V2.array + link.b.array
    np.testing.assert_allclose(link(e1, e2).array, want, rtol=1e-5, atol=1e-6)
    plain = L.Bilinear(2, 3, 4, nobias=True)
    assert not hasattr(plain, "V1")
    np.testing.assert_allclose(plain(e1, e2).array,
                               np.einsum("ij,ik,jkl->il", e1, e2, plain.W.array), rtol=1e-5)
    given = L.Bilinear(2, 3, 4, initial_bias=(np.ones((2, 4), np.float32),
                                              np.zeros((3, 4), np.float32),
                                              np.full(4, 2, np.float32)))
    np.testing.assert_array_equal(given.b.array, np.full(4, 2, np.float32))
    with pytest.raises(ValueError, match="initial_bias must be tuple or None"):
        L.Bilinear(2, 3, 4, initial_bias=1.0)
    with pytest.raises(AssertionError):
        L.Bilinear(2, 3, 4, initialW=np.ones((2, 3, 5), np.float32))


def test_highway():
    rng = np.random.default_rng(4)
    link = L.Highway(3)
    np.testing.assert_array_equal(link.transform.b.array, np.full(3, -1, np.float32))
    x = uniform(rng, 4, 3)
    h = np.maximum(x @ link.plain.W.array.T + link.plain.b.array, 0)
    t = 1 / (1 + np.exp(-(x @ link.transform.W.array.T + link.transform.b.array)))
    np.testing.assert_allclose(link(x).array, h * t + x * (1 - t), rtol=1e-5, atol=1e-6)
    link64 = L.Highway(3, activate=F.tanh)
    for p in link64.params():
        p.array = p.array.astype(np.float64)
    check_grad(link64, [x.astype(np.float64)], np.float64)


def test_classifier_reports_loss_and_accuracy():
    rng = np.random.default_rng(5)
    model = L.Classifier(L.Linear(3, 2))
    assert model.lossfun is F.softmax_cross_entropy and model.accfun is F.accuracy
    x, t = uniform(rng, 4, 3), np.array([0, 1, 1, 0], np.int32)
    reporter = kusari.Reporter()
    reporter.add_observer("main", model)
    observation = {}
    with reporter.scope(observation):
        loss = model(x, t)
    y = model.predictor(x)
    np.testing.assert_allclose(loss.array, F.softmax_cross_entropy(y, t).array, rtol=1e-6)
    assert model.y is not None and model.loss is loss
    def value(v):
        return np.asarray(getattr(v, "array", v))
    np.testing.assert_allclose(value(observation["main/loss"]), loss.array)
    np.testing.assert_allclose(value(observation["main/accuracy"]), F.accuracy(y, t).array)
    model.compute_accuracy = False
    model.accuracy = None
    model(x, t)
    assert model.accuracy is None
    loss.backward()
    assert model.predictor.W.grad is not None


def test_classifier_label_key_and_custom_functions():
    calls = []

    def predictor(a, b=None):
        calls.append((a, b))
        return Variable(np.ones((2, 2), np.float32))

    model = L.Classifier(predictor, lossfun=lambda y, t: F.sum(y) * 0 + float(t.sum()),
                         accfun=lambda y, t: F.sum(y), label_key=0)
    t = np.array([1, 2], np.int32)
    x = np.zeros((2, 2), np.float32)
    assert float(model(t, x).array) == 3.0 and calls[-1][0] is x
    by_name = L.Classifier(predictor, lossfun=lambda y, t: F.sum(y),
                           accfun=lambda y, t: F.sum(y), label_key="t")
    by_name(x, b=1, t=t)
    assert calls[-1] == (x, 1)
    with pytest.raises(ValueError, match='Label key "t" is not found'):
        by_name(x)
    with pytest.raises(ValueError, match="Label key 3 is out of bounds"):
        L.Classifier(predictor, label_key=3)(x, t)
    with pytest.raises(TypeError, match="label_key must be int or str"):
        L.Classifier(predictor, label_key=1.5)
