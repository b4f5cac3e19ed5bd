"""HDF5 serialization in Chainer's layout (needs h5py: `pip install h5py`,
or kusari's `hdf5` extra): groups for links, datasets for arrays, an empty
dataset for None.

`load_hdf5` into a link or an optimizer checks the whole file against the
object first: a missing key or an array that does not fit raises an error
naming the key and why, and leaves the object unchanged.
"""
from __future__ import annotations

import numpy

from ..serializer import Deserializer, Serializer

try:
    import h5py
    _available = True
except ImportError:        # an optional extra
    h5py = None
    _available = False


def _check_available() -> None:
    if not _available:
        raise RuntimeError("h5py is not installed on your environment.\nPlease install "
                           "h5py to activate hdf5 serializers.\n  $ pip install h5py")


def _to_cpu(value):
    if isinstance(value, numpy.ndarray):
        return value
    from ..backends import cuda
    return numpy.asarray(cuda.to_cpu(value))


class HDF5Serializer(Serializer):
    """Saves into an h5py group (children are subgroups)."""

    def __init__(self, group, compression: int = 4):
        _check_available()
        self.group = group
        self.compression = compression

    def __getitem__(self, key: str) -> "HDF5Serializer":
        name = self.group.name + "/" + key
        return HDF5Serializer(self.group.require_group(name), self.compression)

    def __call__(self, key: str, value):
        if value is None:
            if h5py.version.version_tuple < (2, 7, 0):
                raise RuntimeError("h5py>=2.7.0 is required to serialize None.")
            arr, compression = h5py.Empty("f"), None
        else:
            arr = _to_cpu(value)
            compression = None if numpy.size(arr) <= 1 else self.compression
        self.group.create_dataset(key, data=arr, compression=compression)
        return value


def save_hdf5(filename, obj, compression: int = 4) -> None:
    """Save `obj` (or a dict of arrays) to the HDF5 file `filename`."""
    _check_available()
    with h5py.File(filename, "w") as f:
        if isinstance(obj, dict):
            for key, value in obj.items():
                arr = numpy.asarray(value)
                f.create_dataset("/" + key.lstrip("/"), data=arr,
                                 compression=None if arr.size <= 1 else compression)
        else:
            HDF5Serializer(f, compression=compression).save(obj)


class HDF5Deserializer(Deserializer):
    """Loads from an h5py group; with `strict=False` missing keys and groups
    are skipped."""

    def __init__(self, group, strict: bool = True):
        _check_available()
        self.group = group
        self.strict = strict

    def __getitem__(self, key: str) -> "HDF5Deserializer":
        group = None
        if self.group is not None:
            name = self.group.name.rstrip("/") + "/" + key
            try:
                group = self.group.require_group(name)
            except (ValueError, KeyError):     # no such group in a file read
                group = None
        child = type(self)(group, strict=self.strict)
        child._path = getattr(self, "_path", "") + key.strip("/") + "/"
        return child

    def __call__(self, key: str, value):
        path = getattr(self, "_path", "") + key
        if self.group is None:
            if not self.strict:
                return value
            raise ValueError(f"Inexistent group is specified (loading {path!r})")
        if key not in self.group:
            if not self.strict:
                return value
            raise KeyError(f"{path!r} is not in the file (strict loading)")
        dataset = self.group[key]
        if dataset.shape is None:               # empty: None
            return None
        if value is None:
            return numpy.asarray(dataset)
        return _into(path, dataset, value)


class _CheckingHDF5Deserializer(HDF5Deserializer):
    """Raises what HDF5Deserializer would, changing nothing."""

    def __call__(self, key: str, value):
        from .npz import _probe
        loaded = super().__call__(key, _probe(value))
        return None if value is None or loaded is None else value


def _into(path: str, dataset, value):
    from .npz import _into as into_npz
    data = numpy.asarray(dataset)
    if isinstance(value, str) and data.dtype.kind in "OSU":
        # h5py 3 reads strings back as bytes
        return type(value)(dataset.asstr()[()] if hasattr(dataset, "asstr") else data)
    return into_npz(path, data, value)


def load_hdf5(filename, obj) -> None:
    """Load `obj` from the HDF5 file `filename` (a link or an optimizer is
    checked against the whole file first; on a mismatch nothing is loaded)."""
    _check_available()
    from .npz import _checked_first
    with h5py.File(filename, "r") as f:
        if _checked_first(obj):
            _CheckingHDF5Deserializer(f).load(obj)
        HDF5Deserializer(f).load(obj)
