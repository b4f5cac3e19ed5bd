"""Save an object and load it into another (serializer round trips)."""
from __future__ import annotations

import os


def save_and_load(src, dst, filename, saver, loader):
    """`saver(path, src)` then `loader(path, dst)` in a temporary directory."""
    from ..utils import tempdir
    with tempdir() as directory:
        path = os.path.join(directory, filename)
        saver(path, src)
        loader(path, dst)


def save_and_load_npz(src, dst):
    """save_and_load through an NPZ file."""
    from .. import serializers
    save_and_load(src, dst, "tmp.npz", serializers.save_npz, serializers.load_npz)


def save_and_load_hdf5(src, dst):
    """save_and_load through an HDF5 file (needs h5py)."""
    from .. import serializers
    save_and_load(src, dst, "tmp.h5", serializers.save_hdf5, serializers.load_hdf5)
