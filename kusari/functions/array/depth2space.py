"""depth2space: channels moved into r x r spatial blocks."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect, expect_float


def depth2space(X, r: int) -> Variable:
    """(n, r * r * c, h, w) -> (n, c, h * r, w * r): the inverse of space2depth."""
    X = var(X)
    expect_float("Depth2Space", X)
    expect("Depth2Space", X.ndim == 4, "x.ndim == 4", f"{X.ndim} != 4")
    if X.ndim != 4 or X.shape[1] % (r * r):
        raise ValueError(f"depth2space: x must be 4-D with channels divisible by "
                         f"r * r = {r * r} (got {X.shape})")
    n, c, a, b = X.shape
    c //= r * r
    y = call("reshape", X, shape=(n, r, r, c, a, b))
    y = call("transpose", y, axes=(0, 3, 4, 1, 5, 2))
    return call("reshape", y, shape=(n, c, a * r, b * r))
