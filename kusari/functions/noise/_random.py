"""Random draws for the noise functions: from NumPy's global generator, in
the order Chainer draws them, so a seed gives Chainer's numbers; for CuPy
operands from CuPy's, on their device, as Chainer draws on a GPU. Inside
`kusari.jit` a draw is an input of the compiled function, made again at
every call in the order eager code makes it (on the host)."""
from __future__ import annotations

import numpy as np

from ... import tracing
from ...backends import cuda
from .._core import Variable, var


def draw(sample, shape: tuple, dtype=np.float64, like=None) -> Variable:
    """`sample(xp)` (an array of `shape` and `dtype` drawn by array module
    `xp`'s generator) as a Variable: drawn now, where `like` (an operand's
    array) is, or at every call of the jitted function being traced."""
    ctx = tracing.active() if tracing.TRACING else None
    if ctx is not None:
        return ctx.random(lambda: sample(np), tuple(shape), np.dtype(dtype))
    if like is not None and cuda.is_cupy_array(like):
        with like.device:
            return var(cuda.cupy.asarray(sample(cuda.cupy), dtype))
    return var(np.asarray(sample(np), dtype))


def uniform(shape: tuple, like=None) -> Variable:
    """rand(*shape) where `like` is: uniform in [0, 1), float64."""
    shape = tuple(shape)
    return draw(lambda xp: xp.random.rand(*shape), shape, like=like)


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
