"""MNIST: handwritten digits, 28x28 grey images in 10 classes."""
from __future__ import annotations

import numpy

from ._mnist_helper import get_mnist_like

_BASE = "http://yann.lecun.com/exdb/mnist/"
_URLS = {"train": (_BASE + "train-images-idx3-ubyte.gz", _BASE + "train-labels-idx1-ubyte.gz"),
         "test": (_BASE + "t10k-images-idx3-ubyte.gz", _BASE + "t10k-labels-idx1-ubyte.gz")}


def get_mnist(withlabel=True, ndim=1, scale=1., dtype=None, label_dtype=numpy.int32,
              rgb_format=False):
    """The MNIST training (60000) and test (10000) sets, downloaded once and
    cached as `<dataset root>/pfnet/chainer/mnist/{train,test}.npz` (Chainer's
    files: one Chainer made is used as it is).

    Images have pixels in [0, scale] of `dtype` (`config.dtype` by default)
    and shape (784,) for ndim=1, (28, 28) for 2, (1, 28, 28) for 3 ((3, 28,
    28) with `rgb_format`). With `withlabel` each set is a TupleDataset of
    (image, label) with labels of `label_dtype`; otherwise an array of images.
    """
    return get_mnist_like("mnist", _URLS, withlabel, ndim, scale, dtype, label_dtype,
                          rgb_format)
