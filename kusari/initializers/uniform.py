"""Initializers drawing from uniform distributions: Uniform, LeCunUniform,
GlorotUniform, HeUniform."""
from __future__ import annotations

from ..initializer import get_fans
from ._random import RandomInitializer, sqrt, uniform


class Uniform(RandomInitializer):
    """U(-scale, scale) entries."""

    def __init__(self, scale=0.05, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        self._fill(array, uniform(self.scale))


class LeCunUniform(RandomInitializer):
    """U(-s, s) with s = scale * sqrt(3 / fan_in)."""

    def __init__(self, scale=1.0, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        fan_in, _ = get_fans(array.shape)
        self._fill(array, uniform(self.scale * sqrt(3. / fan_in)))


class GlorotUniform(RandomInitializer):
    """U(-s, s) with s = scale * sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, scale=1.0, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        self._fill(array, uniform(self.scale * sqrt(6. / (fan_in + fan_out))))


class HeUniform(RandomInitializer):
    """U(-s, s) with s = scale * sqrt(6 / fan_in)."""

    def __init__(self, scale=1.0, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        fan_in, _ = get_fans(array.shape)
        self._fill(array, uniform(self.scale * sqrt(6. / fan_in)))
