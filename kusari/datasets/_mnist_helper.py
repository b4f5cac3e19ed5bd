"""MNIST-format files (IDX: big-endian header, then bytes), shared by
MNIST, Fashion-MNIST and Kuzushiji-MNIST."""
from __future__ import annotations

import gzip

import numpy

from ..configuration import get_dtype
from ..dataset import download
from ._known import retrieve, scale_images
from .tuple_dataset import TupleDataset

_IMAGES_MAGIC = 2051        # 0x00000803: unsigned bytes, 3 dimensions
_LABELS_MAGIC = 2049        # 0x00000801: unsigned bytes, 1 dimension


def _read_idx(path, magic, what):
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = numpy.frombuffer(data, ">u4", count=2 if magic == _LABELS_MAGIC else 4)
    if header[0] != magic:
        raise RuntimeError(f"{path} is not an MNIST {what} file (magic number "
                           f"{int(header[0])}, expected {magic})")
    body = numpy.frombuffer(data, numpy.uint8, offset=header.nbytes)
    n = int(header[1])
    expected = n * (int(header[2]) * int(header[3]) if magic == _IMAGES_MAGIC else 1)
    if body.size != expected:
        raise RuntimeError(f"{path}: the header promises {expected} bytes of "
                           f"{what}, the file has {body.size}")
    return n, body


def make_npz(path, urls):
    """Download the image and label files at `urls`, check they pair up,
    save them as `path` (.npz with x: (N, 784) uint8, y: (N,) uint8)."""
    x_url, y_url = urls
    n_x, x = _read_idx(download.cached_download(x_url), _IMAGES_MAGIC, "images")
    n_y, y = _read_idx(download.cached_download(y_url), _LABELS_MAGIC, "labels")
    if n_x != n_y:
        raise RuntimeError(f"wrong pair of MNIST images and labels ({n_x} images, "
                           f"{n_y} labels)")
    x = x.reshape(n_x, -1)
    numpy.savez_compressed(path, x=x, y=y)
    return {"x": x, "y": y}


def preprocess_mnist(raw, withlabel, ndim, scale, image_dtype, label_dtype, rgb_format):
    """The arrays of a cached file as Chainer's get_mnist returns them."""
    images = raw["x"]
    if ndim == 2:
        images = images.reshape(-1, 28, 28)
    elif ndim == 3:
        images = images.reshape(-1, 1, 28, 28)
        if rgb_format:
            images = numpy.broadcast_to(images, (len(images), 3) + images.shape[2:])
    elif ndim != 1:
        raise ValueError(f"invalid ndim for MNIST dataset: {ndim} (1, 2 or 3)")
    images = scale_images(images, get_dtype(image_dtype), scale)
    if withlabel:
        return TupleDataset(images, raw["y"].astype(label_dtype))
    return images


def get_mnist_like(directory, urls, withlabel, ndim, scale, dtype, label_dtype,
                   rgb_format):
    """(train, test) of an MNIST-format data set; `urls` maps 'train' and
    'test' to (images URL, labels URL)."""
    dtype = get_dtype(dtype)
    out = []
    for part in ("train", "test"):
        raw = retrieve(directory, f"{part}.npz",
                       lambda path, part=part: make_npz(path, urls[part]))
        out.append(preprocess_mnist(raw, withlabel, ndim, scale, dtype, label_dtype,
                                    rgb_format))
    return tuple(out)
