"""Noise: dropout."""
from __future__ import annotations

__all__ = ['dropout']

import numpy as np

from ...configuration import state
from .._core import Variable, var


def dropout(x, ratio: float = 0.5, **kwargs) -> Variable:
    """In training, zero each element with probability `ratio` and scale the
    rest by 1 / (1 - ratio); outside training, `x` itself."""
    x = var(x)
    if not state.train or ratio == 0:
        return x
    if not 0.0 <= ratio < 1.0:
        raise ValueError("dropout ratio must be in the range [0, 1)")
    scale = 1.0 / (1.0 - ratio)
    from ... import tracing
    ctx = tracing.active() if tracing.TRACING else None
    if ctx is not None:
        # inside kusari.jit: the uniform draws are an input, taken from NumPy's
        # global generator at every call in the order eager code takes them
        # (so a seed makes both give the same masks), used or not
        from ..math import cast, greater_equal
        u = ctx.random(lambda shape=x.shape: np.random.rand(*shape), x.shape, np.float64)
        keep = cast(greater_equal(u, ratio), np.float64) * scale
        return x * cast(keep, x.dtype)
    mask = (np.random.rand(*x.shape) >= ratio) * scale
    return x * mask.astype(x.dtype)
