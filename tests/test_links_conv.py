"""Convolution, deconvolution and embedding links against their functions:
the same numbers for the same parameters, Chainer's parameter shapes,
lazy input sizes, from_params, default initializers drawn as Chainer draws
them, and a training step that changes the parameters."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import initializers


def rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


# (link, its arguments, input shape, the function it applies with its arguments, W shape)
LINKS = {
    "Convolution2D": (L.Convolution2D, (4, 6, 3), dict(stride=2, pad=1, groups=2),
                      (2, 4, 5, 6), lambda x, W, b: F.convolution_2d(x, W, b, 2, 1, groups=2),
                      (6, 2, 3, 3)),
    "Convolution1D": (L.Convolution1D, (2, 3, 2), dict(dilate=2), (2, 2, 7),
                      lambda x, W, b: F.convolution_1d(x, W, b, dilate=2), (3, 2, 2)),
    "Convolution3D": (L.Convolution3D, (2, 3, (1, 2, 2)), dict(cover_all=True, stride=2),
                      (1, 2, 3, 4, 5),
                      lambda x, W, b: F.convolution_3d(x, W, b, 2, cover_all=True),
                      (3, 2, 1, 2, 2)),
    "ConvolutionND": (L.ConvolutionND, (2, 3, 4, 2), dict(pad=1), (2, 3, 4, 4),
                      lambda x, W, b: F.convolution_nd(x, W, b, pad=1), (4, 3, 2, 2)),
    "Deconvolution2D": (L.Deconvolution2D, (4, 6, 3), dict(stride=2, groups=2, outsize=(10, 12)),
                        (2, 4, 4, 5),
                        lambda x, W, b: F.deconvolution_2d(x, W, b, 2, outsize=(10, 12),
                                                           groups=2), (4, 3, 3, 3)),
    "Deconvolution1D": (L.Deconvolution1D, (2, 3, 3), dict(stride=2), (2, 2, 4),
                        lambda x, W, b: F.deconvolution_1d(x, W, b, 2), (2, 3, 3)),
    "Deconvolution3D": (L.Deconvolution3D, (2, 1, 2), dict(), (1, 2, 2, 2, 2),
                        lambda x, W, b: F.deconvolution_3d(x, W, b), (2, 1, 2, 2, 2)),
    "DeconvolutionND": (L.DeconvolutionND, (2, 3, 2, 2), dict(pad=1, dilate=2), (1, 3, 3, 4),
                        lambda x, W, b: F.deconvolution_nd(x, W, b, pad=1, dilate=2),
                        (3, 2, 2, 2)),
    "DilatedConvolution2D": (L.DilatedConvolution2D, (3, 2, 2), dict(dilate=2, pad=1),
                             (2, 3, 5, 5),
                             lambda x, W, b: F.dilated_convolution_2d(x, W, b, pad=1, dilate=2),
                             (2, 3, 2, 2)),
    "DepthwiseConvolution2D": (L.DepthwiseConvolution2D, (3, 2, 3), dict(pad=1), (2, 3, 4, 4),
                               lambda x, W, b: F.depthwise_convolution_2d(x, W, b, pad=1),
                               (2, 3, 3, 3)),
    "LocalConvolution2D": (L.LocalConvolution2D, (3, 2, (5, 4), 2), dict(), (2, 3, 5, 4),
                           lambda x, W, b: F.local_convolution_2d(x, W, b), (2, 4, 3, 3, 2, 2)),
}


@pytest.mark.parametrize("name", sorted(LINKS))
def test_link_applies_its_function(name):
    cls, args, kw, xshape, fn, wshape = LINKS[name]
    link = cls(*args, **kw, initial_bias=0.5)
    assert link.W.shape == wshape
    x = rand(*xshape)
    y = link(x)
    np.testing.assert_allclose(y.array, fn(x, link.W.array, link.b.array).array,
                               rtol=1e-6, atol=1e-6)
    assert (link.b.array == 0.5).all()
    link.cleargrads()
    F.sum(y * y).backward()
    assert link.W.grad.shape == wshape and np.abs(link.W.grad).sum() > 0
    assert link.b.grad.shape == link.b.shape


@pytest.mark.parametrize("name", ["Convolution2D", "ConvolutionND", "Deconvolution2D",
                                  "DeconvolutionND", "DilatedConvolution2D",
                                  "DepthwiseConvolution2D", "LocalConvolution2D"])
def test_lazy_input_channels(name):
    cls, args, kw, xshape, fn, wshape = LINKS[name]
    if name == "DepthwiseConvolution2D":
        lazy = cls(None, *args[1:], **kw)
    elif name == "LocalConvolution2D":
        lazy = cls(None, args[1], None, args[3])
    elif name in ("ConvolutionND", "DeconvolutionND"):
        lazy = cls(args[0], None, *args[2:], **kw)
    else:
        lazy = cls(None, *args[1:], **kw)
    assert lazy.W.array is None
    y = lazy(rand(*xshape))
    assert lazy.W.shape == wshape and y.shape[0] == xshape[0]


def test_two_argument_forms_and_nobias():
    conv = L.Convolution2D(5, 3)                 # out_channels, ksize
    assert conv.W.array is None and conv.out_channels == 5
    assert conv(rand(2, 4, 6, 6)).shape == (2, 5, 4, 4)
    deconv = L.Deconvolution2D(5, 3, nobias=True)
    assert deconv.b is None
    assert deconv(rand(2, 4, 3, 3)).shape == (2, 5, 5, 5)
    nd = L.ConvolutionND(1, 4, 2)
    assert nd(rand(2, 3, 6)).shape == (2, 4, 5)
    with pytest.raises(ValueError, match="divisible"):
        L.Convolution2D(3, 4, 3, groups=2)


def test_default_initializers_draw_as_chainer():
    np.random.seed(3)
    conv = L.Convolution2D(2, 3, 2)
    np.random.seed(3)
    want = initializers.generate_array(initializers.LeCunNormal(), (3, 2, 2, 2), np)
    np.testing.assert_array_equal(conv.W.array, want)
    np.random.seed(4)
    emb = L.EmbedID(5, 3)
    np.random.seed(4)
    np.testing.assert_array_equal(
        emb.W.array, initializers.generate_array(initializers.Normal(1.0), (5, 3), np))
    np.random.seed(5)
    dw = L.DepthwiseConvolution2D(2, 3, 2)
    np.random.seed(5)
    np.testing.assert_array_equal(dw.W.array, initializers.generate_array(
        initializers.HeNormal(1 / np.sqrt(2)), (3, 2, 2, 2), np))
    assert dw.b.shape == (6,)


def test_from_params():
    W, b = rand(4, 2, 3, 3), rand(4, seed=1)
    conv = L.Convolution2D.from_params(W, b, stride=2, groups=2)
    assert conv.groups == 2 and conv.W.shape == (4, 2, 3, 3)
    np.testing.assert_array_equal(conv.W.array, W)
    x = rand(1, 4, 5, 5)
    np.testing.assert_allclose(conv(x).array, F.convolution_2d(x, W, b, 2, groups=2).array)
    nd = L.ConvolutionND.from_params(rand(3, 2, 2), cover_all=True)
    assert nd.W.shape == (3, 2, 2) and nd.cover_all
    emb = L.EmbedID.from_params(rand(5, 3), ignore_label=-1)
    assert emb.ignore_label == -1
    with pytest.raises(ValueError, match="out_channels"):
        L.Convolution2D.from_params(W, rand(3))


def test_embed_id_link():
    emb = L.EmbedID(4, 3, ignore_label=-1)
    ids = np.array([[1, -1], [3, 0]], np.int32)
    y = emb(ids)
    want = emb.W.array[[[1, 0], [3, 0]]]
    want[0, 1] = 0
    np.testing.assert_array_equal(y.array, want)
    emb.cleargrads()
    F.sum(y).backward()
    np.testing.assert_array_equal(emb.W.grad, [[1] * 3, [1] * 3, [0] * 3, [1] * 3])


def test_cnn_training_step_lowers_the_loss():
    np.random.seed(0)
    model = kusari.Sequential(L.Convolution2D(1, 4, 3), F.relu,
                              lambda h: F.max_pooling_2d(h, 2), L.Linear(None, 3))
    x = rand(8, 1, 8, 8)
    t = np.random.randint(0, 3, 8).astype(np.int32)
    opt = kusari.optimizers.SGD(lr=0.1)
    opt.setup(model)
    losses = []
    for _ in range(5):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        losses.append(float(loss.array))
    assert losses[-1] < losses[0]


def test_deformable_convolution_2d_link():
    link = L.DeformableConvolution2D(2, 3, 3, pad=1, deform_initialW=initializers.Normal(0.5))
    assert link.offset_conv.W.shape == (18, 2, 3, 3) and link.deform_conv.W.shape == (3, 2, 3, 3)
    x = rand(2, 2, 5, 5)
    y = link(x)
    offset = link.offset_conv(x).array
    np.testing.assert_allclose(y.array, F.deformable_convolution_2d_sampler(
        x, offset, link.deform_conv.W.array, link.deform_conv.b.array, 1, 1).array, rtol=1e-5)
    lazy = L.DeformableConvolution2D(None, 3, 3)
    assert lazy(x).shape == (2, 3, 3, 3) and lazy.deform_conv.W.shape == (3, 2, 3, 3)
