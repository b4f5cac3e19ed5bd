"""Datasets of image files (and zip archives of them), decoded with Pillow.

Pillow is optional (`pip install kusari[image]` or `pip install Pillow`):
without it this module imports, `available` is False, and making one of
these datasets raises ImportError saying so.
"""
from __future__ import annotations

import bisect
import io
import os
import threading
import zipfile

import numpy

from ..configuration import get_dtype
from ..dataset.dataset_mixin import DatasetMixin

try:
    from PIL import Image
    available = True
    _import_error = None
except ImportError as e:
    available = False
    _import_error = e


def _check_pillow_availability():
    if not available:
        raise ImportError("PIL cannot be loaded. Install Pillow!\n"
                          "The actual import error is as follows:\n"
                          + str(_import_error))


def _read_image_as_array(path, dtype):
    with Image.open(path) as f:
        return numpy.asarray(f, dtype=dtype)


def _postprocess_image(image):
    """(H, W) or (H, W, C) as (C, H, W)."""
    if image.ndim == 2:
        image = image[..., None]
    return image.transpose(2, 0, 1)


def _read_pairs(path):
    pairs = []
    with open(path) as f:
        for i, line in enumerate(f):
            pair = line.strip().split()
            if len(pair) != 2:
                raise ValueError(f"invalid format at line {i} in file {path}: "
                                 "expected '<path> <integer label>'")
            pairs.append((pair[0], int(pair[1])))
    return pairs


class ImageDataset(DatasetMixin):
    """Images read from files on each access, as (channels, height, width)
    arrays of `dtype` (`config.dtype` by default).

    `paths` is a list of paths, or the path of a text file listing one per
    line; each is relative to `root`. Images must already agree in size and
    channels for batching (greyscale and RGB mixed give different shapes).
    """

    def __init__(self, paths, root=".", dtype=None):
        _check_pillow_availability()
        if isinstance(paths, str):
            with open(paths) as f:
                paths = [line.strip() for line in f]
        self._paths = paths
        self._root = root
        self._dtype = get_dtype(dtype)

    def __len__(self):
        return len(self._paths)

    def get_example(self, i):
        path = os.path.join(self._root, self._paths[i])
        return _postprocess_image(_read_image_as_array(path, self._dtype))


class LabeledImageDataset(DatasetMixin):
    """Pairs (image, label): `pairs` is a list of (path, int label), or the
    path of a text file of lines `<path> <label>` (Caffe's format); the
    label is an array of `label_dtype`."""

    def __init__(self, pairs, root=".", dtype=None, label_dtype=numpy.int32):
        _check_pillow_availability()
        if isinstance(pairs, str):
            pairs = _read_pairs(pairs)
        self._pairs = pairs
        self._root = root
        self._dtype = get_dtype(dtype)
        self._label_dtype = label_dtype

    def __len__(self):
        return len(self._pairs)

    def get_example(self, i):
        path, label = self._pairs[i]
        image = _read_image_as_array(os.path.join(self._root, path), self._dtype)
        return _postprocess_image(image), numpy.array(label, dtype=self._label_dtype)


class ZippedImageDataset(DatasetMixin):
    """The images in a zip archive (every file in it, in the archive's
    order); `get_example` also takes a member's name. Pickles without its
    open archive, and reopens it in another process."""

    def __init__(self, zipfilename, dtype=None):
        _check_pillow_availability()
        self._zipfilename = zipfilename
        self._zf = zipfile.ZipFile(zipfilename)
        self._zf_pid = os.getpid()
        self._dtype = get_dtype(dtype)
        self._paths = [name for name in self._zf.namelist() if not name.endswith("/")]
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._paths)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_zf"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state):
        self.__dict__ = state
        self._lock = threading.Lock()

    def get_example(self, i_or_filename):
        if isinstance(i_or_filename, (int, numpy.integer)):
            name = self._paths[i_or_filename]
        else:
            name = i_or_filename
        with self._lock:
            if self._zf is None or self._zf_pid != os.getpid():
                self._zf_pid = os.getpid()
                self._zf = zipfile.ZipFile(self._zipfilename)
            data = self._zf.read(name)
        return _postprocess_image(_read_image_as_array(io.BytesIO(data), self._dtype))


class MultiZippedImageDataset(DatasetMixin):
    """The images of several zip archives, one archive after another."""

    def __init__(self, zipfilenames, dtype=None):
        self._zfs = [ZippedImageDataset(name, dtype) for name in zipfilenames]
        self._ends = [0]
        for zf in self._zfs:
            self._ends.append(self._ends[-1] + len(zf))

    def __len__(self):
        return self._ends[-1]

    def get_example(self, i):
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"MultiZippedImageDataset index out of range "
                             f"({len(self)} images)")
        k = bisect.bisect(self._ends, i) - 1
        return self._zfs[k].get_example(i - self._ends[k])


class LabeledZippedImageDataset(DatasetMixin):
    """Pairs (image, label) from a zip archive and a label file of lines
    `<member name> <label>`."""

    def __init__(self, zipfilename, labelfilename, dtype=None, label_dtype=numpy.int32):
        _check_pillow_availability()
        self._pairs = _read_pairs(labelfilename)
        self._label_dtype = label_dtype
        self._zipfile = ZippedImageDataset(zipfilename, dtype=dtype)

    def __len__(self):
        return len(self._pairs)

    def get_example(self, i):
        path, label = self._pairs[i]
        return (self._zipfile.get_example(path),
                numpy.array(label, dtype=self._label_dtype))
