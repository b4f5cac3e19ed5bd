"""Fashion-MNIST: 28x28 grey images of clothes in 10 classes."""
from __future__ import annotations

import numpy

from ._mnist_helper import get_mnist_like

_fashion_mnist_labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
_BASE = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_URLS = {"train": (_BASE + "train-images-idx3-ubyte.gz", _BASE + "train-labels-idx1-ubyte.gz"),
         "test": (_BASE + "t10k-images-idx3-ubyte.gz", _BASE + "t10k-labels-idx1-ubyte.gz")}


def get_fashion_mnist_labels():
    """The class names, label 0 first."""
    return list(_fashion_mnist_labels)


def get_fashion_mnist(withlabel=True, ndim=1, scale=1., dtype=None,
                      label_dtype=numpy.int32, rgb_format=False):
    """Fashion-MNIST's training and test sets, as `get_mnist` gives MNIST's
    (cached under `pfnet/chainer/fashion-mnist`)."""
    return get_mnist_like("fashion-mnist", _URLS, withlabel, ndim, scale, dtype,
                          label_dtype, rgb_format)
