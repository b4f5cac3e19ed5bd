"""diagonal: the diagonal of two axes (NumPy's diagonal)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var
from ._util import expect


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """The diagonal of `x` over `axis1` and `axis2` (shifted by `offset`),
    as the last axis of the result."""
    x = var(x)
    expect("Diagonal", max(axis1, axis2) < x.ndim, "max(axis1, axis2) < x.ndim",
           f"{max(axis1, axis2)} >= {x.ndim}")
    expect("Diagonal", -x.ndim <= min(axis1, axis2), "-x.ndim <= min(axis1, axis2)",
           f"{-x.ndim} > {min(axis1, axis2)}")
    if not (-x.ndim <= axis1 < x.ndim and -x.ndim <= axis2 < x.ndim):
        raise ValueError(f"diagonal: axes {axis1}, {axis2} out of bounds for ndim {x.ndim}")
    a1, a2 = axis1 % x.ndim, axis2 % x.ndim
    if a1 == a2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rest = [a for a in range(x.ndim) if a not in (a1, a2)]
    y = call("transpose", x, axes=tuple(rest) + (a1, a2))
    n1, n2 = x.shape[a1], x.shape[a2]
    k = max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))
    rows = np.arange(k) + max(-offset, 0)
    cols = np.arange(k) + max(offset, 0)
    key = (("s", None, None, None),) * len(rest) + (("a", 0), ("a", 1))
    return call("getitem", y, var(rows), var(cols), key=key)
