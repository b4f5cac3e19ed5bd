"""Where an array lives, for initializers (NumPy now; CuPy arrays get CuPy)."""
from __future__ import annotations

import numpy


def xp_of(array):
    """The array module of `array` (numpy, or cupy for a CuPy array)."""
    if isinstance(array, numpy.ndarray):
        return numpy
    from ..backends import cuda
    return cuda.get_array_module(array)


def array_types() -> tuple:
    from ..backends import cuda
    return (numpy.ndarray,) + ((cuda.ndarray,) if cuda.available else ())


def copy_into(array, values) -> None:
    """array[...] = values, across devices, cast to array's dtype."""
    if isinstance(array, numpy.ndarray):
        from ..backends import cuda
        numpy.copyto(array, cuda.to_cpu(values), casting="unsafe")
    else:
        array[...] = xp_of(array).asarray(values)
