"""VGG16Layers and VGG19Layers (Chainer's chainer.links.model.vision.vgg):
the VGG team's ImageNet networks, as a chain of named layers."""
from __future__ import annotations

import collections

from ....functions.activation.relu import relu
from ....functions.activation.softmax import softmax
from ....functions.array.reshape import reshape
from ....functions.math.sum import sum as _sum
from ....functions.noise.dropout import dropout
from ....functions.pooling.max_pooling_nd import max_pooling_2d
from ....initializers import Normal, Zero
from ....link import Chain
from ...connection.convolution_2d import Convolution2D
from ...connection.linear import Linear
from ....serializers import npz
from . import _common
from ._common import available  # noqa: F401 (Chainer's flag: Pillow is there)

_MEAN = (103.939, 116.779, 123.68)      # BGR
_URLS = {16: "https://www.robots.ox.ac.uk/%7Evgg/software/very_deep/caffe/"
             "VGG_ILSVRC_16_layers.caffemodel",
         19: "http://www.robots.ox.ac.uk/%7Evgg/software/very_deep/caffe/"
             "VGG_ILSVRC_19_layers.caffemodel"}


def _max_pooling_2d(x):
    return max_pooling_2d(x, ksize=2)


def _mean_of_ten(y):
    n = len(y) // 10
    return _sum(reshape(y, (n, 10) + y.shape[1:]), axis=1) / 10


class VGGLayers(Chain):
    """The VGG network of `n_layers` (16 or 19) layers: 3x3 convolutions in
    five blocks with 2x2 max pooling, fc6 (25088 -> 4096), fc7 (4096),
    fc8 (1000), softmax. Inputs are 224x224 (from `prepare`) for the fully
    connected layers; the convolution blocks take any size.

    pretrained_model: 'auto' loads VGG_ILSVRC_<n>_layers.npz from
    <dataset root>/pfnet/chainer/models (kusari cannot download and convert
    the caffemodel: an error names the file to place there); a path loads
    that .npz; None initializes randomly as the paper does (weights
    Normal(0.01), biases 0).
    """

    def __init__(self, pretrained_model="auto", n_layers=16):
        super().__init__()
        if pretrained_model:
            kwargs = {"initialW": Zero(), "initial_bias": Zero()}
        else:
            kwargs = {"initialW": Normal(0.01), "initial_bias": Zero()}
        if n_layers not in [16, 19]:
            raise ValueError("The n_layers argument should be either 16 or 19, "
                             f"but {n_layers} was given.")
        with self.init_scope():
            self.conv1_1 = Convolution2D(3, 64, 3, 1, 1, **kwargs)
            self.conv1_2 = Convolution2D(64, 64, 3, 1, 1, **kwargs)
            self.conv2_1 = Convolution2D(64, 128, 3, 1, 1, **kwargs)
            self.conv2_2 = Convolution2D(128, 128, 3, 1, 1, **kwargs)
            self.conv3_1 = Convolution2D(128, 256, 3, 1, 1, **kwargs)
            self.conv3_2 = Convolution2D(256, 256, 3, 1, 1, **kwargs)
            self.conv3_3 = Convolution2D(256, 256, 3, 1, 1, **kwargs)
            self.conv4_1 = Convolution2D(256, 512, 3, 1, 1, **kwargs)
            self.conv4_2 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
            self.conv4_3 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
            self.conv5_1 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
            self.conv5_2 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
            self.conv5_3 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
            self.fc6 = Linear(512 * 7 * 7, 4096, **kwargs)
            self.fc7 = Linear(4096, 4096, **kwargs)
            self.fc8 = Linear(4096, 1000, **kwargs)
            if n_layers == 19:
                self.conv3_4 = Convolution2D(256, 256, 3, 1, 1, **kwargs)
                self.conv4_4 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
                self.conv5_4 = Convolution2D(512, 512, 3, 1, 1, **kwargs)
        if pretrained_model == "auto":
            _common.retrieve(self, f"VGG_ILSVRC_{n_layers}_layers.npz",
                             f"VGG_ILSVRC_{n_layers}_layers.caffemodel", _URLS[n_layers])
        elif pretrained_model:
            npz.load_npz(pretrained_model, self)

    @property
    def functions(self):
        """Layer name -> the callables that compute it from the previous
        layer's output (an OrderedDict, in order)."""
        convs = [["conv1_1", "conv1_2"], ["conv2_1", "conv2_2"],
                 ["conv3_1", "conv3_2", "conv3_3"], ["conv4_1", "conv4_2", "conv4_3"],
                 ["conv5_1", "conv5_2", "conv5_3"]]
        if hasattr(self, "conv3_4"):
            for block in convs[2:]:
                block.append(block[0][:-1] + "4")
        layers = []
        for i, block in enumerate(convs):
            layers += [(name, [getattr(self, name), relu]) for name in block]
            layers.append((f"pool{i + 1}", [_max_pooling_2d]))
        layers += [("fc6", [self.fc6, relu, dropout]), ("fc7", [self.fc7, relu, dropout]),
                   ("fc8", [self.fc8]), ("prob", [softmax])]
        return collections.OrderedDict(layers)

    @property
    def available_layers(self):
        return list(self.functions.keys())

    @classmethod
    def convert_caffemodel_to_npz(cls, path_caffemodel, path_npz):
        """Chainer converts the caffemodel with its Caffe reader, which
        kusari does not have: ImportError saying so."""
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
        default layers ['fc7']. config.train and enable_backprop are left as
        they are (predict sets them)."""
        if layers is None:
            layers = ["fc7"]
        _common.check_removed_kwargs(kwargs, test=_common._TEST,
                                     volatile=_common._VOLATILE)
        return _common.extract(self, images, layers, size, prepare)

    def predict(self, images, oversample=True):
        """Class probabilities (n, 1000) of the images, in test mode without
        a graph; `oversample` averages ten crops of each."""
        return _common.predict(self, images, oversample, prepare, _mean_of_ten)


class VGG16Layers(VGGLayers):
    """VGGLayers with 16 layers (see VGGLayers)."""

    def __init__(self, pretrained_model="auto"):
        super().__init__(pretrained_model, 16)


class VGG19Layers(VGGLayers):
    """VGGLayers with 19 layers: a fourth convolution in blocks 3 to 5."""

    def __init__(self, pretrained_model="auto"):
        super().__init__(pretrained_model, 19)


def prepare(image, size=(224, 224)):
    """An image (PIL, or an RGB array (H, W), (H, W, C) or (C, H, W)) as the
    VGG models' input: resized to `size` (width, height; None keeps it),
    BGR, minus the ImageNet mean, (3, H, W) in config.dtype."""
    return _common.prepare(image, size, _MEAN)
