"""Bias, Scale, Parameter, MLPConvolution2D, Inception and InceptionBN
against their functional forms: values, gradients of inputs and parameters
(finite differences for Bias and Scale), lazy shapes, Chainer's errors."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from tests.helpers import check_grad


def uniform(rng, *shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


def test_module_paths():
    from kusari.links.connection.bias import Bias
    from kusari.links.connection.inception import Inception
    from kusari.links.connection.inceptionbn import InceptionBN
    from kusari.links.connection.mlp_convolution_2d import MLPConvolution2D
    from kusari.links.connection.parameter import Parameter
    from kusari.links.connection.scale import Scale
    assert (L.Bias, L.Scale, L.Parameter, L.MLPConvolution2D, L.Inception,
            L.InceptionBN) == (Bias, Scale, Parameter, MLPConvolution2D, Inception,
                               InceptionBN)
    assert kusari.Parameter is not L.Parameter          # the Variable vs the link


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_learnt_and_given(dtype):
    rng = np.random.default_rng(0)
    x, b = uniform(rng, 3, 2, 4, dtype=dtype), uniform(rng, 2, 4, dtype=dtype)
    link = L.Bias(1, (2, 4))
    assert link.b.dtype == np.float32 and not link.b.array.any()      # starts at 0
    link.b.array = b
    y = link(x)
    np.testing.assert_array_equal(y.array, x + b[None])
    gy = uniform(rng, 3, 2, 4, dtype=dtype)
    link.cleargrads()
    y.grad = gy
    y.backward()
    np.testing.assert_allclose(link.b.grad, gy.sum(axis=0), rtol=1e-6)
    free = L.Bias(axis=1)
    assert not hasattr(free, "b") and list(free.params()) == []
    check_grad(lambda x, b: free(x, b), [x, b], dtype)
    check_grad(lambda x, b: F.bias(x, b, 1), [x, b], dtype)


def test_bias_and_scale_argument_count():
    x = Variable(np.zeros((2, 3), np.float32))
    b = Variable(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"Bias takes 1 input .* got 2"):
        L.Bias(1, (3,))(x, b)
    with kusari.using_config("debug", True):
        with pytest.raises(AssertionError, match="Bias takes 2 inputs"):
            L.Bias(1)(x)
        with pytest.raises(AssertionError, match="Scale takes 1 input"):
            L.Scale(1, (3,))(x, b)
    with pytest.raises(ValueError, match="Scale takes 2 inputs"):
        L.Scale(1)(x)
    with pytest.raises(ValueError, match="bias_shape should be given"):
        L.Scale(1, None, True, None)


@pytest.mark.parametrize("learn_W,bias_term", [(True, False), (True, True), (False, False),
                                               (False, True)])
def test_scale(learn_W, bias_term):
    rng = np.random.default_rng(1)
    x, W, b = uniform(rng, 3, 2, 5), uniform(rng, 2), uniform(rng, 2)
    link = L.Scale(1, (2,) if learn_W else None, bias_term, None if learn_W else (2,))
    assert hasattr(link, "W") == learn_W and hasattr(link, "bias") == bias_term
    if learn_W:
        assert (link.W.array == 1).all()                 # starts at 1
        link.W.array = W.copy()
    if bias_term:
        assert isinstance(link.bias, L.Bias)
        link.bias.b.array = b.copy()
    want = x * W[None, :, None] + (b[None, :, None] if bias_term else 0)
    args = () if learn_W else (W,)
    y = link(x, *args)
    np.testing.assert_allclose(y.array, want, rtol=1e-6)
    # gradients of the parameters against the functional form
    gy = uniform(rng, *y.shape)
    link.cleargrads()
    xv = Variable(x)
    y = link(xv, *args)
    y.grad = gy
    y.backward()
    np.testing.assert_allclose(xv.grad, gy * W[None, :, None], rtol=1e-6)
    if learn_W:
        np.testing.assert_allclose(link.W.grad, (gy * x).sum(axis=(0, 2)), rtol=1e-5)
    if bias_term:
        np.testing.assert_allclose(link.bias.b.grad, gy.sum(axis=(0, 2)), rtol=1e-5)
    if not learn_W and not bias_term:     # (finite differences run in float64)
        check_grad(lambda x, W: link(x, W), [x, W], np.float32)


def test_parameter_link():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    link = L.Parameter(a)
    assert link.W.array is a and link.W.dtype == np.float64
    assert [p is link.W for p in link.params()] == [True]
    y = link()
    assert y is not link.W
    np.testing.assert_array_equal(y.array, a)
    link.cleargrads()
    F.sum(y * y).backward()
    np.testing.assert_array_equal(link.W.grad, 2 * a)
    np.testing.assert_array_equal(link(volatile="on").array, a)
    with pytest.raises(TypeError, match="must be an ndarray"):
        L.Parameter([1.0, 2.0])


def test_mlp_convolution_2d_is_its_convolutions():
    rng = np.random.default_rng(2)
    x = uniform(rng, 2, 3, 9, 9)
    mlp = L.MLPConvolution2D(3, (4, 5, 6), 3, stride=2, pad=1, activation=F.tanh)
    assert len(mlp) == 3 and mlp.activation is F.tanh
    assert [c.W.shape for c in mlp] == [(4, 3, 3, 3), (5, 4, 1, 1), (6, 5, 1, 1)]
    y = mlp(x)
    h = F.tanh(F.convolution_2d(x, mlp[0].W, mlp[0].b, stride=2, pad=1))
    h = F.tanh(F.convolution_2d(h, mlp[1].W, mlp[1].b))
    want = F.convolution_2d(h, mlp[2].W, mlp[2].b)
    assert y.shape == (2, 6, 5, 5)
    np.testing.assert_allclose(y.array, want.array, rtol=1e-5, atol=1e-6)
    # no activation after the last convolution (its output can be negative)
    assert (mlp(x).array < 0).any()
    # lazy in_channels, both spellings; relu by default
    for lazy in (L.MLPConvolution2D(None, (4, 5), 3), L.MLPConvolution2D((4, 5), 3)):
        assert lazy.activation is F.relu and lazy[0].W.array is None
        assert lazy(x).shape == (2, 5, 7, 7)
        assert lazy[0].W.shape == (4, 3, 3, 3) and lazy[1].W.shape == (5, 4, 1, 1)
    init = L.MLPConvolution2D(3, (2,), 1, conv_init=0.5, bias_init=0.25)
    assert (init[0].W.array == 0.5).all() and (init[0].b.array == 0.25).all()


def test_mlp_convolution_2d_errors():
    with pytest.raises(TypeError, match="wscale"):
        L.MLPConvolution2D(3, (4, 5), None, 1, 0, F.relu, 1)
    with pytest.raises(ValueError, match="wscale"):
        L.MLPConvolution2D(3, (4, 5), wscale=1)
    with pytest.raises(TypeError, match="out_channels must be a sequence"):
        L.MLPConvolution2D(3, 4, 3)
    with pytest.raises(ValueError, match="at least one"):
        L.MLPConvolution2D(3, (), 3)


def test_inception_is_its_paths():
    rng = np.random.default_rng(3)
    x = uniform(rng, 2, 3, 6, 6)
    link = L.Inception(3, 2, 2, 3, 1, 2, 4)
    y = link(x)
    assert y.shape == (2, 2 + 3 + 2 + 4, 6, 6)

    def conv(c, h, pad=0):
        return F.convolution_2d(h, c.W, c.b, pad=pad)
    want = F.relu(F.concat([
        conv(link.conv1, x),
        conv(link.conv3, F.relu(conv(link.proj3, x)), 1),
        conv(link.conv5, F.relu(conv(link.proj5, x)), 2),
        conv(link.projp, F.max_pooling_2d(x, 3, stride=1, pad=1))], axis=1))
    np.testing.assert_allclose(y.array, want.array, rtol=1e-5, atol=1e-6)
    # a gradient reaches every parameter; lazy input size
    link.cleargrads()
    F.sum(y * y).backward()
    assert all(p.grad is not None and p.grad.any() for p in link.params())
    lazy = L.Inception(None, 1, 1, 1, 1, 1, 1, conv_init=1.0, bias_init=0.0)
    assert lazy(x).shape == (2, 4, 6, 6) and lazy.conv1.W.shape == (1, 3, 1, 1)


@pytest.mark.parametrize("out1,pooltype,proj_pool,stride", [
    (2, "max", 3, 1), (2, "avg", 3, 1), (0, "max", None, 1), (0, "avg", 3, 2),
    (0, "max", None, 2)])
def test_inceptionbn_shapes_and_paths(out1, pooltype, proj_pool, stride):
    rng = np.random.default_rng(4)
    x = uniform(rng, 4, 3, 5, 5)
    link = L.InceptionBN(3, out1, 2, 3, 2, 4, pooltype, proj_pool, stride)
    assert hasattr(link, "conv1") == (out1 > 0) and hasattr(link, "poolp") == \
        (proj_pool is not None)
    assert link.proj3.b is None                                  # convolutions: no bias
    y = link(x)
    side = 5 if stride == 1 else 3
    channels = out1 + 3 + 4 + (proj_pool if proj_pool is not None else 3)
    assert y.shape == (4, channels, side, side)
    # the pooling path without a projection is the pooled input itself
    pool = F.max_pooling_2d(x, 3, stride=stride, pad=1, cover_all=False) \
        if pooltype == "max" else F.average_pooling_2d(x, 3, stride=stride, pad=1)
    if proj_pool is None:
        np.testing.assert_allclose(y.array[:, -3:], pool.array, rtol=1e-6)
    # the 3x3 path: convolution, batch statistics, relu
    h = F.relu(link.proj3n(F.convolution_2d(x, link.proj3.W)))
    h = F.relu(link.conv3n(F.convolution_2d(h, link.conv3.W, stride=stride, pad=1)))
    np.testing.assert_allclose(y.array[:, out1:out1 + 3], h.array, rtol=1e-4, atol=1e-5)
    y.grad = uniform(rng, *y.shape)
    y.backward()
    assert link.conv33b.W.grad is not None


def test_inceptionbn_errors_and_dtype():
    with pytest.raises(NotImplementedError, match="pooltype must be 'max' or 'avg'"):
        L.InceptionBN(3, 0, 2, 3, 2, 3, "sum")
    with pytest.raises(AssertionError, match="proj_pool"):
        L.InceptionBN(3, 2, 2, 3, 2, 3, "max", None)
    with pytest.raises(AssertionError, match="stride == 1"):
        L.InceptionBN(3, 2, 2, 3, 2, 3, "max", 3, 2)
    with kusari.using_config("dtype", np.float16):
        link = L.InceptionBN(3, 2, 2, 3, 2, 3, "max", 3)
    for bn in (link.proj3n, link.conv3n, link.proj33n, link.conv33an, link.conv33bn,
               link.conv1n, link.poolpn):
        assert bn.beta.dtype == np.float16
