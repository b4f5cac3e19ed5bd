"""What the downloaders of known data sets share: the cache layout
(`<root>/pfnet/chainer/<name>/<file>.npz`, as Chainer writes it), loading a
cached .npz, and scaling images."""
from __future__ import annotations

import os

import numpy

from ..dataset import download


def retrieve(directory: str, name: str, creator):
    """The arrays cached in `<root>/pfnet/chainer/<directory>/<name>`, made
    by `creator(path)` (which writes the .npz and returns its arrays) when
    the file is not there."""
    root = download.get_dataset_directory(os.path.join("pfnet", "chainer", directory))
    return download.cache_or_load_file(os.path.join(root, name), creator, load_npz)


def load_npz(path) -> dict:
    """The arrays of an .npz file (closed afterwards; no pickled objects)."""
    with numpy.load(path, allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


def scale_images(images, dtype, scale):
    """uint8 images as `dtype`, scaled from [0, 255] to [0, scale]."""
    images = images.astype(dtype)
    images *= scale / 255.
    return images
