"""Initializers: fill a parameter's array (Chainer's classes and RNG use).

Random initializers draw float64 values from NumPy's global generator (or
`rng=`) and cast them, exactly as Chainer does, so seeded runs match Chainer's
numbers.
"""
from __future__ import annotations

import numpy as np


class Initializer:
    """Fills an array in place; `dtype` (optional) is the dtype it makes."""

    def __init__(self, dtype=None):
        self.dtype = None if dtype is None else np.dtype(dtype)

    def __call__(self, array):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Constant(Initializer):
    def __init__(self, fill_value, dtype=None):
        if dtype is None and isinstance(fill_value, np.ndarray):
            dtype = fill_value.dtype
        super().__init__(dtype)
        self.fill_value = fill_value

    def __call__(self, array):
        if self.dtype is not None:
            assert array.dtype == self.dtype, f"{array.dtype} != {self.dtype}"
        value = self.fill_value
        if isinstance(value, np.ndarray) and value.shape != array.shape:
            value = np.broadcast_to(value, array.shape)
        array[...] = value


def Zero(dtype=None) -> Constant:
    return Constant(0.0, dtype=dtype)


def One(dtype=None) -> Constant:
    return Constant(1.0, dtype=dtype)


def NaN(dtype=None) -> Constant:
    return Constant(np.nan, dtype=dtype)


def get_fans(shape):
    if not isinstance(shape, tuple):
        raise ValueError(f"shape must be tuple. Actual type: {type(shape)}")
    if len(shape) < 2:
        raise ValueError(f"shape must be of length >= 2. Actual shape: {shape}")
    receptive = int(np.prod(shape[2:], dtype=np.int64))
    return shape[1] * receptive, shape[0] * receptive


class _Random(Initializer):
    def __init__(self, scale=1.0, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    @property
    def _random(self):
        return np.random if self.rng is None else self.rng


class Normal(_Random):
    """N(0, scale^2) entries."""

    def __init__(self, scale=0.05, dtype=None, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        array[...] = self._random.normal(loc=0.0, scale=self.scale, size=array.shape)


class Uniform(_Random):
    """U(-scale, scale) entries."""

    def __init__(self, scale=0.05, dtype=None, rng=None):
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        array[...] = self._random.uniform(low=-self.scale, high=self.scale,
                                          size=array.shape)


def _scaled(base, fan):
    class Scaled(_Random):
        def __call__(self, array):
            fan_in, fan_out = get_fans(array.shape)
            s = self.scale * np.sqrt(fan(fan_in, fan_out))
            if base is Uniform:
                s *= np.sqrt(3.0)
            base(s, rng=self.rng)(array)
    return Scaled


class LeCunNormal(_scaled(Normal, lambda i, o: 1.0 / i)):
    """N(0, scale^2 / fan_in): the default for weights (Chainer's)."""


class GlorotNormal(_scaled(Normal, lambda i, o: 2.0 / (i + o))):
    pass


class HeNormal(_scaled(Normal, lambda i, o: 2.0 / i)):
    pass


class LeCunUniform(_scaled(Uniform, lambda i, o: 1.0 / i)):
    pass


class GlorotUniform(_scaled(Uniform, lambda i, o: 2.0 / (i + o))):
    pass


class HeUniform(_scaled(Uniform, lambda i, o: 2.0 / i)):
    pass


def _get_initializer(initializer):
    if initializer is None:
        return LeCunNormal()
    if np.isscalar(initializer):
        return Constant(initializer)
    if isinstance(initializer, np.ndarray):
        return Constant(initializer)
    if not callable(initializer):
        raise TypeError(f"invalid type of initializer: {type(initializer)}")
    return initializer


def generate_array(initializer, shape, xp=np, dtype=None, device=None):
    """A new array of `shape` filled by `initializer` (dtype: the initializer's,
    else `dtype`, else config.dtype)."""
    from ..configuration import state
    dtype_attr = getattr(initializer, "dtype", None)
    if dtype is not None and dtype_attr is not None and np.dtype(dtype) != np.dtype(dtype_attr):
        raise ValueError(f"dtype mismatch: {dtype} != {dtype_attr}")
    if dtype is None:
        dtype = dtype_attr
    dtype = np.dtype(state.dtype if dtype is None else dtype)
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    array = xp.empty(tuple(shape), dtype=dtype)
    initializer(array)
    return array
