"""Kuzushiji-MNIST: 28x28 grey images of cursive hiragana in 10 classes."""
from __future__ import annotations

import numpy

from ._mnist_helper import get_mnist_like

_kuzushiji_mnist_labels = [("o", "\u304A"), ("ki", "\u304D"), ("su", "\u3059"),
                           ("tsu", "\u3064"), ("na", "\u306A"), ("ha", "\u306F"),
                           ("ma", "\u307E"), ("ya", "\u3084"), ("re", "\u308C"),
                           ("wo", "\u3092")]
_BASE = "http://codh.rois.ac.jp/kmnist/dataset/kmnist/"
_URLS = {"train": (_BASE + "train-images-idx3-ubyte.gz", _BASE + "train-labels-idx1-ubyte.gz"),
         "test": (_BASE + "t10k-images-idx3-ubyte.gz", _BASE + "t10k-labels-idx1-ubyte.gz")}


def get_kuzushiji_mnist_labels():
    """The classes, label 0 first, as (romaji, character) pairs."""
    return list(_kuzushiji_mnist_labels)


def get_kuzushiji_mnist(withlabel=True, ndim=1, scale=1., dtype=None,
                        label_dtype=numpy.int32, rgb_format=False):
    """Kuzushiji-MNIST's training and test sets, as `get_mnist` gives
    MNIST's (cached under `pfnet/chainer/kuzushiji_mnist`)."""
    return get_mnist_like("kuzushiji_mnist", _URLS, withlabel, ndim, scale, dtype,
                          label_dtype, rgb_format)
