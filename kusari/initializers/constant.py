"""Initializers that fill a fixed value: Constant, Zero, One, NaN, Identity."""
from __future__ import annotations

import numpy

from ..initializer import Initializer
from ._device import array_types, copy_into, xp_of


class Identity(Initializer):
    """`scale` times the identity matrix (square 2-d arrays only)."""

    def __init__(self, scale=1.0, dtype=None):
        self.scale = scale
        super().__init__(dtype)

    def __call__(self, array):
        self._check_dtype(array)
        shape = array.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError("Identity matrix initialization can only be used "
                             "for 2D squared matrices.")
        array[...] = xp_of(array).identity(shape[0]) * self.scale


class _Constant(Initializer):
    fill_value = None

    def __init__(self, dtype=None):
        value = self.fill_value
        if isinstance(value, (str, bytes)) or \
                not (isinstance(value, array_types()) or numpy.isscalar(value)):
            raise ValueError("fill_value must be either scalar, numpy.ndarray, "
                             "cupy.ndarray or chainerx.ndarray.")
        super().__init__(dtype)

    def __call__(self, array):
        self._check_dtype(array)
        value = self.fill_value
        if isinstance(value, array_types()):
            copy_into(array, value.astype(array.dtype, copy=False))
        else:
            array[...] = xp_of(array).asarray(value)

    def __repr__(self):
        return f"{type(self).__name__}(fill_value={self.fill_value!r}, dtype={self.dtype!r})"


class Constant(_Constant):
    """Fills `fill_value` (a scalar, or an array broadcast to the shape)."""

    def __init__(self, fill_value, dtype=None):
        self.fill_value = fill_value
        super().__init__(dtype)


class Zero(_Constant):
    """Fills 0."""
    fill_value = 0.0


class One(_Constant):
    """Fills 1."""
    fill_value = 1.0


class NaN(_Constant):
    """Fills NaN (a parameter's grad before it is computed)."""
    fill_value = numpy.nan
