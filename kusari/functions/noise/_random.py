"""Random draws for the noise functions: from NumPy's global generator, in
the order Chainer draws them, so a seed gives Chainer's numbers. Inside
`kusari.jit` a draw is an input of the compiled function, made again at
every call in the order eager code makes it."""
from __future__ import annotations

import numpy as np

from ... import tracing
from .._core import Variable, var


def draw(sample, shape: tuple, dtype=np.float64) -> Variable:
    """`sample()` (an array of `shape` and `dtype`) as a Variable: drawn now,
    or at every call of the jitted function being traced."""
    ctx = tracing.active() if tracing.TRACING else None
    if ctx is not None:
        return ctx.random(sample, tuple(shape), np.dtype(dtype))
    return var(np.asarray(sample(), dtype))


def uniform(shape: tuple) -> Variable:
    """np.random.rand(*shape): uniform in [0, 1), float64."""
    shape = tuple(shape)
    return draw(lambda: np.random.rand(*shape), shape)


def parse_kwargs(name: str, kwargs: dict, allowed: dict) -> list:
    """Chainer's argument.parse_kwargs: `allowed` maps names to defaults;
    `train` is refused with Chainer's message; anything else is a TypeError."""
    if "train" in kwargs and "train" not in allowed:
        raise ValueError("train argument is not supported anymore. "
                         "Use chainer.using_config")
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(f"{name}() got unexpected keyword argument(s) "
                        f"{', '.join(sorted(unknown))}")
    return [kwargs.get(k, v) for k, v in allowed.items()]
