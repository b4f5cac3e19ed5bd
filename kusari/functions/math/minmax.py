"""max, min, argmax and argmin (Chainer's chainer.functions.math.minmax).
Integer arrays are taken too (a kusari extension: Chainer's take floats)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var
from ._axis import reduction_axes, single_axis


def _extremum(name: str, label: str):
    def f(x, axis=None, keepdims: bool = False) -> Variable:
        x = var(x)
        return call(name, x, axis=reduction_axes(label, axis, x.ndim), keepdims=bool(keepdims))
    f.__name__ = f.__qualname__ = name
    return f


max = _extremum("max", "Max")  # noqa: A001 - Chainer's name
max.__doc__ = """Maximum over `axis`; every element equal to it gets the gradient."""
min = _extremum("min", "Min")  # noqa: A001
min.__doc__ = """Minimum over `axis`; every element equal to it gets the gradient."""


def _arg(name: str, label: str):
    def f(x, axis=None) -> Variable:
        x = var(x)
        index = call(name, x, axis=single_axis(label, axis, x.ndim))
        return call("cast", index, dtype=np.dtype(np.int32))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"Index of the {'maximum' if name == 'argmax' else 'minimum'} over `axis` "
                 "(None: of the flattened array), int32 as in Chainer; no gradient.")
    return f


argmax = _arg("argmax", "ArgMax")
argmin = _arg("argmin", "ArgMin")
