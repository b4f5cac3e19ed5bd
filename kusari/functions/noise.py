"""Noise: dropout."""
from __future__ import annotations

import numpy as np

from ..configuration import state
from ..tracing import Traced
from ._core import Variable, var


def dropout(x, ratio: float = 0.5, **kwargs) -> Variable:
    """In training, zero each element with probability `ratio` and scale the
    rest by 1 / (1 - ratio); outside training, `x` itself."""
    x = var(x)
    if not state.train or ratio == 0:
        return x
    if not 0.0 <= ratio < 1.0:
        raise ValueError("dropout ratio must be in the range [0, 1)")
    if isinstance(x.array, Traced):
        raise NotImplementedError(
            "kusari: F.dropout inside kusari.jit is not supported yet (the mask "
            "would be fixed at trace time); apply dropout outside the jitted function")
    mask = (np.random.rand(*x.shape) >= ratio) * (1.0 / (1.0 - ratio))
    return x * mask.astype(x.dtype)
