"""SVHN: 32x32 colour crops of house numbers (digits 0-9)."""
from __future__ import annotations

import numpy

from ..configuration import get_dtype
from ..dataset import download
from ._known import retrieve, scale_images
from ._matfile import loadmat
from .tuple_dataset import TupleDataset

_BASE = "http://ufldl.stanford.edu/housenumbers/"


def get_svhn(withlabel=True, scale=1., dtype=None, label_dtype=numpy.int32,
             add_extra=False):
    """SVHN's training and test sets (and the extra training set with
    `add_extra`), downloaded once and cached as `<dataset root>/pfnet/
    chainer/svhn/{train,test,extra}.npz` (Chainer's files).

    Images have shape (3, 32, 32) and components in [0, scale] of `dtype`
    (`config.dtype` by default); labels (of `label_dtype`) are the digits,
    0 for SVHN's class 10. With `withlabel` each set is a TupleDataset of
    (image, label); otherwise an array of images. The .mat files are read by
    kusari itself: SciPy is not needed.
    """
    dtype = get_dtype(dtype)
    parts = ["train", "test"] + (["extra"] if add_extra else [])
    return tuple(_preprocess_svhn(_retrieve(part), withlabel, scale, dtype, label_dtype)
                 for part in parts)


def _retrieve(part):
    url = f"{_BASE}{part}_32x32.mat"

    def creator(path):
        raw = loadmat(download.cached_download(url))
        if "X" not in raw or "y" not in raw:
            raise RuntimeError(f"{url} has no X and y arrays: not an SVHN file")
        arrays = {"x": raw["X"].astype(numpy.uint8), "y": raw["y"].astype(numpy.uint8)}
        numpy.savez_compressed(path, **arrays)
        return arrays
    return retrieve("svhn", f"{part}.npz", creator)


def _preprocess_svhn(raw, withlabel, scale, image_dtype, label_dtype):
    # stored (height, width, channel, N): as (N, channel, height, width)
    images = scale_images(raw["x"].transpose(3, 2, 0, 1), image_dtype, scale)
    labels = raw["y"].astype(label_dtype).flatten()
    labels[labels == 10] = 0
    if withlabel:
        return TupleDataset(images, labels)
    return images
