"""The CPU device: NumPy arrays (Chainer's `chainer.backends._cpu`)."""
from __future__ import annotations

import numpy

from .. import _backend


class CpuDevice(_backend.Device):
    """The device of NumPy arrays, named '@numpy'."""

    name = "@numpy"
    xp = numpy
    supported_array_types = (numpy.ndarray,)

    __hash__ = _backend.Device.__hash__

    @staticmethod
    def from_array(array):
        """A CpuDevice if `array` is a NumPy array, else None."""
        return CpuDevice() if isinstance(array, numpy.ndarray) else None

    def __eq__(self, other):
        return isinstance(other, CpuDevice)

    def __repr__(self):
        return f"<{type(self).__name__} (numpy)>"

    def send_array(self, array):
        return _array_to_cpu(array)

    def is_array_supported(self, array) -> bool:
        return isinstance(array, numpy.ndarray)


def _to_cpu(array):
    """An array, or a list/tuple of arrays, as NumPy arrays."""
    return _backend._convert_arrays(array, _array_to_cpu)


def _array_to_cpu(array):
    if array is None or isinstance(array, numpy.ndarray):
        return array
    from . import cuda, intel64
    if isinstance(array, intel64.mdarray):
        return numpy.asarray(array)
    if cuda.is_cupy_array(array):
        with cuda.get_device_from_array(array):
            return array.get()
    if numpy.isscalar(array):
        return numpy.asarray(array)
    raise TypeError("Array cannot be converted into an numpy.ndarray"
                    f"\nActual type: {type(array)}.")
