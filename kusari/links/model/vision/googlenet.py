"""GoogLeNet (Chainer's chainer.links.model.vision.googlenet): BVLC's
Inception-v1 ImageNet network, with its two auxiliary classifiers."""
from __future__ import annotations

import collections

from ....functions.activation.relu import relu
from ....functions.activation.softmax import softmax
from ....functions.array.reshape import reshape
from ....functions.math.average import average
from ....functions.noise.dropout import dropout
from ....functions.normalization.local_response_normalization import (
    local_response_normalization)
from ....functions.pooling.average_pooling_2d import average_pooling_2d
from ....functions.pooling.max_pooling_nd import max_pooling_2d
from ....initializers import LeCunUniform, Zero
from ....link import Chain
from ....serializers import npz
from ...connection.convolution_2d import Convolution2D
from ...connection.inception import Inception
from ...connection.linear import Linear
from . import _common
from ._common import available  # noqa: F401 (Chainer's flag: Pillow is there)

_MEAN = (104.0, 117.0, 123.0)      # BGR
_URL = "http://dl.caffe.berkeleyvision.org/bvlc_googlenet.caffemodel"


def _max_pooling_2d(x):
    return max_pooling_2d(x, ksize=3, stride=2)


def _local_response_normalization(x):
    return local_response_normalization(x, n=5, k=1, alpha=1e-4 / 5)


def _average_pooling_2d_k5(x):
    return average_pooling_2d(x, ksize=5, stride=3)


def _average_pooling_2d_k7(x):
    return average_pooling_2d(x, ksize=7, stride=1)


def _dropout(x):
    return dropout(x, ratio=0.4)


def _mean_of_ten(y):
    n = len(y) // 10
    return average(reshape(y, (n, 10) + y.shape[1:]), axis=1)


class GoogLeNet(Chain):
    """GoogLeNet: convolutions, nine Inception modules, average pooling,
    loss3_fc (1024 -> 1000) and softmax; the auxiliary classifiers
    loss1_fc2 and loss2_fc2 start from inception_4a and inception_4d. The
    fully connected layers need 224x224 inputs (from `prepare`).

    pretrained_model: 'auto' loads bvlc_googlenet.npz from <dataset
    root>/pfnet/chainer/models (kusari cannot download and convert the
    caffemodel: an error names the file to place there); a path loads that
    .npz; None initializes randomly as BVLC does (LeCunUniform(1.0) weights
    of the convolutions and linear layers outside the Inception modules).
    """

    def __init__(self, pretrained_model="auto"):
        super().__init__()
        if pretrained_model:
            kwargs = {"initialW": Zero()}
        else:
            kwargs = {"initialW": LeCunUniform(scale=1.0)}
        with self.init_scope():
            self.conv1 = Convolution2D(3, 64, 7, stride=2, pad=3, **kwargs)
            self.conv2_reduce = Convolution2D(64, 64, 1, **kwargs)
            self.conv2 = Convolution2D(64, 192, 3, stride=1, pad=1, **kwargs)
            self.inc3a = Inception(192, 64, 96, 128, 16, 32, 32)
            self.inc3b = Inception(256, 128, 128, 192, 32, 96, 64)
            self.inc4a = Inception(480, 192, 96, 208, 16, 48, 64)
            self.inc4b = Inception(512, 160, 112, 224, 24, 64, 64)
            self.inc4c = Inception(512, 128, 128, 256, 24, 64, 64)
            self.inc4d = Inception(512, 112, 144, 288, 32, 64, 64)
            self.inc4e = Inception(528, 256, 160, 320, 32, 128, 128)
            self.inc5a = Inception(832, 256, 160, 320, 32, 128, 128)
            self.inc5b = Inception(832, 384, 192, 384, 48, 128, 128)
            self.loss3_fc = Linear(1024, 1000, **kwargs)
            self.loss1_conv = Convolution2D(512, 128, 1, **kwargs)
            self.loss1_fc1 = Linear(2048, 1024, **kwargs)
            self.loss1_fc2 = Linear(1024, 1000, **kwargs)
            self.loss2_conv = Convolution2D(528, 128, 1, **kwargs)
            self.loss2_fc1 = Linear(2048, 1024, **kwargs)
            self.loss2_fc2 = Linear(1024, 1000, **kwargs)
        if pretrained_model == "auto":
            _common.retrieve(self, "bvlc_googlenet.npz", "bvlc_googlenet.caffemodel", _URL)
        elif pretrained_model:
            npz.load_npz(pretrained_model, self)

    @property
    def functions(self):
        """Layer name -> the callables that compute it (an OrderedDict, in
        order; loss1_fc2 and loss2_fc2 start from inception_4a and
        inception_4d)."""
        return collections.OrderedDict([
            ("conv1", [self.conv1, relu]),
            ("pool1", [_max_pooling_2d, _local_response_normalization]),
            ("conv2_reduce", [self.conv2_reduce, relu]),
            ("conv2", [self.conv2, relu, _local_response_normalization]),
            ("pool2", [_max_pooling_2d]),
            ("inception_3a", [self.inc3a]),
            ("inception_3b", [self.inc3b]),
            ("pool3", [_max_pooling_2d]),
            ("inception_4a", [self.inc4a]),
            ("inception_4b", [self.inc4b]),
            ("inception_4c", [self.inc4c]),
            ("inception_4d", [self.inc4d]),
            ("inception_4e", [self.inc4e]),
            ("pool4", [_max_pooling_2d]),
            ("inception_5a", [self.inc5a]),
            ("inception_5b", [self.inc5b]),
            ("pool5", [_average_pooling_2d_k7]),
            ("loss3_fc", [_dropout, self.loss3_fc]),
            ("prob", [softmax]),
            ("loss1_fc2", [_average_pooling_2d_k5, self.loss1_conv, relu,
                           self.loss1_fc1, relu, self.loss1_fc2]),
            ("loss2_fc2", [_average_pooling_2d_k5, self.loss2_conv, relu,
                           self.loss2_fc1, relu, self.loss2_fc2]),
        ])

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
        _common.check_removed_kwargs(kwargs, train=_common._TRAIN)
        return _common.run_layers(self, x, layers, keep=(("loss1_fc2", "inception_4a"),
                                                         ("loss2_fc2", "inception_4d")))

    def extract(self, images, layers=None, size=(224, 224), **kwargs):
        """forward(prepare(images)) for a list of images (PIL or arrays);
        default layers ['pool5']."""
        if layers is None:
            layers = ["pool5"]
        _common.check_removed_kwargs(kwargs, train=_common._TRAIN,
                                     volatile=_common._VOLATILE)
        return _common.extract(self, images, layers, size, prepare)

    def predict(self, images, oversample=True):
        """Class probabilities (n, 1000) of the images, in test mode without
        a graph; `oversample` averages ten crops of each."""
        return _common.predict(self, images, oversample, prepare, _mean_of_ten)


def prepare(image, size=(224, 224)):
    """An image (PIL, or an RGB array (H, W), (H, W, C) or (C, H, W)) as
    GoogLeNet's input: resized to `size` (width, height; None keeps it),
    BGR, minus BVLC's mean, (3, H, W) in config.dtype."""
    return _common.prepare(image, size, _MEAN)
