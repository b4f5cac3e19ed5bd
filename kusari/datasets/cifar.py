"""CIFAR-10 and CIFAR-100: 32x32 colour images in 10 or 100 classes."""
from __future__ import annotations

import codecs
import pickle
import tarfile

import numpy

from ..configuration import get_dtype
from ..dataset import download
from ._known import retrieve, scale_images
from .tuple_dataset import TupleDataset


def get_cifar10(withlabel=True, ndim=3, scale=1., dtype=None):
    """The CIFAR-10 training (50000) and test (10000) sets, downloaded once
    and cached as `<dataset root>/pfnet/chainer/cifar/cifar-10.npz` (Chainer's
    file: one Chainer made is used as it is).

    Images have components in [0, scale] of `dtype` (`config.dtype` by
    default) and shape (3, 32, 32) for ndim=3, (3072,) for ndim=1. With
    `withlabel` each set is a TupleDataset of (image, int32 label);
    otherwise an array of images.
    """
    return _get_cifar("cifar-10", withlabel, ndim, scale, dtype)


def get_cifar100(withlabel=True, ndim=3, scale=1., dtype=None):
    """The CIFAR-100 training and test sets (fine labels, 100 classes), as
    `get_cifar10` gives CIFAR-10's (cached as `cifar-100.npz`)."""
    return _get_cifar("cifar-100", withlabel, ndim, scale, dtype)


def _get_cifar(name, withlabel, ndim, scale, dtype):
    url = f"https://www.cs.toronto.edu/~kriz/{name}-python.tar.gz"

    def creator(path):
        with tarfile.open(download.cached_download(url), "r:gz") as archive:
            if name == "cifar-10":
                train = [_batch(archive, f"cifar-10-batches-py/data_batch_{i}", "labels")
                         for i in range(1, 6)]
                train_x = numpy.concatenate([x for x, _ in train])
                train_y = numpy.concatenate([y for _, y in train])
                test_x, test_y = _batch(archive, "cifar-10-batches-py/test_batch", "labels")
            else:
                train_x, train_y = _batch(archive, "cifar-100-python/train", "fine_labels")
                test_x, test_y = _batch(archive, "cifar-100-python/test", "fine_labels")
        arrays = {"train_x": train_x, "train_y": train_y,
                  "test_x": test_x, "test_y": test_y}
        numpy.savez_compressed(path, **arrays)
        return arrays

    raw = retrieve("cifar", f"{name}.npz", creator)
    return (_preprocess_cifar(raw["train_x"], raw["train_y"], withlabel, ndim, scale, dtype),
            _preprocess_cifar(raw["test_x"], raw["test_y"], withlabel, ndim, scale, dtype))


def _batch(archive, member, label_key):
    """(images (N, 3072) uint8, labels (N,) uint8) of one pickled batch."""
    f = archive.extractfile(member)
    if f is None:
        raise RuntimeError(f"the CIFAR archive has no file {member}")
    with f:
        d = _ArrayUnpickler(f, encoding="latin-1").load()
    x = numpy.asarray(d["data"], dtype=numpy.uint8).reshape(-1, 3072)
    y = numpy.asarray(d[label_key], dtype=numpy.uint8)
    if len(x) != len(y):
        raise RuntimeError(f"{member}: {len(x)} images but {len(y)} labels")
    return x, y


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, strings and NumPy arrays, nothing else: the
    file comes from the network, and pickle can run code."""

    def find_class(self, module, name):
        if (module, name) in (("numpy", "ndarray"), ("numpy", "dtype")):
            return getattr(numpy, name)
        if (module, name) == ("_codecs", "encode"):     # bytes in protocol 2
            return codecs.encode
        # NumPy 2's module; NumPy 1 has `numpy._core` too, but as an empty stub
        core = numpy.core if numpy.__version__.startswith("1.") else numpy._core
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and \
                name in ("_reconstruct", "scalar"):
            return getattr(core.multiarray, name)
        if module in ("numpy.core.numeric", "numpy._core.numeric") and \
                name == "_frombuffer":
            return core.numeric._frombuffer
        raise pickle.UnpicklingError(
            f"the CIFAR file refers to {module}.{name}: not a CIFAR batch")


def _preprocess_cifar(images, labels, withlabel, ndim, scale, dtype):
    if ndim == 1:
        images = images.reshape(-1, 3072)
    elif ndim == 3:
        images = images.reshape(-1, 3, 32, 32)
    else:
        raise ValueError(f"invalid ndim for CIFAR dataset: {ndim} (1 or 3)")
    images = scale_images(images, get_dtype(dtype), scale)
    if withlabel:
        return TupleDataset(images, labels.astype(numpy.int32))
    return images
