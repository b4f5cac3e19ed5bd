"""ResNet50Layers, ResNet101Layers and ResNet152Layers (Chainer's
chainer.links.model.vision.resnet): He et al.'s residual networks for
ImageNet, as a chain of named layers; BuildingBlock, BottleneckA and
BottleneckB are their parts."""
from __future__ import annotations

import collections
import os
import warnings

from ....functions.activation.relu import relu
from ....functions.activation.softmax import softmax
from ....functions.array.reshape import reshape
from ....functions.math.sum import sum as _sum
from ....functions.pooling.average_pooling_2d import average_pooling_2d
from ....functions.pooling.max_pooling_nd import max_pooling_2d
from ....initializers import HeNormal, Zero
from ....link import Chain
from ....serializers import npz
from ...connection.convolution_2d import Convolution2D
from ...connection.linear import Linear
from ...normalization.batch_normalization import BatchNormalization
from . import _common
from ._common import available  # noqa: F401 (Chainer's flag: Pillow is there)

_MEAN = (103.063, 115.903, 123.152)      # BGR
_SOURCE = "https://github.com/KaimingHe/deep-residual-networks"
_BLOCKS = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}


def _max_pooling_2d(x):
    return max_pooling_2d(x, ksize=3, stride=2)


def _global_average_pooling_2d(x):
    n, channel, rows, cols = x.shape
    h = average_pooling_2d(x, (rows, cols), stride=1)
    return reshape(h, (n, channel))


def _mean_of_ten(y):
    n = len(y) // 10
    return _sum(reshape(y, (n, 10) + y.shape[1:]), axis=1) / 10


def _check_n_layers(n_layers) -> list:
    if n_layers not in _BLOCKS:
        raise ValueError("The n_layers argument should be either 50, 101, or 152, but "
                         f"{n_layers} was given.")
    return _BLOCKS[n_layers]


class ResNetLayers(Chain):
    """A residual network of `n_layers` (50, 101 or 152): conv1 (7x7,
    stride 2) with batch normalization, 3x3 max pooling, four
    BuildingBlocks (res2 .. res5), global average pooling, fc6 (2048 ->
    1000), softmax. Any input size from 32x32 up runs to 'prob'.

    pretrained_model: a '.caffemodel' name (the subclasses' 'auto') loads
    ResNet-<n>-model.npz from <dataset root>/pfnet/chainer/models (kusari
    cannot convert the caffemodel: an error names the file to place
    there); another path loads that .npz; None initializes randomly
    (HeNormal(1.0) convolutions). downsample_fb: stride 2 in the 3x3
    convolutions of BottleneckA (Facebook's variant) instead of the 1x1.
    """

    def __init__(self, pretrained_model, n_layers, downsample_fb=False):
        super().__init__()
        if pretrained_model:
            conv_kwargs = {"initialW": Zero()}
        else:
            conv_kwargs = {"initialW": HeNormal(scale=1.0)}
        kwargs = dict(conv_kwargs, downsample_fb=downsample_fb)
        block = _check_n_layers(n_layers)
        with self.init_scope():
            self.conv1 = Convolution2D(3, 64, 7, 2, 3, **conv_kwargs)
            self.bn1 = BatchNormalization(64)
            self.res2 = BuildingBlock(block[0], 64, 64, 256, 1, **kwargs)
            self.res3 = BuildingBlock(block[1], 256, 128, 512, 2, **kwargs)
            self.res4 = BuildingBlock(block[2], 512, 256, 1024, 2, **kwargs)
            self.res5 = BuildingBlock(block[3], 1024, 512, 2048, 2, **kwargs)
            self.fc6 = Linear(2048, 1000)
        if pretrained_model and pretrained_model.endswith(".caffemodel"):
            root = _common.download.get_dataset_directory("pfnet/chainer/models/")
            _common.retrieve(self, f"ResNet-{n_layers}-model.npz",
                             os.path.join(root, pretrained_model), _SOURCE)
        elif pretrained_model:
            npz.load_npz(pretrained_model, self)

    @property
    def functions(self):
        """Layer name -> the callables that compute it (an OrderedDict, in
        order)."""
        return collections.OrderedDict([
            ("conv1", [self.conv1, self.bn1, relu]),
            ("pool1", [_max_pooling_2d]),
            ("res2", [self.res2]),
            ("res3", [self.res3]),
            ("res4", [self.res4]),
            ("res5", [self.res5]),
            ("pool5", [_global_average_pooling_2d]),
            ("fc6", [self.fc6]),
            ("prob", [softmax]),
        ])

    @property
    def available_layers(self):
        return list(self.functions.keys())

    @classmethod
    def convert_caffemodel_to_npz(cls, path_caffemodel, path_npz, n_layers=50):
        """Chainer converts the caffemodel with its Caffe reader, which
        kusari does not have: ImportError saying so (ValueError first for
        an n_layers that is not 50, 101 or 152)."""
        _check_n_layers(n_layers)
        raise _common.no_caffe(cls.__name__, path_caffemodel)

    def forward(self, x, layers=None, **kwargs):
        """The feature maps (dict: name -> Variable) of the layers named in
        `layers` (default ['prob']) for the prepared images `x`."""
        if layers is None:
            layers = ["prob"]
        _common.check_removed_kwargs(kwargs, test=_common._TEST)
        return _common.run_layers(self, x, layers)

    def extract(self, images, layers=None, size=(224, 224), **kwargs):
        """forward(prepare(images)) for a list of images (PIL or arrays);
        default layers ['pool5']."""
        if layers is None:
            layers = ["pool5"]
        _common.check_removed_kwargs(kwargs, test=_common._TEST,
                                     volatile=_common._VOLATILE)
        return _common.extract(self, images, layers, size, prepare)

    def predict(self, images, oversample=True):
        """Class probabilities (n, 1000) of the images, in test mode without
        a graph; `oversample` averages ten crops of each."""
        return _common.predict(self, images, oversample, prepare, _mean_of_ten)


class ResNet50Layers(ResNetLayers):
    """ResNetLayers with 50 layers (blocks of 3, 4, 6, 3 bottlenecks)."""

    def __init__(self, pretrained_model="auto", downsample_fb=False):
        if pretrained_model == "auto":
            pretrained_model = "ResNet-50-model.caffemodel"
        super().__init__(pretrained_model, 50, downsample_fb)


class ResNet101Layers(ResNetLayers):
    """ResNetLayers with 101 layers (blocks of 3, 4, 23, 3 bottlenecks)."""

    def __init__(self, pretrained_model="auto", downsample_fb=False):
        if pretrained_model == "auto":
            pretrained_model = "ResNet-101-model.caffemodel"
        super().__init__(pretrained_model, 101, downsample_fb)


class ResNet152Layers(ResNetLayers):
    """ResNetLayers with 152 layers (blocks of 3, 8, 36, 3 bottlenecks)."""

    def __init__(self, pretrained_model="auto", downsample_fb=False):
        if pretrained_model == "auto":
            pretrained_model = "ResNet-152-model.caffemodel"
        super().__init__(pretrained_model, 152, downsample_fb)


def prepare(image, size=(224, 224)):
    """An image (PIL, or an RGB array (H, W), (H, W, C) or (C, H, W)) as the
    ResNets' input: resized to `size` (width, height; None keeps it), BGR,
    minus the ImageNet mean, (3, H, W) in config.dtype."""
    return _common.prepare(image, size, _MEAN)


class BuildingBlock(Chain):
    """One stage of a ResNet: a BottleneckA (changing the channels and,
    with `stride`, the size) then n_layers - 1 BottleneckBs (b1, b2, ...)."""

    def __init__(self, n_layers=None, in_channels=None, mid_channels=None,
                 out_channels=None, stride=None, initialW=None, downsample_fb=None,
                 **kwargs):
        super().__init__()
        if "n_layer" in kwargs:
            warnings.warn("Argument `n_layer` is deprecated. Please use `n_layers` instead",
                          DeprecationWarning)
            n_layers = kwargs["n_layer"]
        with self.init_scope():
            self.a = BottleneckA(in_channels, mid_channels, out_channels, stride,
                                 initialW, downsample_fb)
            self._forward = ["a"]
            for i in range(n_layers - 1):
                name = f"b{i + 1}"
                setattr(self, name, BottleneckB(out_channels, mid_channels, initialW))
                self._forward.append(name)

    def forward(self, x):
        for name in self._forward:
            x = getattr(self, name)(x)
        return x


class BottleneckA(Chain):
    """relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))) + bn4(conv4(x))):
    1x1 -> 3x3 -> 1x1 convolutions (no bias) beside a 1x1 projection of x;
    `stride` in the first 1x1 (or, with downsample_fb, in the 3x3)."""

    def __init__(self, in_channels, mid_channels, out_channels, stride=2, initialW=None,
                 downsample_fb=False):
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if downsample_fb else (stride, 1)
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, mid_channels, 1, stride_1x1, 0,
                                       initialW=initialW, nobias=True)
            self.bn1 = BatchNormalization(mid_channels)
            self.conv2 = Convolution2D(mid_channels, mid_channels, 3, stride_3x3, 1,
                                       initialW=initialW, nobias=True)
            self.bn2 = BatchNormalization(mid_channels)
            self.conv3 = Convolution2D(mid_channels, out_channels, 1, 1, 0,
                                       initialW=initialW, nobias=True)
            self.bn3 = BatchNormalization(out_channels)
            self.conv4 = Convolution2D(in_channels, out_channels, 1, stride, 0,
                                       initialW=initialW, nobias=True)
            self.bn4 = BatchNormalization(out_channels)

    def forward(self, x):
        h1 = relu(self.bn1(self.conv1(x)))
        h1 = relu(self.bn2(self.conv2(h1)))
        h1 = self.bn3(self.conv3(h1))
        h2 = self.bn4(self.conv4(x))
        return relu(h1 + h2)


class BottleneckB(Chain):
    """relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + x): the
    identity-shortcut bottleneck."""

    def __init__(self, in_channels, mid_channels, initialW=None):
        super().__init__()
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, mid_channels, 1, 1, 0,
                                       initialW=initialW, nobias=True)
            self.bn1 = BatchNormalization(mid_channels)
            self.conv2 = Convolution2D(mid_channels, mid_channels, 3, 1, 1,
                                       initialW=initialW, nobias=True)
            self.bn2 = BatchNormalization(mid_channels)
            self.conv3 = Convolution2D(mid_channels, in_channels, 1, 1, 0,
                                       initialW=initialW, nobias=True)
            self.bn3 = BatchNormalization(in_channels)

    def forward(self, x):
        h = relu(self.bn1(self.conv1(x)))
        h = relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return relu(h + x)
