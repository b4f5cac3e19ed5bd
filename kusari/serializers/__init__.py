"""kusari.serializers: save and load links and optimizers in Chainer's
layouts (NPZ always; HDF5 with h5py installed)."""
from .hdf5 import HDF5Deserializer, HDF5Serializer, load_hdf5, save_hdf5  # noqa: F401
from .npz import DictionarySerializer, NpzDeserializer, load_npz, save_npz  # noqa: F401

__all__ = ["DictionarySerializer", "NpzDeserializer", "load_npz", "save_npz",
           "HDF5Serializer", "HDF5Deserializer", "load_hdf5", "save_hdf5"]
