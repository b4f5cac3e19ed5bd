"""space2depth: r x r spatial blocks moved into channels."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect, expect_float


def space2depth(X, r: int) -> Variable:
    """(n, c, h, w) -> (n, r * r * c, h / r, w / r): each r x r block of
    pixels becomes channels (the inverse of depth2space)."""
    X = var(X)
    expect_float("Space2Depth", X)
    expect("Space2Depth", X.ndim == 4, "x.ndim == 4", f"{X.ndim} != 4")
    if X.ndim != 4 or X.shape[2] % r or X.shape[3] % r:
        raise ValueError(f"space2depth: x must be 4-D with height and width divisible "
                         f"by r = {r} (got {X.shape})")
    n, c, a, b = X.shape
    y = call("reshape", X, shape=(n, c, a // r, r, b // r, r))
    y = call("transpose", y, axes=(0, 3, 5, 1, 2, 4))
    return call("reshape", y, shape=(n, r * r * c, a // r, b // r))
