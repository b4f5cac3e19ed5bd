"""The shared part of the random initializers: which generator they draw from."""
from __future__ import annotations

import numpy

from ..initializer import Initializer
from ._device import copy_into, xp_of


class RandomInitializer(Initializer):
    """Draws float64 values from `rng` (a numpy.random.RandomState or
    Generator), or, without one, from the global generator of the array's
    module (numpy.random for NumPy arrays), and casts them to the array's
    dtype: the draws Chainer makes, in the order it makes them."""

    def __init__(self, scale, dtype=None, rng=None):
        self.scale = scale
        self.rng = rng
        super().__init__(dtype)

    def _fill(self, array, draw) -> None:
        """array[...] = draw(random_module, shape): float64 draws, cast."""
        if self.rng is None:
            array[...] = draw(xp_of(array).random, array.shape)
        else:
            copy_into(array, draw(self.rng, array.shape).astype(array.dtype, copy=False))

    def __repr__(self):
        return f"{type(self).__name__}(scale={self.scale!r}, dtype={self.dtype!r})"


def normal(scale):
    return lambda random, shape: random.normal(loc=0.0, scale=scale, size=shape)


def uniform(scale):
    return lambda random, shape: random.uniform(low=-scale, high=scale, size=shape)


def sqrt(x: float):
    """numpy.sqrt of a Python float (a float64 scalar, as Chainer computes)."""
    return numpy.sqrt(x)
