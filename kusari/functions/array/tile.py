"""tile: an array repeated as a whole along each axis (NumPy's tile)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var


def tile(x, reps) -> Variable:
    """`x` tiled `reps` times per axis; `reps` and x's shape are padded with
    leading ones to the same length. The gradient sums the tiles."""
    if isinstance(reps, (int, np.integer)):
        reps = (int(reps),)
    elif isinstance(reps, tuple) and all(isinstance(r, (int, np.integer)) for r in reps):
        reps = tuple(int(r) for r in reps)
    else:
        raise TypeError(f"reps must be int or tuple of ints.\nActual: {type(reps)}")
    if not all(r >= 0 for r in reps):
        raise ValueError("All elements in reps must be zero or larger")
    x = var(x)
    d = max(len(reps), x.ndim)
    reps = (1,) * (d - len(reps)) + reps
    shape = (1,) * (d - x.ndim) + x.shape
    inter = tuple(v for s in shape for v in (1, s))
    spread = tuple(v for r, s in zip(reps, shape) for v in (r, s))
    y = call("reshape", x, shape=inter)
    if spread != inter:
        y = call("broadcast_to", y, shape=spread)
    return call("reshape", y, shape=tuple(r * s for r, s in zip(reps, shape)))
