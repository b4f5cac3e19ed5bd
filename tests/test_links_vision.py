"""The vision models (VGG16/19Layers, GoogLeNet, ResNet50/101/152Layers):
every named layer's shape and dtype on small inputs with random
initialization, `functions` against `forward`, extract/predict/prepare,
pre-trained .npz loading (a path, and 'auto' from the dataset root) and the
error naming the file to place there. (Their numbers equal Chainer 7.8.1's
to float32 rounding, layer by layer, for the same parameters: checked by
loading kusari's saved models into Chainer; the files are too large to
keep as fixtures.)"""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from kusari.links.model.vision import _common, googlenet, resnet, vgg


def images(rng, n, h, w, channels=3, dtype=np.uint8):
    shape = (h, w, channels) if channels else (h, w)
    return [rng.uniform(0, 255, shape).astype(dtype) for _ in range(n)]


@pytest.fixture(scope="module")
def resnet50():
    np.random.seed(0)
    return L.ResNet50Layers(pretrained_model=None)


@pytest.fixture(scope="module")
def googlenet_model():
    np.random.seed(1)
    return L.GoogLeNet(pretrained_model=None)


def test_module_paths():
    from kusari.links.model.vision.googlenet import GoogLeNet
    from kusari.links.model.vision.resnet import (BottleneckA, BottleneckB,  # noqa: F401
                                                  BuildingBlock, ResNet50Layers,
                                                  ResNet101Layers, ResNet152Layers)
    from kusari.links.model.vision.vgg import VGG16Layers, VGG19Layers
    assert (L.GoogLeNet, L.ResNet50Layers, L.ResNet101Layers, L.ResNet152Layers,
            L.VGG16Layers, L.VGG19Layers) == (GoogLeNet, ResNet50Layers, ResNet101Layers,
                                              ResNet152Layers, VGG16Layers, VGG19Layers)
    assert vgg.available == googlenet.available == resnet.available == _common.available


RESNET_SHAPES = {"conv1": (64, 16, 16), "pool1": (64, 8, 8), "res2": (256, 8, 8),
                 "res3": (512, 4, 4), "res4": (1024, 2, 2), "res5": (2048, 1, 1),
                 "pool5": (2048,), "fc6": (1000,), "prob": (1000,)}


def test_resnet50_layers(resnet50):
    m = resnet50
    assert m.available_layers == list(RESNET_SHAPES)
    assert [len(getattr(m, f"res{i}")._forward) for i in (2, 3, 4, 5)] == [3, 4, 6, 3]
    assert m.res3.a.conv1.stride == (2, 2) and m.res3.a.conv2.stride == (1, 1)
    assert m.conv1.W.dtype == np.float32 and m.res2.a.conv1.b is None
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32)
    with kusari.using_config("train", False):
        out = m(x, layers=m.available_layers)
        assert list(out) == list(RESNET_SHAPES)
        for name, shape in RESNET_SHAPES.items():
            assert out[name].shape == (2,) + shape and out[name].dtype == np.float32, name
        np.testing.assert_allclose(out["prob"].array.sum(axis=1), 1, rtol=1e-5)
        # the functions dict, run by hand, is what forward computes
        h = x
        for name, funcs in m.functions.items():
            for f in funcs:
                h = f(h)
            np.testing.assert_array_equal(h.array, out[name].array)
        assert list(m(x)) == ["prob"]
        # pool5 is the global average of res5
        big = m(rng.uniform(-1, 1, (1, 3, 64, 64)).astype(np.float32),
                layers=["res5", "pool5"])
        np.testing.assert_allclose(big["pool5"].array, big["res5"].array.mean(axis=(2, 3)),
                                   rtol=1e-5, atol=1e-7)
    copied = m.copy()
    assert copied.conv1 is copied.functions["conv1"][0]
    assert copied.res2.a is getattr(copied.res2, copied.res2._forward[0])


def test_resnet_gradients_reach_every_parameter(resnet50):
    m = resnet50
    m.cleargrads()
    x = Variable(np.random.default_rng(1).uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32))
    y = m(x, layers=["fc6"])["fc6"]
    F.sum(y * y).backward()
    assert x.grad is not None and x.grad.shape == x.shape
    assert all(p.grad is not None for p in m.params())
    m.cleargrads()


@pytest.mark.parametrize("cls,blocks,fb", [(L.ResNet101Layers, [3, 4, 23, 3], True),
                                           (L.ResNet152Layers, [3, 8, 36, 3], False)])
def test_deeper_resnets(cls, blocks, fb):
    m = cls(pretrained_model=None, downsample_fb=fb)
    assert [len(getattr(m, f"res{i}")._forward) for i in (2, 3, 4, 5)] == blocks
    # downsample_fb: the stride moves to the 3x3 convolution
    assert m.res4.a.conv1.stride == ((1, 1) if fb else (2, 2))
    assert m.res4.a.conv2.stride == ((2, 2) if fb else (1, 1))
    x = np.random.default_rng(2).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)
    with kusari.using_config("train", False):
        out = m(x, layers=["res4", "pool5", "prob"])
    assert out["res4"].shape == (1, 1024, 2, 2)
    assert out["pool5"].shape == (1, 2048) and out["prob"].shape == (1, 1000)


def test_resnet_float16():
    with kusari.using_config("dtype", np.float16):
        m = L.ResNet50Layers(pretrained_model=None)
        assert m.conv1.W.dtype == np.float16 and m.bn1.gamma.dtype == np.float16
        x = np.random.default_rng(3).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float16)
        with kusari.using_config("train", False), np.errstate(over="ignore"):
            out = m(x, layers=["res2", "prob"])
        assert out["res2"].dtype == np.float16 and out["prob"].shape == (1, 1000)
        assert out["prob"].dtype == np.float16


def test_building_blocks():
    block = resnet.BuildingBlock(2, 4, 2, 8, 2)
    assert block._forward == ["a", "b1"]
    x = np.random.default_rng(4).uniform(-1, 1, (2, 4, 6, 6)).astype(np.float32)
    assert block(x).shape == (2, 8, 3, 3)
    with pytest.warns(DeprecationWarning, match="n_layer"):
        old = resnet.BuildingBlock(in_channels=4, mid_channels=2, out_channels=8, stride=1,
                                   n_layer=3)
    assert old._forward == ["a", "b1", "b2"]
    b = resnet.BottleneckB(8, 2)
    with kusari.using_config("train", False):
        h = F.relu(b.bn1(b.conv1(x := np.abs(block(x).array))))
        h = F.relu(b.bn2(b.conv2(h)))
        want = F.relu(b.bn3(b.conv3(h)) + x)
        np.testing.assert_allclose(b(x).array, want.array, rtol=1e-6)


GOOGLENET_SHAPES = {
    "conv1": (64, 112, 112), "pool1": (64, 56, 56), "conv2_reduce": (64, 56, 56),
    "conv2": (192, 56, 56), "pool2": (192, 28, 28), "inception_3a": (256, 28, 28),
    "inception_3b": (480, 28, 28), "pool3": (480, 14, 14), "inception_4a": (512, 14, 14),
    "inception_4b": (512, 14, 14), "inception_4c": (512, 14, 14),
    "inception_4d": (528, 14, 14), "inception_4e": (832, 14, 14), "pool4": (832, 7, 7),
    "inception_5a": (832, 7, 7), "inception_5b": (1024, 7, 7), "pool5": (1024, 1, 1),
    "loss3_fc": (1000,), "prob": (1000,), "loss1_fc2": (1000,), "loss2_fc2": (1000,)}


def test_googlenet_layers(googlenet_model):
    m = googlenet_model
    assert m.available_layers == list(GOOGLENET_SHAPES)
    x = np.random.default_rng(5).uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32)
    with kusari.using_config("train", False):
        out = m(x, layers=m.available_layers)
        for name, shape in GOOGLENET_SHAPES.items():
            assert out[name].shape == (1,) + shape and out[name].dtype == np.float32, name
        # the auxiliary classifiers start from inception_4a and inception_4d
        for branch, start in (("loss1_fc2", "inception_4a"), ("loss2_fc2", "inception_4d")):
            h = out[start]
            for f in m.functions[branch]:
                h = f(h)
            np.testing.assert_array_equal(h.array, out[branch].array)
        only = m(x, ["loss1_fc2"])
        assert list(only) == ["loss1_fc2"]
        np.testing.assert_array_equal(only["loss1_fc2"].array, out["loss1_fc2"].array)
    copied = m.copy()
    assert copied.conv1 is copied.functions["conv1"][0]
    with pytest.raises(ValueError, match="train argument is not supported"):
        m(x, train=False)
    with pytest.raises(ValueError, match="no layer named \\['fc9'\\]"):
        m(x, layers=["fc9"])


def _vgg_layers(n):
    convs = [2, 2, 3, 3, 3] if n == 16 else [2, 2, 4, 4, 4]
    names = []
    for i, k in enumerate(convs):
        names += [f"conv{i + 1}_{j + 1}" for j in range(k)] + [f"pool{i + 1}"]
    return names + ["fc6", "fc7", "fc8", "prob"]


@pytest.mark.parametrize("n", [16, 19])
def test_vgg_layers(n):
    np.random.seed(n)
    m = (L.VGG16Layers if n == 16 else L.VGG19Layers)(pretrained_model=None)
    assert m.available_layers == _vgg_layers(n)
    assert m.fc6.W.shape == (4096, 25088) and float(np.abs(m.conv1_1.b.array).max()) == 0
    assert 0.008 < float(m.conv5_1.W.array.std()) < 0.012          # Normal(0.01)
    x = np.random.default_rng(6).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)
    convs = [name for name in m.available_layers if name.startswith(("conv", "pool"))]
    out = m(x, layers=convs)
    side = 32
    for name in convs:
        if name.startswith("pool"):
            side //= 2
        channels = m[name.replace("pool", "conv") + "_1"].W.shape[0] \
            if name.startswith("pool") else m[name].W.shape[0]
        assert out[name].shape == (1, channels, side, side), name
    # the fully connected layers, from a pool5 of a 224x224 input
    h = np.random.default_rng(7).uniform(0, 1, (2, 512, 7, 7)).astype(np.float32)
    with kusari.using_config("train", False):
        for name, width in (("fc6", 4096), ("fc7", 4096), ("fc8", 1000), ("prob", 1000)):
            for f in m.functions[name]:
                h = f(h)
            assert h.shape == (2, width) and h.dtype == np.float32
    copied = m.copy()
    assert copied.conv1_1 is copied.functions["conv1_1"][0]
    with pytest.raises(ValueError, match="test argument is not supported"):
        m(x, test=True)


def test_vgg_n_layers_checked():
    with pytest.raises(ValueError, match="either 16 or 19, but 17 was given"):
        vgg.VGGLayers(pretrained_model=None, n_layers=17)
    with pytest.raises(ValueError, match="either 50, 101, or 152, but 34 was given"):
        resnet.ResNetLayers(None, 34)


@pytest.mark.parametrize("module,mean", [(vgg, (103.939, 116.779, 123.68)),
                                         (googlenet, (104.0, 117.0, 123.0)),
                                         (resnet, (103.063, 115.903, 123.152))])
def test_prepare_without_resizing(module, mean):
    rng = np.random.default_rng(8)
    rgb = images(rng, 1, 5, 4)[0]
    y = module.prepare(rgb, size=None)
    want = rgb[:, :, ::-1].astype(np.float32) - np.array(mean, np.float32)
    assert y.shape == (3, 5, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(y, want.transpose(2, 0, 1))
    # channels first, grey, one channel, floats cast to uint8 as Pillow gets them
    np.testing.assert_array_equal(module.prepare(rgb.transpose(2, 0, 1), size=None), y)
    grey = images(rng, 1, 5, 4, channels=0)[0]
    g = module.prepare(grey, size=None)
    np.testing.assert_array_equal(g, np.stack([grey.astype(np.float32) - m
                                               for m in mean]))
    np.testing.assert_array_equal(module.prepare(grey[None], size=None), g)
    floats = rgb.astype(np.float32) + 0.7
    np.testing.assert_array_equal(module.prepare(floats, size=None), y)
    # the same size as asked needs no resizing
    np.testing.assert_array_equal(module.prepare(rgb, size=(4, 5)), y)
    with kusari.using_config("dtype", np.float16):
        assert module.prepare(rgb, size=None).dtype == np.float16


@pytest.mark.skipif(_common.available, reason="Pillow is installed: it resizes")
def test_prepare_resizing_needs_pillow():
    rgb = images(np.random.default_rng(9), 1, 5, 4)[0]
    with pytest.raises(ImportError, match="Install Pillow.*resizing an image of 4x5 to "
                                          "224x224"):
        resnet.prepare(rgb)


def test_extract_and_predict(resnet50):
    rng = np.random.default_rng(10)
    x = images(rng, 2, 48, 40)
    with kusari.using_config("train", False):
        out = resnet50.extract(x, layers=["res3", "pool5"], size=None)
        assert out["res3"].shape == (2, 512, 6, 5) and out["pool5"].shape == (2, 2048)
        direct = resnet50(np.stack([resnet.prepare(i, size=None) for i in x]),
                          layers=["pool5"])["pool5"]
        np.testing.assert_array_equal(out["pool5"].array, direct.array)
    with pytest.raises(ValueError, match="volatile argument is not supported"):
        resnet50.extract(x, volatile=True)
    # predict without oversampling: the center 224x224 of a 256x256 image
    big = images(rng, 1, 256, 256)
    p = resnet50.predict(big, oversample=False)
    assert p.shape == (1, 1000) and p.dtype == np.float32 and p.creator is None
    with kusari.using_config("train", False):
        center = resnet.prepare(big[0], size=None)[None, :, 16:240, 16:240]
        np.testing.assert_allclose(p.array, resnet50(center)["prob"].array, rtol=1e-6)


class _Tiny(resnet.ResNetLayers):
    """predict's ten crops on a cheap network: prob is the softmax of the
    channel means (train must be off: the dropout would change it)."""

    def __init__(self):
        kusari.Chain.__init__(self)

    @property
    def functions(self):
        def pooled(x):
            assert not kusari.config.train and not kusari.config.enable_backprop
            return F.mean(x, axis=(2, 3)) / 16
        return {"pool5": [pooled], "prob": [F.softmax]}


def test_predict_oversampling_averages_ten_crops():
    rng = np.random.default_rng(11)
    imgs = images(rng, 2, 256, 256)
    got = _Tiny().predict(imgs, oversample=True)
    assert got.shape == (2, 3)
    x = np.stack([resnet.prepare(i, size=None) for i in imgs])
    crops = []
    for img in x:
        for top, left in ((0, 0), (0, 32), (32, 0), (32, 32), (16, 16)):
            crops.append(img[:, top:top + 224, left:left + 224])
        crops += [c[:, :, ::-1] for c in crops[-5:]]
    means = np.stack(crops).astype(np.float64).mean(axis=(2, 3)).reshape(2, 10, 3) / 16
    probs = np.exp(means) / np.exp(means).sum(axis=2, keepdims=True)
    assert probs.min() > 1e-3                   # a reference that can tell crops apart
    np.testing.assert_allclose(got.array, probs.mean(axis=1), rtol=1e-4)


def test_pretrained_npz_path_and_auto(googlenet_model, tmp_path, monkeypatch):
    from kusari.dataset import download
    path = tmp_path / "googlenet.npz"
    kusari.serializers.save_npz(str(path), googlenet_model, compression=False)
    loaded = L.GoogLeNet(pretrained_model=str(path))
    for (name, a), (_, b) in zip(sorted(googlenet_model.namedparams()),
                                 sorted(loaded.namedparams())):
        np.testing.assert_array_equal(a.array, b.array, err_msg=name)
    # 'auto': <dataset root>/pfnet/chainer/models/bvlc_googlenet.npz
    monkeypatch.setattr(download, "_explicit_root", str(tmp_path / "root"))
    models = tmp_path / "root" / "pfnet" / "chainer" / "models"
    with pytest.raises(OSError, match=f"{models}/bvlc_googlenet.npz does not exist.*"
                                      "CaffeFunction.*pretrained_model=None"):
        L.GoogLeNet()
    with pytest.raises(OSError, match="ResNet-50-model.npz does not exist.*"
                                      "ResNet-50-model.caffemodel"):
        L.ResNet50Layers()
    with pytest.raises(OSError, match="VGG_ILSVRC_19_layers.npz does not exist"):
        L.VGG19Layers()
    models.mkdir(parents=True, exist_ok=True)
    (models / "bvlc_googlenet.npz").write_bytes(path.read_bytes())
    auto = L.GoogLeNet()
    np.testing.assert_array_equal(auto.inc4e.conv5.W.array,
                                  googlenet_model.inc4e.conv5.W.array)


def test_caffemodel_conversion_names_the_missing_reader():
    for cls in (L.VGG16Layers, L.GoogLeNet, L.ResNet50Layers):
        with pytest.raises(ImportError, match="CaffeFunction.*kusari does not have"):
            cls.convert_caffemodel_to_npz("model.caffemodel", "model.npz")
    with pytest.raises(ValueError, match="but 18 was given"):
        L.ResNet50Layers.convert_caffemodel_to_npz("m.caffemodel", "m.npz", n_layers=18)
