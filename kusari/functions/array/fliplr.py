"""fliplr: reverse the columns (axis 1)."""
from __future__ import annotations

from .._core import Variable, var
from ._util import expect, expect_float
from .flip import reversed_along


def fliplr(a) -> Variable:
    """`a` reversed along axis 1 (a float array of 2 or more dimensions)."""
    a = var(a)
    expect_float("FlipLR", a, "a")
    expect("FlipLR", a.ndim >= 2, "a.ndim >= 2", f"{a.ndim} < 2")
    if a.ndim < 2:
        raise ValueError("fliplr needs an array of at least 2 dimensions")
    return reversed_along(a, 1)
