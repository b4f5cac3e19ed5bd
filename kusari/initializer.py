"""Chainer's `chainer.initializer`: the Initializer base class and `get_fans`."""
from __future__ import annotations

from .utils import size_of_shape


class Initializer:
    """Fills an array in place (`initializer(array)`).

    `dtype`, when given, is the dtype the arrays it fills must have (and the
    dtype `generate_array` and a lazily initialized Parameter make); it is
    kept as given ('f', numpy.float32, ...), as Chainer keeps it.
    """

    def __init__(self, dtype=None) -> None:
        self.dtype = dtype

    def __call__(self, array) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def _check_dtype(self, array) -> None:
        if self.dtype is not None:
            assert array.dtype == self.dtype, f"{array.dtype} != {self.dtype}"


def get_fans(shape: tuple) -> tuple:
    """(fan_in, fan_out) of a weight of `shape`: (out, in, *kernel)."""
    if not isinstance(shape, tuple):
        raise ValueError(f"shape must be tuple. Actual type: {type(shape)}")
    if len(shape) < 2:
        raise ValueError(f"shape must be of length >= 2. Actual shape: {shape}")
    receptive = size_of_shape(shape[2:])
    return shape[1] * receptive, shape[0] * receptive
