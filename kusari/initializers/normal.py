"""Initializers drawing from normal distributions: Normal, LeCunNormal,
GlorotNormal, HeNormal."""
from __future__ import annotations

from ..initializer import get_fans
from ._random import RandomInitializer, normal, sqrt


class Normal(RandomInitializer):
    """N(0, scale**2) entries."""

    def __init__(self, scale=0.05, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        self._fill(array, normal(self.scale))


class LeCunNormal(RandomInitializer):
    """N(0, scale**2 / fan_in): the default initializer of weights."""

    def __init__(self, scale=1.0, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        fan_in, _ = get_fans(array.shape)
        self._fill(array, normal(self.scale * sqrt(1. / fan_in)))


class GlorotNormal(RandomInitializer):
    """N(0, scale**2 * 2 / (fan_in + fan_out)) (Glorot & Bengio)."""

    def __init__(self, scale=1.0, dtype=None, *, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        self._fill(array, normal(self.scale * sqrt(2. / (fan_in + fan_out))))


class HeNormal(RandomInitializer):
    """N(0, scale**2 * 2 / fan) with fan = fan_in or fan_out (He et al.)."""

    def __init__(self, scale=1.0, dtype=None, fan_option="fan_in", *, rng=None):
        self.fan_option = fan_option
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        if self.fan_option == "fan_in":
            fan = fan_in
        elif self.fan_option == "fan_out":
            fan = fan_out
        else:
            raise ValueError("fan_option should be either 'fan_in' or 'fan_out'.")
        self._fill(array, normal(self.scale * sqrt(2. / fan)))
